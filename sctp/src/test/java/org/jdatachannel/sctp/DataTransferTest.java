package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** RFC 9260 §6: DATA, SACK, fragmentation, ordering, retransmission under loss. */
class DataTransferTest {
    private static final Logger LOG = LoggerFactory.getLogger(DataTransferTest.class);

    static SctpOptions opts() {
        return SctpOptions.builder().maxSendMessageSize(262144).maxReceiveMessageSize(262144).build();
    }

    /** What one side sent, to check what the other received. */
    static final class Expect {
        final Map<Integer, List<byte[]>> ordered = new HashMap<>();
        final Map<String, Integer> unordered = new HashMap<>();
        int total;

        void sent(int stream, byte[] p, boolean unord) {
            total++;
            if (unord) {
                unordered.merge(stream + ":" + java.util.Arrays.hashCode(p) + ":" + p.length, 1, Integer::sum);
            } else {
                ordered.computeIfAbsent(stream, k -> new ArrayList<>()).add(p);
            }
        }

        void check(List<SctpOutput.MessageReceived> got) {
            assertEquals(total, got.size(), "message count");
            Map<Integer, Integer> idx = new HashMap<>();
            Map<String, Integer> unord = new HashMap<>(unordered);
            for (SctpOutput.MessageReceived m : got) {
                if (m.unordered()) {
                    String k = m.streamId() + ":" + java.util.Arrays.hashCode(m.payload()) + ":" + m.payload().length;
                    Integer n = unord.get(k);
                    assertTrue(n != null && n > 0, "unexpected unordered message " + k);
                    unord.put(k, n - 1);
                } else {
                    int i = idx.merge(m.streamId(), 1, Integer::sum) - 1;
                    List<byte[]> l = ordered.get(m.streamId());
                    assertTrue(l != null && i < l.size(), "extra message on stream " + m.streamId());
                    assertArrayEquals(l.get(i), m.payload(), "stream " + m.streamId() + " message " + i);
                }
            }
        }
    }

    static byte[] payload(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @Test
    void messagesOfManySizesInOrderOnSeveralStreams() {
        NetSim sim = new NetSim(21, opts(), opts());
        assertTrue(sim.connect(false));
        int[] sizes = {1, 2, 3, 100, 1163, 1164, 1165, 4000, 65535, 65536, 100_000, 262144};
        Random r = new Random(21);
        Expect ea = new Expect();
        Expect eb = new Expect();
        for (int round = 0; round < 2; round++) {
            for (int s = 0; s < 4; s++) {
                for (int size : sizes) {
                    byte[] p = payload(r, size);
                    sim.a.assoc.send(s, 53, p, SendOptions.RELIABLE_ORDERED, sim.now);
                    ea.sent(s, p, false);
                    byte[] q = payload(r, size);
                    sim.b.assoc.send(s + 100, 51, q, SendOptions.RELIABLE_ORDERED, sim.now);
                    eb.sent(s + 100, q, false);
                }
            }
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == ea.total && sim.a.messages.size() == eb.total,
                sim.now + 120_000));
        ea.check(sim.b.messages);
        eb.check(sim.a.messages);
        assertEquals(53, sim.b.messages.get(0).ppid());
        sim.runFor(1000);
        assertTrue(sim.a.assoc.isIdle(), "idle association has no timer but the heartbeat");
    }

