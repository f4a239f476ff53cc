package org.jdatachannel.ice;

import java.net.Inet4Address;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link JvmExitTest}: connects two agents over 127.0.0.1, exchanges one
 * datagram, closes both and returns from {@code main}. The JVM must then exit by itself: no
 * non-daemon thread of ice4j or of ours may survive {@link IceAgent#close()}.
 */
public final class JvmExitMain {
    private JvmExitMain() {
    }

    public static void main(String[] args) throws Exception {
        IceLogging.install();
        IceConfig.Builder b = IceConfig.builder().addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress());
        IceAgent a = new IceAgent(b.controlling(true).build());
        IceAgent c = new IceAgent(b.controlling(false).build());
        CountDownLatch connected = new CountDownLatch(2);
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                connected.countDown();
            }
        });
        c.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                connected.countDown();
            }
        });
        List<IceCandidate> la = a.gather();
        List<IceCandidate> lc = c.gather();
        a.setRemoteCredentials(c.localUfrag(), c.localPassword());
        c.setRemoteCredentials(a.localUfrag(), a.localPassword());
        lc.forEach(a::addRemoteCandidate);
        la.forEach(c::addRemoteCandidate);
        a.start();
        c.start();
        if (!connected.await(10, TimeUnit.SECONDS)) {
            System.out.println("NOT CONNECTED");
            System.exit(2);
        }
        a.transport().send(new byte[] {0x40, 1, 2}, 0, 3);
        int n = c.transport().receive(new byte[100], 0, 100, 5000);
        a.close();
        c.close();
        System.out.println("DONE " + n);
    }
}
