package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The one-shot mDNS resolver against a responder on 127.0.0.1 (unicast: the resolver's target is
 * injected, so no multicast leaves the test), and browsers' {@code .local} candidates in an
 * {@link IceAgent}.
 */
class MdnsResolverTest {
    private static final String NAME = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9.local";

    /** Answers each query with the datagrams {@code replies} builds from the query. */
    static final class Responder implements AutoCloseable {
        final DatagramSocket socket;
        final List<byte[]> queries = new CopyOnWriteArrayList<>();
        /** Where the last query came from (written before it is added to {@link #queries}). */
        volatile InetSocketAddress lastFrom;
        private final Thread thread;

        Responder(Function<byte[], List<byte[]>> replies) throws Exception {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            thread = new Thread(() -> {
                byte[] buf = new byte[9000];
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                        byte[] q = java.util.Arrays.copyOf(buf, p.getLength());
                        lastFrom = (InetSocketAddress) p.getSocketAddress();
                        queries.add(q);
                        for (byte[] r : replies.apply(q)) {
                            socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                        }
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "mdns-responder");
            thread.setDaemon(true);
            thread.start();
        }

        MdnsResolver resolver() {
            return new MdnsResolver((InetSocketAddress) socket.getLocalSocketAddress(), List.of());
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(2000);
        }
    }

    static byte[] name(String n) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (String l : n.split("\\.")) {
            o.write(l.length());
            o.writeBytes(l.getBytes(StandardCharsets.US_ASCII));
        }
        o.write(0);
        return o.toByteArray();
    }

    /** A response with one A record for {@code n} (name written in full). */
    static byte[] answerA(String n, byte[] ip, int flags) {
        byte[] nm = name(n);
        ByteBuffer b = ByteBuffer.allocate(12 + nm.length + 10 + ip.length);
        b.putShort((short) 0).putShort((short) flags).putShort((short) 0).putShort((short) 1)
                .putShort((short) 0).putShort((short) 0);
        b.put(nm).putShort((short) (ip.length == 4 ? 1 : 28)).putShort((short) 0x8001).putInt(120)
                .putShort((short) ip.length).put(ip);
        return b.array();
    }

