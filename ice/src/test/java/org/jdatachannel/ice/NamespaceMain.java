package org.jdatachannel.ice;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link NamespaceTest}, run inside a private network namespace that has
 * a veth address 198.18.0.1 and loopback. Agent {@code x} (ours, controlled) gathers only the veth
 * address; agent {@code y} plays Chromium: it sends from 127.0.0.1 and signals only an mDNS name
 * that cannot resolve. Prints one line per check; exit code 0 when everything passed.
 */
public final class NamespaceMain {
    private NamespaceMain() {
    }

    public static void main(String[] args) throws Exception {
        IceLogging.install();
        String veth = args[0];
        IceAgent x = new IceAgent(IceConfig.builder().controlling(false)
                .addressFilter(a -> a.getHostAddress().equals(veth)).build());
        IceAgent y = new IceAgent(IceConfig.builder().controlling(true)
                .addressFilter(a -> a.getHostAddress().equals("127.0.0.1")).build());
        CountDownLatch connected = new CountDownLatch(2);
        x.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                connected.countDown();
            }
        });
        y.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                connected.countDown();
            }
        });
        List<IceCandidate> lx = x.gather();
        List<IceCandidate> ly = y.gather();
        System.out.println("GATHERED " + lx);
        if (lx.size() != 1 || !lx.get(0).address().equals(veth)) {
            System.exit(3);
        }
        x.setRemoteCredentials(y.localUfrag(), y.localPassword());
        y.setRemoteCredentials(x.localUfrag(), x.localPassword());
        x.addRemoteCandidate(IceCandidate.host("1", 2122260223L, UUID.randomUUID() + ".local", ly.get(0).port()));
        lx.forEach(y::addRemoteCandidate);
        x.start();
        y.start();
        if (!connected.await(10, TimeUnit.SECONDS)) {
            System.out.println("NOT CONNECTED");
            System.exit(2);
        }
        System.out.println("SELECTED " + x.selectedPairDescription());
        byte[] d = new byte[60000];
        d[0] = 0x17;
        y.transport().send(d, 0, d.length);
        int n1 = x.transport().receive(new byte[65535], 0, 65535, 5000);
        x.transport().send(d, 0, 100);
        int n2 = y.transport().receive(new byte[65535], 0, 65535, 5000);
        System.out.println("RECEIVED " + n1 + " " + n2);
        x.close();
        y.close();
        System.exit(n1 == 60000 && n2 == 100 ? 0 : 4);
    }
}
