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
 * candidate, must both reach {@link IceState#FAILED}; two more agents get that candidate (with the
 * highest priority) besides each other's real one and must still connect. Prints
 * {@code FAILED <role> <ms>} per failing agent and {@code CONNECTED mixed ...}, then {@code DONE}
 * after a quiet second (so the parent can count the log lines of the whole run); exit code 0 when
 * everything passed.
 */
public final class UnreachableMain {
    /** Upper bound on the time to FAILED (ice4j waits about 5 s after the last pair failed). */
    static final long FAIL_WITHIN_MS = 15_000;

    private UnreachableMain() {
    }

    private static CompletableFuture<Void> connected(IceAgent a) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                f.complete(null);
            } else if (s == IceState.FAILED) {
                f.completeExceptionally(new IllegalStateException("FAILED"));
            }
        });
        return f;
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
        // A pair that cannot be sent to must not spoil the others: p and q also get the
        // unreachable candidate, with a higher priority than the real one, and must connect.
        IceAgent p = new IceAgent(IceConfig.builder().controlling(true)
                .addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress()).build());
        IceAgent q = new IceAgent(IceConfig.builder().controlling(false)
                .addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress()).build());
        agents.add(p);
        agents.add(q);
        CompletableFuture<Void> pConnected = connected(p);
        CompletableFuture<Void> qConnected = connected(q);
        List<IceCandidate> lp = p.gather();
        List<IceCandidate> lq = q.gather();
        p.setRemoteCredentials(q.localUfrag(), q.localPassword());
        q.setRemoteCredentials(p.localUfrag(), p.localPassword());
        for (IceAgent a : List.of(p, q)) {
            a.addRemoteCandidate(IceCandidate.host("9", 2130706431L, unreachable, 9));
        }
        lq.forEach(p::addRemoteCandidate);
        lp.forEach(q::addRemoteCandidate);
        q.start();
        p.start();
        int exit = 0;
        try {
            CompletableFuture.allOf(pConnected, qConnected).get(10, TimeUnit.SECONDS);
            System.out.println("CONNECTED mixed " + p.selectedPairDescription());
        } catch (Exception e) {
            System.out.println("NOT CONNECTED mixed: " + e + " states " + p.state() + "/" + q.state());
            exit = 3;
        }
        for (int i = 0; i < failed.size(); i++) { // agents 0 and 1: only the unreachable candidate
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
