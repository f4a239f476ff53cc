package org.jdatachannel.ice;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Child-JVM program for {@link UnreachableCandidateTest}, run inside a private network namespace
 * in which only {@code lo} is up, so a remote candidate {@code 203.0.113.7} (TEST-NET-3) has no
 * route and every connectivity check fails at {@code send()} inside the kernel: nothing leaves the
 * namespace. One controlled and one controlling agent, each bound to 127.0.0.1 and told only that
 * candidate, must both reach {@link IceState#FAILED}. Prints {@code FAILED <role> <ms>} per agent,
 * then {@code DONE} after a quiet second (so the parent can count the log lines of the whole run);
 * exit code 0 when both failed in time.
 */
public final class UnreachableMain {
    /** Upper bound on the time to FAILED (ice4j waits about 5 s after the last pair failed). */
    static final long FAIL_WITHIN_MS = 15_000;

    private UnreachableMain() {
    }

    public static void main(String[] args) throws Exception {
        IceLogging.install();
        String unreachable = args[0];
        List<IceAgent> agents = new ArrayList<>();
        List<CompletableFuture<Long>> failed = new ArrayList<>();
        long t0 = System.nanoTime();
        for (boolean controlling : new boolean[] {false, true}) {
            IceAgent a = new IceAgent(IceConfig.builder().controlling(controlling)
                    .addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress()).build());
            agents.add(a);
            CompletableFuture<Long> f = new CompletableFuture<>();
            a.onStateChange(s -> {
                System.out.println("STATE " + (controlling ? "controlling " : "controlled ") + s);
                if (s == IceState.FAILED) {
                    f.complete((System.nanoTime() - t0) / 1_000_000);
                } else if (s == IceState.CONNECTED) {
                    f.completeExceptionally(new IllegalStateException("connected to nowhere"));
                }
            });
            failed.add(f);
            a.gather();
            a.setRemoteCredentials("peerUfrag", "peerPasswordPeerPassword");
            a.addRemoteCandidate(IceCandidate.host("1", 2122260223L, unreachable, 9));
            a.start();
        }
        int exit = 0;
        for (int i = 0; i < failed.size(); i++) {
            String role = i == 0 ? "controlled" : "controlling";
            try {
                long left = FAIL_WITHIN_MS - (System.nanoTime() - t0) / 1_000_000;
                long ms = failed.get(i).get(Math.max(left, 0), TimeUnit.MILLISECONDS);
                System.out.println("FAILED " + role + " " + ms);
            } catch (TimeoutException e) {
                System.out.println("NOT FAILED " + role + " state " + agents.get(i).state());
                exit = 2;
            }
        }
        Thread.sleep(1000); // a failed agent must stay quiet: the parent counts log lines up to DONE
        System.out.println("DONE");
        System.out.flush();
        for (IceAgent a : agents) {
            a.close();
        }
        System.exit(exit);
    }
}