    @Test
    void unorderedMessagesAreDelivered() {
        NetSim sim = new NetSim(22, opts(), opts());
        sim.jitterMs = 20; // reorders packets
        assertTrue(sim.connect(false));
        Random r = new Random(22);
        Expect e = new Expect();
        for (int i = 0; i < 300; i++) {
            byte[] p = payload(r, 1 + r.nextInt(5000));
            sim.a.assoc.send(i % 3, 57, p, SendOptions.RELIABLE_UNORDERED, sim.now);
            e.sent(i % 3, p, true);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == e.total, sim.now + 60_000));
        e.check(sim.b.messages);
        assertTrue(sim.b.messages.stream().allMatch(SctpOutput.MessageReceived::unordered));
    }

    @Test
    void smallMessagesAreBundled() {
        NetSim sim = new NetSim(23, opts(), opts());
        assertTrue(sim.connect(false));
        long before = sim.a.packetsSent;
        // queue before any can be sent: send() flushes at once, so block the window with a zero-length
        // trick is not possible; instead queue many while the peer's window is still fresh and count
        for (int i = 0; i < 100; i++) {
            sim.a.assoc.send(1, 51, new byte[10], SendOptions.RELIABLE_ORDERED, sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 100, sim.now + 10_000));
        assertTrue(sim.a.packetsSent - before <= 101);
    }

    static void lossy(long seed, double loss, double dup, long jitter, int count, int maxSize) {
        LOG.info("lossy transfer seed={} loss={} dup={} jitter={}", seed, loss, dup, jitter);
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(262144).maxReceiveMessageSize(262144)
                .minRtoMs(100).initialRtoMs(200).build();
        NetSim sim = new NetSim(seed, o, o);
        sim.mtu = 1191;
        assertTrue(sim.connect(true));
        sim.loss = loss;
        sim.duplicate = dup;
        sim.jitterMs = jitter;
        Random r = new Random(seed);
        Expect ea = new Expect();
        Expect eb = new Expect();
        for (int i = 0; i < count; i++) {
            boolean unord = r.nextInt(4) == 0;
            int size = 1 + r.nextInt(r.nextInt(10) == 0 ? maxSize : 3000);
            byte[] p = payload(r, size);
            int stream = r.nextInt(5);
            SendOptions so = unord ? SendOptions.RELIABLE_UNORDERED : SendOptions.RELIABLE_ORDERED;
            if (i % 2 == 0) {
                sim.a.assoc.send(stream, 53, p, so, sim.now);
                ea.sent(stream, p, unord);
            } else {
                sim.b.assoc.send(stream, 53, p, so, sim.now);
                eb.sent(stream, p, unord);
            }
            if (i % 20 == 0) {
                sim.runFor(5);
            }
        }
        boolean done = sim.runUntil(() -> sim.b.messages.size() >= ea.total && sim.a.messages.size() >= eb.total,
                sim.now + 600_000);
        assertTrue(done, "seed " + seed + ": B got " + sim.b.messages.size() + "/" + ea.total + ", A got "
                + sim.a.messages.size() + "/" + eb.total + ", closed " + sim.a.closed + " " + sim.b.closed);
        ea.check(sim.b.messages);
        eb.check(sim.a.messages);
        sim.runFor(2000);
        assertEquals(ea.total, sim.b.messages.size(), "nothing delivered twice");
        assertNull(sim.a.closed);
        assertNull(sim.b.closed);
    }

    @Test
    void onePercentLossWithReorderingAndDuplication() {
        lossy(31, 0.01, 0.01, 15, 600, 100_000);
    }

    @Test
    void tenPercentLossWithReorderingAndDuplication() {
        lossy(32, 0.10, 0.05, 30, 300, 50_000);
    }

    @Test
    void randomSeedLossyTransfer() {
        long seed = System.nanoTime();
        LOG.info("randomSeedLossyTransfer seed={}", seed); // re-run with this seed to reproduce
        lossy(seed, 0.05, 0.02, 25, 200, 30_000);
    }

    @Test
    void sixteenMebibytesFinishWithASaneRate() {
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(65536).build();
        NetSim sim = new NetSim(41, o, o);
        sim.mtu = 1191;
        sim.delayMs = 10; // 20 ms RTT
        assertTrue(sim.connect(false));
        final int total = 16 * 1024 * 1024;
        final int msg = 65536;
        long[] sentBytes = {0};
        long[] received = {0};
        sim.b.listener = out -> {
            if (out instanceof SctpOutput.MessageReceived m) {
                received[0] += m.payload().length;
            }
        };
        Runnable pump = () -> {
            while (sentBytes[0] < total && sim.a.assoc.bufferedAmount(0) < 4L * msg) {
                byte[] p = new byte[msg];
                p[0] = (byte) (sentBytes[0] / msg);
                sim.a.assoc.send(0, 53, p, SendOptions.RELIABLE_ORDERED, sim.now);
                sentBytes[0] += msg;
            }
        };
        sim.a.assoc.setBufferedAmountLowThreshold(0, 2L * msg);
        sim.a.listener = out -> {
            if (out instanceof SctpOutput.BufferedAmountLow) {
                pump.run();
            }
        };
        long start = sim.now;
        long wallStart = System.nanoTime();
        pump.run();
        assertTrue(sim.runUntil(() -> received[0] == total, sim.now + 120_000), "received " + received[0]);
        long ms = sim.now - start;
        double mbps = total / 1e6 / (ms / 1000.0);
        LOG.info("16 MiB in {} ms virtual ({} MB/s), {} ms wall, {} packets", ms, String.format("%.1f", mbps),
                (System.nanoTime() - wallStart) / 1_000_000, sim.a.packetsSent);
        assertTrue(mbps > 10, "rate " + mbps + " MB/s");
        for (int i = 0; i < sim.b.messages.size(); i++) {
            assertEquals((byte) i, sim.b.messages.get(i).payload()[0]);
        }
    }

    @Test
    void fastRetransmitRepairsALossBeforeTheRtoFires() {
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(262144).minRtoMs(1000).build();
        NetSim sim = new NetSim(45, o, o);
        assertTrue(sim.connect(false));
        boolean[] dropped = {false};
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && bytes.length > 1000 && sim.a.packetsSent > 20 && !dropped[0]) {
                dropped[0] = true;
                return true;
            }
            return false;
        };
        long start = sim.now;
        for (int i = 0; i < 10; i++) {
            sim.a.assoc.send(0, 53, new byte[20_000], SendOptions.RELIABLE_ORDERED, sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 10, sim.now + 60_000));
        assertTrue(dropped[0]);
        assertTrue(sim.now - start < 1000, "repaired by fast retransmit in " + (sim.now - start) + " ms, RTO is 1000");
    }

    @Test
    void handshakeAndTransferBothConnectingUnderHeavyLoss() {
        for (long seed = 100; seed < 110; seed++) {
            NetSim sim = new NetSim(seed, opts(), opts());
            sim.loss = 0.2; // with RTO backoff, 0.3 can legitimately need more than Max.Init.Retransmits
            sim.jitterMs = 30;
            sim.a.assoc.connect(0);
            sim.b.assoc.connect(0);
            assertTrue(sim.runUntil(() -> sim.a.connected && sim.b.connected, 600_000), "seed " + seed + " "
                    + sim.a.assoc.state() + " " + sim.b.assoc.state() + " " + sim.a.closed + " " + sim.b.closed + " t=" + sim.now);
            for (int i = 0; i < 20; i++) {
                sim.a.assoc.send(i % 2, 53, new byte[] {(byte) i}, SendOptions.RELIABLE_ORDERED, sim.now);
            }
            final NetSim fs = sim;
            assertTrue(sim.runUntil(() -> fs.b.messages.size() == 20, sim.now + 300_000), "seed " + seed);
            assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
        }
    }

    @Test
    void aLoneMessageIsAcknowledgedWithoutDelayedAckWait() {
        NetSim sim = new NetSim(46, opts(), opts());
        assertTrue(sim.connect(false));
        long start = sim.now;
        sim.a.assoc.send(0, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        // the chunk carries the I bit (RFC 7053), so B answers at once instead of after 200 ms
        assertTrue(sim.runUntil(() -> sim.a.assoc.isIdle(), sim.now + 1000));
        assertEquals(2 * sim.delayMs, sim.now - start);
    }

    @Test
    void bufferedAmountAndLowEvent() {
        NetSim sim = new NetSim(42, opts(), opts());
        assertTrue(sim.connect(false));
        // Fill beyond the congestion window so that bytes stay queued.
        sim.a.assoc.setBufferedAmountLowThreshold(3, 1000);
        for (int i = 0; i < 10; i++) {
            sim.a.assoc.send(3, 53, new byte[100_000], SendOptions.RELIABLE_ORDERED, sim.now);
        }
        long queued = sim.a.assoc.bufferedAmount(3);
        assertTrue(queued > 900_000 && queued < 1_000_000, "initial cwnd sends some at once: " + queued);
        assertEquals(0, sim.a.assoc.bufferedAmount(4));
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 10, sim.now + 60_000));
        assertEquals(0, sim.a.assoc.bufferedAmount(3));
        assertEquals(1, sim.a.events.stream().filter(e -> e instanceof SctpOutput.BufferedAmountLow l
                && l.streamId() == 3).count());
    }

    @Test
    void sendArgumentAndStateErrors() {
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(1000).maxSendBufferSize(5000).build();
        NetSim sim = new NetSim(43, o, o);
        Association a = sim.a.assoc;
        assertThrows(IllegalArgumentException.class, () -> a.send(0, 51, new byte[0], SendOptions.RELIABLE_ORDERED, 0));
        assertThrows(IllegalArgumentException.class, () -> a.send(0, 51, new byte[1001], SendOptions.RELIABLE_ORDERED, 0));
        assertThrows(IllegalArgumentException.class, () -> a.send(-1, 51, new byte[1], SendOptions.RELIABLE_ORDERED, 0));
        assertThrows(IllegalArgumentException.class, () -> a.send(65536, 51, new byte[1], SendOptions.RELIABLE_ORDERED, 0));
        assertThrows(IllegalArgumentException.class, () -> new SendOptions(false, -2, -1));
        // queued before connect: allowed, bounded
        for (int i = 0; i < 5; i++) {
            a.send(0, 51, new byte[1000], SendOptions.RELIABLE_ORDERED, 0);
        }
        IllegalStateException full = assertThrows(IllegalStateException.class,
                () -> a.send(0, 51, new byte[1], SendOptions.RELIABLE_ORDERED, 0));
        assertTrue(full.getMessage().contains("send queue full"));
        assertTrue(sim.connect(false));
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 5, sim.now + 10_000), "queued data sent after connect");
        a.abort("bye", sim.now);
        assertThrows(IllegalStateException.class, () -> a.send(0, 51, new byte[1], SendOptions.RELIABLE_ORDERED, 0));
        sim.runFor(100);
        assertTrue(sim.b.closed.aborted());
        assertTrue(sim.b.closed.reason().contains("bye"), sim.b.closed.reason());
    }

    @Test
    void oversizedIncomingMessageAborts() {
        SctpOptions big = SctpOptions.builder().maxSendMessageSize(200_000).build();
        SctpOptions small = SctpOptions.builder().maxReceiveMessageSize(100_000).build();
        NetSim sim = new NetSim(44, big, small);
        assertTrue(sim.connect(false));
        sim.a.assoc.send(0, 51, new byte[150_000], SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.a.closed != null && sim.b.closed != null, sim.now + 10_000));
        assertTrue(sim.a.closed.aborted() && sim.b.closed.aborted());
        assertTrue(sim.b.messages.isEmpty());
    }
}
