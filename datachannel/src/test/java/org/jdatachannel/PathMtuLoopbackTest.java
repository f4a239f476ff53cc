package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.RenegotiationTest.channelPair;
import static org.jdatachannel.RenegotiationTest.exchange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.internal.PathMtu;
import org.jdatachannel.internal.SctpAssociationPort;
import org.jdatachannel.internal.SctpPort;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 6 (packet size): SCTP's Datagram PLPMTUD (RFC 8899) through the whole stack over 127.0.0.1.
 * Automatically the connection gives SCTP a MAX_PLPMTU of at most 2048 bytes ({@link
 * org.jdatachannel.internal.PathMtu#BROWSER_SAFE}: libwebrtc fails on larger records, and it can use
 * loopback); with {@code sctpMaxPacketSize(16384)} on both ends it is min(DTLS's send limit, loopback
 * MTU - IP - UDP - DTLS record) = 16384 bytes (DTLS limits it: the loopback MTU is 65536). SCTP's PLPMTU
 * rises to it by probing, and messages still arrive intact, in about 14 times fewer packets. With
 * {@code sctpMaxPacketSize(1191)} there is no discovery and every packet stays at 1191 bytes. After an
 * ICE restart (a new path) discovery starts again with the new path's maximum.
 */
class PathMtuLoopbackTest {
    private static final Logger LOG = LoggerFactory.getLogger(PathMtuLoopbackTest.class);
    private static final int MIB = 1 << 20;

    /** Loopback, accepting messages of up to 2 MiB. */
    private static RtcConfiguration.Builder big() {
        return loopback().maxMessageSize(2 * MIB);
    }

    /** What PathMtu's rule gives on loopback with an AES-GCM suite (the DTLS record limit, 2^14), before the automatic cap. */
    static int expectedLoopbackMax() throws Exception {
        int mtu = NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1")).getMTU();
        return Math.min(1 << 14, mtu - 20 - 8 - 37);
    }

    @Test
    void automaticallyThePlpmtuRisesTo2048OnLoopbackToo() throws Exception {
        try (PeerConnection a = new PeerConnection(big().build());
             PeerConnection b = new PeerConnection(big().build())) {
            DataChannel[] ends = channelPair(a, b, "auto");
            BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            assertEquals(PathMtu.BROWSER_SAFE, a.sctpMaxPlpmtu(), "the offerer's automatic MAX_PLPMTU");
            assertEquals(PathMtu.BROWSER_SAFE, b.sctpMaxPlpmtu(), "the answerer's automatic MAX_PLPMTU");
            sendAndCheck(ends[0], q, new Random(3), 50);
            assertEquals(PathMtu.BROWSER_SAFE, awaitPathMtu(a, PathMtu.BROWSER_SAFE), "the offerer's PLPMTU");
            assertEquals(PathMtu.BROWSER_SAFE, awaitPathMtu(b, PathMtu.BROWSER_SAFE), "the answerer's PLPMTU");
        }
    }

    @Test
    void withAnExplicitMaximumThePlpmtuRisesToTheDtlsLimitAndMessagesArriveIntact() throws Exception {
        long seed = Long.getLong("dc.pmtu.seed", System.nanoTime());
        LOG.info("seed {} (-Ddc.pmtu.seed={})", seed, seed);
        int expected = expectedLoopbackMax();
        assertEquals(16384, expected, "loopback MTU 65536 expected on the test machines");
        try (PeerConnection a = new PeerConnection(big().sctpMaxPacketSize(16384).build());
             PeerConnection b = new PeerConnection(big().sctpMaxPacketSize(16384).build())) {
            DataChannel[] ends = channelPair(a, b, "pmtu");
            BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            assertEquals(expected, a.sctpMaxPlpmtu(), "the offerer's MAX_PLPMTU");
            assertEquals(expected, b.sctpMaxPlpmtu(), "the answerer's MAX_PLPMTU");
            Random rnd = new Random(seed);
            // while discovery runs: one 1 MiB message and many small ones, in order, byte for byte
            sendAndCheck(ends[0], q, rnd, 300);
            int pmtu = awaitPathMtu(a, expected);
            assertEquals(expected, pmtu, "the offerer's PLPMTU reached MAX_PLPMTU");
            assertEquals(expected, awaitPathMtu(b, expected), "the answerer's PLPMTU");
            // at the large size: 1 MiB travels in ~65 DATA packets (~890 at 1191 bytes)
            long data0 = dataPacketsSent(a);
            sendAndCheck(ends[0], q, rnd, 300);
            long data = dataPacketsSent(a) - data0;
            long smallBytes = 300L * 1000;
            long atMost = 2 * ((MIB + smallBytes) / (expected - 64) + 1) + 300;
            LOG.info("PLPMTU {}: {} DATA packets for 1 MiB and 300 small messages (at most {})", pmtu, data, atMost);
            assertTrue(data <= atMost, data + " DATA packets, expected at most " + atMost);
            assertEquals(expected, a.sctpPathMtu(), "no black hole on loopback: PLPMTU stays");
        }
    }

    @Test
    void withSctpMaxPacketSize1191ThePacketsStayAtTheBaseSize() throws Exception {
        long seed = Long.getLong("dc.pmtu.seed", System.nanoTime());
        LOG.info("seed {} (-Ddc.pmtu.seed={})", seed, seed);
        try (PeerConnection a = new PeerConnection(big().sctpMaxPacketSize(1191).build());
             PeerConnection b = new PeerConnection(big().sctpMaxPacketSize(1191).build())) {
            DataChannel[] ends = channelPair(a, b, "fixed");
            BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            assertEquals(0, a.sctpMaxPlpmtu(), "no discovery");
            long data0 = dataPacketsSent(a);
            sendAndCheck(ends[0], q, new Random(seed), 300);
            long data = dataPacketsSent(a) - data0;
            assertTrue(data >= MIB / 1191, data + " DATA packets for 1 MiB at 1191 bytes");
            assertEquals(1191, a.sctpPathMtu());
            assertEquals(1191, b.sctpPathMtu());
        }
    }

    @Test
    void aCapBelowTheRuleIsTheMaximum() throws Exception {
        try (PeerConnection a = new PeerConnection(big().sctpMaxPacketSize(4000).build());
             PeerConnection b = new PeerConnection(big().build())) {
            DataChannel[] ends = channelPair(a, b, "capped");
            BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            assertEquals(4000, a.sctpMaxPlpmtu());
            assertEquals(PathMtu.BROWSER_SAFE, b.sctpMaxPlpmtu(), "the other peer's own, automatic maximum");
            sendAndCheck(ends[0], q, new Random(1), 10);
            assertEquals(4000, awaitPathMtu(a, 4000));
        }
    }

    /**
     * An ICE restart moves DTLS and SCTP to a new agent with new sockets (a new path): the connection
     * restarts discovery with that path's maximum, and the PLPMTU reaches it again.
     */
    @Test
    void anIceRestartRestartsDiscovery() throws Exception {
        List<int[]> restarts = new CopyOnWriteArrayList<>();
        SctpPort.Factory recording = (p, clock) -> new Recording(SctpAssociationPort.FACTORY.create(p, clock), restarts);
        int expected = PathMtu.BROWSER_SAFE;
        try (PeerConnection a = new PeerConnection(big().build(), recording);
             PeerConnection b = new PeerConnection(big().build())) {
            DataChannel[] ends = channelPair(a, b, "restart");
            BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            assertEquals(expected, awaitPathMtu(a, expected));
            assertEquals(List.of(), restarts, "no restart while the path stays");
            a.restartIce();
            exchange(a, b);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (restarts.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, restarts.size(), "one restart of discovery, for the new path");
            assertEquals(expected, restarts.get(0)[0], "the new path's MAX_PLPMTU");
            sendAndCheck(ends[0], q, new Random(2), 50);
            assertEquals(expected, awaitPathMtu(a, expected), "the PLPMTU rose again on the new path");
        }
    }

    /** Sends 1 MiB and {@code small} messages of 1..1000 bytes and checks that all arrive in order, intact. */
    private static void sendAndCheck(DataChannel ch, BlockingQueue<DataChannelMessage> q, Random rnd, int small)
            throws Exception {
        byte[] big = new byte[MIB];
        rnd.nextBytes(big);
        byte[][] smalls = new byte[small][];
        for (int i = 0; i < small; i++) {
            smalls[i] = new byte[1 + rnd.nextInt(1000)];
            rnd.nextBytes(smalls[i]);
        }
        ch.send(ByteBuffer.wrap(big));
        for (byte[] s : smalls) {
            ch.send(ByteBuffer.wrap(s));
        }
        assertArrayEquals(big, PeerConnectionLoopbackTest.take(q).bytes(), "the 1 MiB message");
        for (int i = 0; i < small; i++) {
            assertArrayEquals(smalls[i], PeerConnectionLoopbackTest.take(q).bytes(), "small message " + i);
        }
    }

    /** Waits (bounded by T) until the PLPMTU is {@code want}; returns the last value read. */
    static int awaitPathMtu(PeerConnection pc, int want) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        int v = pc.sctpPathMtu();
        while (v != want && System.nanoTime() < deadline) {
            Thread.sleep(10);
            v = pc.sctpPathMtu();
        }
        return v;
    }

    private static long dataPacketsSent(PeerConnection pc) throws ReflectiveOperationException {
        return (long) PacketArrayReuseLoopbackTest.call(PacketArrayReuseLoopbackTest.association(pc), "dataPacketsSent");
    }

    /** Delegates to a real association and records each restart of discovery ({max}). */
    private static final class Recording extends ForwardingSctpPort {
        private final List<int[]> restarts;

        Recording(SctpPort d, List<int[]> restarts) {
            super(d);
            this.restarts = restarts;
        }

        @Override
        public void restartPathMtuDiscovery(int maxPlpmtu, long nowMs) {
            restarts.add(new int[] {maxPlpmtu});
            delegate.restartPathMtuDiscovery(maxPlpmtu, nowMs);
        }
    }
}