    /** A response that echoes the query's first question and answers with a compression pointer to it. */
    static byte[] answerWithPointer(byte[] query, byte[] ip) {
        int qEnd = 12;
        while (query[qEnd] != 0) {
            qEnd += 1 + query[qEnd];
        }
        qEnd += 5; // the zero byte, type, class
        ByteBuffer b = ByteBuffer.allocate(qEnd + 12 + ip.length);
        b.putShort((short) 0).putShort((short) 0x8400).putShort((short) 1).putShort((short) 1)
                .putShort((short) 0).putShort((short) 0);
        b.put(query, 12, qEnd - 12);
        b.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 0x8001).putInt(120)
                .putShort((short) 4).put(ip);
        return b.array();
    }

    @Test
    void queryAsksForAAndAaaaWithTheUnicastResponseBit() throws Exception {
        byte[] q = MdnsResolver.query(NAME);
        ByteBuffer b = ByteBuffer.wrap(q);
        assertEquals(0, b.getShort(), "RFC 6762 §18.1: query id zero");
        assertEquals(0, b.getShort(), "flags");
        assertEquals(2, b.getShort(), "two questions");
        assertEquals(0, b.getShort() | b.getShort() | b.getShort(), "no answer, authority or additional records");
        byte[] nm = name(NAME);
        for (int type : new int[] {1, 28}) {
            byte[] got = new byte[nm.length];
            b.get(got);
            assertEquals(java.util.Arrays.toString(nm), java.util.Arrays.toString(got));
            assertEquals(type, b.getShort());
            assertEquals((short) 0x8001, b.getShort(), "QU bit + class IN");
        }
        assertFalse(b.hasRemaining());
    }

    @Test
    void resolvesAnAnswerForTheAskedNameAndIgnoresTheRest() throws Exception {
        byte[] ip = {(byte) 198, 18, 0, 7};
        try (Responder r = new Responder(q -> List.of(
                new byte[] {1, 2, 3}, // garbage
                answerA("other-name.local", new byte[] {10, 0, 0, 1}, 0x8400), // another name
                answerA(NAME, new byte[] {10, 0, 0, 2}, 0x0000), // not a response (QR clear)
                answerA(NAME, new byte[] {10, 0, 0, 3}, 0x8403), // RCODE 3
                answerA(NAME, new byte[] {10, 0, 0, 4, 5}, 0x8400), // A record of 5 bytes
                answerWithPointer(q, ip)))) {
            InetAddress a = r.resolver().resolve(NAME.toUpperCase(java.util.Locale.ROOT), 5000);
            assertEquals(InetAddress.getByAddress(ip), a);
            assertEquals(1, r.queries.size());
        }
    }

    @Test
    void resolvesAaaa() throws Exception {
        byte[] ip6 = InetAddress.getByName("2001:db8::5").getAddress();
        try (Responder r = new Responder(q -> List.of(answerA(NAME, ip6, 0x8400)))) {
            assertEquals(InetAddress.getByAddress(ip6), r.resolver().resolve(NAME, 5000));
        }
    }

    @Test
    void noAnswerGivesNullWithinTheLimitAndBadNamesAreNotAsked() throws Exception {
        try (Responder r = new Responder(q -> List.of())) {
            assertNull(r.resolver().resolve(NAME, 200));
            assertEquals(1, r.queries.size());
            for (String bad : List.of("example.com", ".local", "a..local", "-a.local", "a b.local",
                    "x".repeat(64) + ".local", ("abc." ).repeat(70) + "local")) {
                assertNull(r.resolver().resolve(bad, 200), bad);
            }
            assertEquals(1, r.queries.size(), "invalid names are never sent");
            assertThrows(IllegalArgumentException.class, () -> r.resolver().resolve(NAME, 0));
        }
        assertTrue(MdnsResolver.isValidName(NAME));
        assertTrue(MdnsResolver.isValidName("host-1.Local."));
    }

    /** With no allowed multicast interface nothing is sent at all. */
    /**
     * A spoofed answer (right name, but sent from another socket than the one queried) is ignored:
     * the spoofer answers at once from a second socket, the real responder later with another
     * address; the real answer wins.
     */
    @Test
    void answersFromAnotherSourceAreIgnored() throws Exception {
        byte[] real = {(byte) 198, 18, 0, 7};
        byte[] spoofed = {(byte) 198, 18, 0, 66};
        try (DatagramSocket spoofer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                Responder r = new Responder(q -> List.of())) {
            MdnsResolver resolver = r.resolver();
            CompletableFuture<InetAddress> result = CompletableFuture.supplyAsync(() -> resolver.resolve(NAME, 5000));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (r.queries.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling for the query, bounded
            }
            assertFalse(r.queries.isEmpty(), "query arrived");
            // The resolver's socket address is learned from the query the responder got.
            InetSocketAddress querier = r.lastFrom;
            byte[] fake = answerA(NAME, spoofed, 0x8400);
            spoofer.send(new DatagramPacket(fake, fake.length, querier));
            byte[] good = answerA(NAME, real, 0x8400);
            r.socket.send(new DatagramPacket(good, good.length, querier));
            assertArrayEquals(real, result.get(10, TimeUnit.SECONDS).getAddress());
        }
    }

    @Test
    void multicastAnswersMustComeFromPort5353OnTheLocalLink() throws Exception {
        InetSocketAddress group = MdnsResolver.MDNS_IPV4;
        List<MdnsResolver.Subnet> nets = List.of(new MdnsResolver.Subnet(InetAddress.getByName("192.0.2.10"), 24));
        assertTrue(MdnsResolver.acceptableSource(new InetSocketAddress("192.0.2.77", 5353), group, nets));
        assertTrue(MdnsResolver.acceptableSource(new InetSocketAddress("169.254.3.4", 5353), group, nets),
                "link-local");
        assertFalse(MdnsResolver.acceptableSource(new InetSocketAddress("192.0.2.77", 40000), group, nets),
                "RFC 6762 §6: source port must be 5353");
        assertFalse(MdnsResolver.acceptableSource(new InetSocketAddress("198.51.100.7", 5353), group, nets),
                "off-link source");
        assertFalse(MdnsResolver.acceptableSource(new InetSocketAddress("192.0.3.1", 5353), group, nets));
        assertFalse(MdnsResolver.acceptableSource(new InetSocketAddress("192.0.2.77", 5353), group, List.of()));
        InetSocketAddress unicast = new InetSocketAddress("127.0.0.1", 4000);
        assertTrue(MdnsResolver.acceptableSource(unicast, unicast, List.of()));
        assertFalse(MdnsResolver.acceptableSource(new InetSocketAddress("127.0.0.1", 4001), unicast, List.of()));
    }

    @Test
    void noAllowedInterfaceResolvesNothing() {
        MdnsResolver none = MdnsResolver.forAddresses(a -> false);
        assertNull(none.resolve(NAME, 100));
    }

    /** Random and mutated responses never throw out of the parser. */
    @Test
    void parserSurvivesRandomInput() {
        long seed = System.nanoTime();
        LoggerFactory.getLogger(MdnsResolverTest.class).info("seed {}", seed);
        Random rnd = new Random(seed);
        byte[] good = answerWithPointer(MdnsResolver.query(NAME), new byte[] {1, 2, 3, 4});
        for (int i = 0; i < 50_000; i++) {
            byte[] m;
            if (rnd.nextBoolean()) {
                m = good.clone();
                for (int k = rnd.nextInt(4); k >= 0; k--) {
                    m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                }
            } else {
                m = new byte[rnd.nextInt(200)];
                rnd.nextBytes(m);
            }
            MdnsResolver.parseAnswer(m, rnd.nextInt(m.length + 1), NAME);
        }
    }

    /** An IceAgent resolves a browser's mDNS host candidate and connects to it. */
    @Test
    void agentConnectsToAnMdnsCandidate() throws Exception {
        IceConfig.Builder cfg = IceConfig.builder().addressFilter(a -> a instanceof Inet4Address && a.isLoopbackAddress());
        try (Responder r = new Responder(q -> List.of(answerA(NAME, new byte[] {127, 0, 0, 1}, 0x8400)));
             IceAgent a = new IceAgent(cfg.controlling(true).build(), r.resolver());
             IceAgent b = new IceAgent(cfg.controlling(false).build())) {
            a.gather();
            IceCandidate hb = b.gather().get(0);
            CompletableFuture<Void> up = new CompletableFuture<>();
            a.onStateChange(s -> {
                if (s == IceState.CONNECTED) {
                    up.complete(null);
                }
            });
            a.setRemoteCredentials(b.localUfrag(), b.localPassword());
            b.setRemoteCredentials(a.localUfrag(), a.localPassword());
            a.addRemoteCandidate(IceCandidate.host(hb.foundation(), hb.priority(), NAME, hb.port()));
            a.pendingResolutions().get(5, TimeUnit.SECONDS);
            assertEquals(1, a.remoteCandidateCount(), "the .local candidate was resolved and added");
            a.start();
            b.start(); // b learns a as peer-reflexive from a's checks
            up.get(10, TimeUnit.SECONDS);
            assertEquals(1, r.queries.size());
        }
    }
}
