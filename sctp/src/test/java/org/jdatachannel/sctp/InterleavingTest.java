package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.chunk.UserDataChunk;
import org.jdatachannel.sctp.packet.parameter.SupportedExtensionsParameter;
import org.jdatachannel.sctp.sim.GilbertElliott;
import org.jdatachannel.sctp.sim.Link;
import org.jdatachannel.sctp.sim.MessageLedger;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** RFC 8260 user message interleaving (I-DATA, I-FORWARD-TSN) between two associations on the simulator. */
class InterleavingTest {
    /** System property overriding the seed of the randomized robustness tests. */
    static final String SEED_PROPERTY = "sctp.seed";
    /** Their default seed, fixed so that a failure repeats. */
    static final long DEFAULT_SEED = 0x5c7b_1d47L;

    private static final Logger LOG = LoggerFactory.getLogger(InterleavingTest.class);
    private static final int MIB = 1024 * 1024;

    static SctpOptions opts(boolean interleaving) {
        return SctpOptions.builder().enableMessageInterleaving(interleaving).maxSendMessageSize(2 * MIB)
                .maxReceiveMessageSize(2 * MIB).receiveWindow(4 * MIB).maxSendBufferSize(64L * MIB).build();
    }

    static SctpPacket parse(byte[] b) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(b), true);
        } catch (PacketParseException e) {
            throw new AssertionError(e);
        }
    }

    /** Records every chunk each side puts on the wire (before loss). */
    static final class Wire {
        final List<Chunk> fromA = new ArrayList<>();
        final List<Chunk> fromB = new ArrayList<>();

        Wire(NetSim sim) {
            var drop = sim.dropFilter;
            sim.dropFilter = (p, bytes) -> {
                (p == sim.a ? fromA : fromB).addAll(parse(bytes).chunks());
                return drop.test(p, bytes);
            };
        }

        long count(List<Chunk> l, Class<?> type) {
            return l.stream().filter(type::isInstance).count();
        }
    }

    @Test
    void negotiatedOnlyWhenBothSidesOfferIt() {
        for (boolean a : new boolean[] {false, true}) {
            for (boolean b : new boolean[] {false, true}) {
                NetSim sim = new NetSim(71, opts(a), opts(b));
                Wire w = new Wire(sim);
                assertTrue(sim.connect(true));
                // Supported Extensions lists I-DATA (64) and I-FORWARD-TSN (194) only when enabled
                for (Chunk c : w.fromA) {
                    List<?> params = c instanceof InitChunk i ? i.parameters() : c instanceof InitAckChunk ia ? ia.parameters() : null;
                    if (params != null) {
                        SupportedExtensionsParameter se = params.stream().filter(SupportedExtensionsParameter.class::isInstance)
                                .map(SupportedExtensionsParameter.class::cast).findFirst().orElseThrow();
                        assertEquals(a, se.supports(IDataChunk.TYPE), "A offers I-DATA");
                        assertEquals(a, se.supports(IForwardTsnChunk.TYPE), "A offers I-FORWARD-TSN");
                        assertEquals(a ? "SupportedExtensions(0x82,0xc0,0x40,0xc2)" : "SupportedExtensions(0x82,0xc0)",
                                se.toString());
                    }
                }
                Random r = new Random(71);
                DataTransferTest.Expect ea = new DataTransferTest.Expect();
                DataTransferTest.Expect eb = new DataTransferTest.Expect();
                for (int i = 0; i < 20; i++) {
                    byte[] p = DataTransferTest.payload(r, 1 + r.nextInt(5000));
                    boolean unord = i % 3 == 0;
                    sim.a.assoc.send(i % 4, 51, p, unord ? SendOptions.RELIABLE_UNORDERED : SendOptions.RELIABLE_ORDERED, sim.now);
                    eb.sent(i % 4, p, unord);
                    byte[] q = DataTransferTest.payload(r, 1 + r.nextInt(5000));
                    sim.b.assoc.send(i % 3, 53, q, SendOptions.RELIABLE_ORDERED, sim.now);
                    ea.sent(i % 3, q, false);
                }
                sim.runFor(5_000);
                eb.check(sim.b.messages);
                ea.check(sim.a.messages);
                boolean both = a && b;
                // RFC 8260 §2.2.1: I-DATA for all user messages when negotiated, DATA otherwise
                assertEquals(both, w.count(w.fromA, IDataChunk.class) > 0, a + "/" + b);
                assertEquals(!both, w.count(w.fromA, DataChunk.class) > 0, a + "/" + b);
                assertEquals(both, w.count(w.fromB, IDataChunk.class) > 0, a + "/" + b);
                assertEquals(!both, w.count(w.fromB, DataChunk.class) > 0, a + "/" + b);
                assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
            }
        }
    }

    @Test
    void iDataFieldsOnTheWire() {
        NetSim sim = new NetSim(72, opts(true), opts(true));
        Wire w = new Wire(sim);
        assertTrue(sim.connect(false));
        byte[] big = DataTransferTest.payload(new Random(72), 5000);
        sim.a.assoc.send(3, 53, big, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.send(3, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.send(3, 51, new byte[] {2}, SendOptions.RELIABLE_UNORDERED, sim.now);
        sim.a.assoc.send(3, 51, new byte[] {3}, SendOptions.RELIABLE_UNORDERED, sim.now);
        sim.runFor(2_000);
        List<IDataChunk> d = w.fromA.stream().filter(IDataChunk.class::isInstance).map(IDataChunk.class::cast).toList();
        assertEquals(8, d.size(), d.toString()); // 5000 bytes in 5 fragments of <= 1151 bytes, then 3 single ones
        for (int i = 0; i < 5; i++) {
            IDataChunk c = d.get(i);
            assertEquals(0, c.mid().value(), "one MID for all fragments");
            assertEquals(i, c.fsn(), "FSN counts fragments from 0");
            assertEquals(i == 0, c.beginning());
            assertEquals(i == 4, c.end());
            // PPID only in the first fragment (the field holds the FSN elsewhere)
            assertEquals(i == 0 ? 53 : 0, c.ppid().value());
            assertTrue(c.payload().length <= 1191 - 12 - 20);
        }
        assertEquals(1, d.get(5).mid().value(), "second ordered message");
        assertEquals(0, d.get(6).mid().value(), "unordered MIDs count separately from 0");
        assertTrue(d.get(6).unordered());
        assertEquals(1, d.get(7).mid().value());
        assertEquals(4, sim.b.messages.size());
        assertArrayEquals(big, sim.b.messages.get(0).payload());
        assertEquals(53, sim.b.messages.get(0).ppid());
    }

    /**
     * The point of RFC 8260: a 1 MiB message on one stream does not hold back small messages on
     * another. With interleaving the small ones arrive long before the big one completes and within a
     * few RTTs of being sent; without it they queue behind the whole big message.
     */
    @Test
    void largeMessageDoesNotBlockOtherStreams() {
        long[] smallLatency = new long[2];
        for (boolean on : new boolean[] {true, false}) {
            NetSim sim = new NetSim(73, opts(on), opts(on));
            sim.delayMs = 25; // RTT 50 ms
            assertTrue(sim.connect(false));
            byte[] big = DataTransferTest.payload(new Random(73), MIB);
            sim.a.assoc.send(1, 53, big, SendOptions.RELIABLE_ORDERED, sim.now);
            sim.runFor(20); // the big message is on its way
            long sentAt = sim.now;
            for (int i = 0; i < 10; i++) {
                sim.a.assoc.send(2, 51, new byte[] {(byte) i}, SendOptions.RELIABLE_ORDERED, sim.now);
            }
            Map<Integer, Long> deliveredAt = new HashMap<>();
            List<Integer> order = new ArrayList<>();
            sim.b.listener = o -> {
                if (o instanceof SctpOutput.MessageReceived m) {
                    order.add(m.streamId());
                    deliveredAt.merge(m.streamId(), sim.now, Math::max);
                }
            };
            assertTrue(sim.runUntil(() -> sim.b.messages.size() == 11, sim.now + 60_000));
            assertArrayEquals(big, sim.b.messages.stream().filter(m -> m.streamId() == 1).findFirst().orElseThrow().payload());
            for (int i = 0; i < 10; i++) {
                SctpOutput.MessageReceived m = sim.b.messages.stream().filter(x -> x.streamId() == 2).toList().get(i);
                assertEquals(i, m.payload()[0], "stream 2 in order");
            }
            long small = deliveredAt.get(2) - sentAt;
            long bigDone = deliveredAt.get(1) - sentAt;
            LOG.info("interleaving {}: small messages after {} ms, the 1 MiB message after {} ms (virtual)", on, small,
                    bigDone);
            smallLatency[on ? 0 : 1] = small;
            if (on) {
                assertEquals(2, order.get(0), "with I-DATA the small messages come first: " + order);
                assertEquals(1, order.get(10));
                assertTrue(small <= 4 * 50, "small messages within a few RTTs, took " + small + " ms");
                assertTrue(bigDone > 2 * small);
            } else {
                assertEquals(1, order.get(0), "with DATA the whole big message goes first: " + order);
            }
        }
        assertTrue(smallLatency[0] * 3 < smallLatency[1], "interleaving " + smallLatency[0] + " ms vs " + smallLatency[1]);
    }

    @Test
    void reliableTransferUnderLossReorderingAndDuplication() {
        for (double loss : new double[] {0.01, 0.05, 0.10, 0.30}) {
            long seed = 7400 + (long) (loss * 100);
            boolean il = true;
            NetSim sim = new NetSim(seed, opts(il), opts(il));
            Wire w = new Wire(sim);
            assertTrue(sim.connect(true));
            sim.loss = loss;
            sim.jitterMs = 15;
            sim.duplicate = 0.05;
            Random r = new Random(seed);
            DataTransferTest.Expect eb = new DataTransferTest.Expect();
            // at 30 % loss the sender is slow (RTO backoff), so less data keeps the test short
            int count = loss >= 0.3 ? 40 : 150;
            for (int i = 0; i < count; i++) {
                int size = i % 10 == 0 ? (loss >= 0.3 ? 5000 : 20_000 + r.nextInt(60_000)) : 1 + r.nextInt(3000);
                byte[] p = DataTransferTest.payload(r, size);
                boolean unord = r.nextInt(4) == 0;
                int stream = r.nextInt(5);
                sim.a.assoc.send(stream, 53, p, unord ? SendOptions.RELIABLE_UNORDERED : SendOptions.RELIABLE_ORDERED,
                        sim.now);
                eb.sent(stream, p, unord);
            }
            assertTrue(sim.runUntil(() -> sim.b.messages.size() >= count, sim.now + 600_000),
                    "loss " + loss + ": " + sim.b.messages.size() + " delivered; " + sim.a.assoc.debugState());
            sim.runFor(2_000);
            eb.check(sim.b.messages); // exactly once, in order per stream, byte-identical
            assertEquals(il, w.count(w.fromA, IDataChunk.class) > 0);
            assertEquals(!il, w.count(w.fromA, DataChunk.class) > 0);
            assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
            assertEquals(null, sim.a.closed);
        }
    }

    /**
     * The impaired network of {@link LossMatrixTest} (delay, jitter, reordering, duplication, a
     * bandwidth limit) with 5 % random or bursty (Gilbert-Elliott) loss, I-DATA both ways, ordered and
     * unordered messages of 1 B .. 256 KiB on several streams: every message exactly once, in order
     * per ordered stream, byte-identical (SHA-256 ledger).
     */
    @Test
    void randomAndBurstyLossWithLedger() {
        GilbertElliott ge = GilbertElliott.ofMeanLoss(0.05, 8, 0.5);
        for (GilbertElliott burst : new GilbertElliott[] {null, ge}) {
            SctpOptions o = SctpOptions.builder().enableMessageInterleaving(true).zeroChecksumOverDtls(true)
                    .maxSendMessageSize(LossMatrixTest.MAX_MESSAGE).maxReceiveMessageSize(LossMatrixTest.MAX_MESSAGE).build();
            NetSim sim = new NetSim(79 + (burst == null ? 0 : 1), o, o);
            Wire w = new Wire(sim);
            assertTrue(sim.connect(true));
            LossMatrixTest.impair(sim, burst == null ? 0.05 : 0, burst);
            MessageLedger toB = new MessageLedger(sim.seed);
            MessageLedger toA = new MessageLedger(~sim.seed);
            toB.receiveAt(sim.b);
            toA.receiveAt(sim.a);
            long start = sim.now;
            for (int i = 0; i < 120; i++) {
                SendOptions so = i % 3 == 0 ? SendOptions.RELIABLE_UNORDERED : SendOptions.RELIABLE_ORDERED;
                byte[] p = toB.payload(toB.logUniformSize(1, LossMatrixTest.MAX_MESSAGE));
                sim.a.assoc.send(i % 4, 53, p, so, sim.now);
                toB.sent(i % 4, p, so);
                if (i % 3 == 0) {
                    byte[] q = toA.payload(toA.logUniformSize(1, 64 * 1024));
                    sim.b.assoc.send(1 + i % 2, 51, q, so, sim.now);
                    toA.sent(1 + i % 2, q, so);
                }
                if (i % 16 == 0) {
                    sim.runFor(10);
                }
            }
            boolean done = sim.runUntil(() -> toB.receivedCount() >= toB.sentCount() && toA.receivedCount() >= toA.sentCount()
                    || sim.a.closed != null || sim.b.closed != null, start + 600_000);
            assertTrue(done, "stalled, seed " + sim.seed + ": " + sim.a.assoc.debugState() + "\n" + sim.stats());
            sim.runFor(5_000);
            assertNull(toB.checkComplete(), "A->B, seed " + sim.seed);
            assertNull(toA.checkComplete(), "B->A, seed " + sim.seed);
            assertEquals(toB.sentCount(), toB.receivedCount());
            assertEquals(toA.sentCount(), toA.receivedCount());
            assertTrue(sim.ab.dropped(Link.Drop.RANDOM) + sim.ab.dropped(Link.Drop.BURST) > 0, "the link lost packets");
            assertTrue(sim.ab.duplicated() > 0 && sim.ab.reordered() > 0);
            assertEquals(0, w.count(w.fromA, DataChunk.class) + w.count(w.fromB, DataChunk.class), "I-DATA only");
            assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
            LOG.info("I-DATA {} loss: {} + {} messages in {} ms virtual", burst == null ? "random 5 %" : "bursty 5 %",
                    toB.sentCount(), toA.sentCount(), sim.now - start);
        }
    }

    /**
     * RFC 8260 §2.3.1 with RFC 3758 limits: messages abandoned after 0 retransmissions are announced
     * with I-FORWARD-TSN; nothing is delivered twice, out of order or partially, and the receiver keeps
     * going (the reliable messages sent afterwards all arrive).
     */
    @Test
    void partialReliabilityUsesIForwardTsn() {
        long seed = 75;
        boolean il = true;
        NetSim sim = new NetSim(seed, opts(il), opts(il));
        Wire w = new Wire(sim);
        assertTrue(sim.connect(false));
        sim.loss = 0.10;
        sim.jitterMs = 5;
        Random r = new Random(seed);
        Map<String, byte[]> sent = new HashMap<>();
        int n = 300;
        for (int i = 0; i < n; i++) {
            int size = 4 + (i % 7 == 0 ? 5000 + r.nextInt(20_000) : r.nextInt(800));
            byte[] p = DataTransferTest.payload(r, size);
            int stream = i % 3;
            boolean unord = stream == 2;
            ByteBuffer.wrap(p).putInt(i); // index in front, to check identity
            sent.put(stream + ":" + i, p);
            SendOptions o = i % 4 == 0 ? new SendOptions(unord, 0, -1) : new SendOptions(unord, -1, 50);
            sim.a.assoc.send(stream, 53, p, o, sim.now);
            if (i % 10 == 0) {
                sim.runFor(5);
            }
        }
        sim.loss = 0;
        for (int i = 0; i < 3; i++) {
            sim.a.assoc.send(i, 51, new byte[] {9}, new SendOptions(i == 2, -1, -1), sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.stream().filter(m -> m.ppid() == 51).count() == 3, sim.now + 120_000),
                sim.a.assoc.debugState() + " / " + sim.b.assoc.debugState() + " delivered " + sim.b.messages.size()
                + " closed " + sim.a.closed + sim.b.closed);
        Map<Integer, Integer> lastIndex = new HashMap<>();
        Set<String> seen = new HashSet<>();
        int delivered = 0;
        for (SctpOutput.MessageReceived m : sim.b.messages) {
            if (m.ppid() == 51) {
                continue;
            }
            int idx = ByteBuffer.wrap(m.payload()).getInt();
            String key = m.streamId() + ":" + idx;
            assertTrue(seen.add(key), "delivered twice: " + key);
            assertArrayEquals(sent.get(key), m.payload(), "whole and byte-identical: " + key);
            if (!m.unordered()) {
                Integer prev = lastIndex.put(m.streamId(), idx);
                assertTrue(prev == null || prev < idx, "out of order on stream " + m.streamId() + ": " + prev + " then " + idx);
            }
            delivered++;
        }
        LOG.info("partial reliability with I-DATA: {} of {} delivered, {} I-FORWARD-TSN sent", delivered, n,
                w.count(w.fromA, IForwardTsnChunk.class));
        assertTrue(delivered < n, "some messages were abandoned at 10 % loss");
        assertTrue(delivered > n / 10);
        assertTrue(w.count(w.fromA, IForwardTsnChunk.class) > 0);
        assertEquals(0, w.count(w.fromA, ForwardTsnChunk.class), "FORWARD TSN must not be used with I-DATA");
        assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
    }

    @Test
    void streamResetRestartsMidsAtZero() {
        NetSim sim = new NetSim(76, opts(true), opts(true));
        Wire w = new Wire(sim);
        assertTrue(sim.connect(false));
        for (int i = 0; i < 3; i++) {
            sim.a.assoc.send(1, 51, new byte[] {(byte) i}, SendOptions.RELIABLE_ORDERED, sim.now);
            sim.a.assoc.send(1, 51, new byte[] {(byte) (10 + i)}, SendOptions.RELIABLE_UNORDERED, sim.now);
        }
        sim.a.assoc.send(1, 51, new byte[3000], SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.resetStreams(new int[] {1}, sim.now);
        assertTrue(sim.runUntil(() -> StreamResetTest.count(sim.a, SctpOutput.OutgoingStreamsReset.class) == 1,
                sim.now + 10_000));
        w.fromA.clear();
        sim.a.assoc.send(1, 51, new byte[] {20}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.send(1, 51, new byte[] {21}, SendOptions.RELIABLE_UNORDERED, sim.now);
        sim.a.assoc.send(1, 51, new byte[] {22}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.runFor(2_000);
        List<IDataChunk> after = w.fromA.stream().filter(IDataChunk.class::isInstance).map(IDataChunk.class::cast).toList();
        assertEquals(3, after.size());
        // RFC 8260 §2.3.2: both MID counters restart at 0 after the reset
        assertEquals(0, after.get(0).mid().value());
        assertEquals(0, after.get(1).mid().value());
        assertEquals(1, after.get(2).mid().value());
        List<SctpOutput.MessageReceived> got = sim.b.messages;
        assertEquals(10, got.size());
        assertEquals(22, got.get(9).payload()[0], "the receiver's expected MID restarted too");
    }

    /** RFC 8260 §2.2.3 / §2.3.1: the wrong user-data or forward chunk type aborts with Protocol Violation. */
    @Test
    void mismatchedChunkTypesAbort() {
        record Case(boolean negotiated, Chunk bad) {
        }
        List<Case> cases = List.of(
                new Case(true, new DataChunk(0, 1, 0, 51, new byte[] {1}, false, true, true)),
                new Case(false, new IDataChunk(0, 1, 0, 0, 51, new byte[] {1}, false, true, true)),
                new Case(true, new ForwardTsnChunk(0, List.of())),
                new Case(false, new IForwardTsnChunk(0, List.of())));
        for (Case c : cases) {
            NetSim sim = new NetSim(77, opts(c.negotiated), opts(c.negotiated));
            List<byte[]> toA = new ArrayList<>();
            sim.dropFilter = (p, bytes) -> {
                if (p == sim.b) {
                    toA.add(bytes);
                }
                return false;
            };
            assertTrue(sim.connect(false));
            SctpPacket fromB = parse(toA.get(toA.size() - 1));
            int tag = fromB.verificationTag().value();
            Chunk bad = c.bad;
            if (bad instanceof UserDataChunk) {
                // a TSN the receiver expects next, so nothing but the chunk type is wrong
                bad = bad instanceof DataChunk d
                        ? new DataChunk(firstTsnFromB(sim), 1, 0, 51, d.payload(), false, true, true)
                        : new IDataChunk(firstTsnFromB(sim), 1, 0, 0, 51, new byte[] {1}, false, true, true);
            }
            byte[] pkt = new SctpPacket(5000, 5000, tag, List.of(bad)).serialize();
            sim.a.assoc.handleInput(ByteBuffer.wrap(pkt), sim.now);
            sim.drain();
            assertNotNull(sim.a.closed, c.toString());
            assertTrue(sim.a.closed.aborted());
            assertTrue(sim.a.closed.reason().contains("RFC 8260"), sim.a.closed.reason());
            sim.runFor(1000);
            assertNotNull(sim.b.closed, "the peer got the ABORT");
            assertTrue(sim.b.closed.reason().contains("negotiated"), sim.b.closed.reason());
            assertFalse(sim.a.messages.stream().anyMatch(m -> m.streamId() == 1));
        }
    }

    /**
     * A peer opening ever more partial messages (one 1-byte first fragment per stream and MID, all in
     * TSN order so the receive window cannot drop them) hits the receive-buffer bound and is aborted,
     * instead of growing our memory by the bookkeeping of each.
     */
    @Test
    void floodOfPartialMessagesIsBounded() {
        SctpOptions o = SctpOptions.builder().enableMessageInterleaving(true).build(); // 1 MiB window
        NetSim sim = new NetSim(78, o, o);
        List<byte[]> toA = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.b) {
                toA.add(bytes);
            }
            return false;
        };
        assertTrue(sim.connect(false));
        int tag = parse(toA.get(toA.size() - 1)).verificationTag().value();
        int tsn = firstTsnFromB(sim);
        int packets = 0;
        for (int mid = 0; sim.a.closed == null && packets < 5000; mid++) {
            List<Chunk> chunks = new ArrayList<>();
            for (int s = 0; s < 45; s++) {
                chunks.add(new IDataChunk(tsn++, s, mid, 0, 51, new byte[] {1}, false, true, false));
            }
            sim.a.assoc.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, tag, chunks).serialize()), sim.now);
            sim.drain();
            packets++;
        }
        assertNotNull(sim.a.closed, "aborted after " + packets + " packets");
        assertTrue(sim.a.closed.aborted());
        // 1 MiB window: about 2 MiB / 65 bytes of bookkeeping per partial message, not millions
        assertTrue(packets * 45 < 40_000, packets * 45 + " partial messages held before the abort");
        assertEquals(0, sim.a.assoc.internalErrorCount());
    }

    /**
     * Robustness of the I-DATA receive path: a peer sending random I-DATA (TSNs around the expected
     * one, random streams, MIDs, FSNs and flags, duplicates) and random I-FORWARD-TSN never causes an
     * internal error; the association stays up or ends with an ABORT.
     */
    @Test
    void randomIDataAndIForwardTsnNeverCrash() {
        // fixed by default, so a failure repeats; -Dsctp.seed=N explores other inputs
        long seed = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
        LOG.info("randomIDataAndIForwardTsnNeverCrash seed {} (-D{}=N to change)", seed, SEED_PROPERTY);
        Random r = new Random(seed);
        int runs = 0;
        int aborted = 0;
        while (runs < 6) {
            runs++;
            SctpOptions o = SctpOptions.builder().enableMessageInterleaving(true).maxReceiveMessageSize(64 * 1024).build();
            ForgedFromB forged = new ForgedFromB(r.nextLong(), o);
            NetSim sim = forged.sim;
            int n = 0;
            for (; n < 1500 && sim.a.closed == null; n++) {
                List<Chunk> chunks = new ArrayList<>();
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    if (r.nextInt(12) == 0) {
                        List<IForwardTsnChunk.SkippedMessage> sk = new ArrayList<>();
                        for (int j = r.nextInt(4); j > 0; j--) {
                            sk.add(new IForwardTsnChunk.SkippedMessage(r.nextInt(8), r.nextBoolean(),
                                    r.nextInt(10) == 0 ? r.nextInt() : r.nextInt(30)));
                        }
                        chunks.add(new IForwardTsnChunk(forged.base + r.nextInt(40) - 10, sk));
                    } else {
                        boolean b = r.nextInt(3) == 0;
                        byte[] data = new byte[r.nextInt(3000) == 0 ? 0 : 1 + r.nextInt(600)];
                        chunks.add(new IDataChunk(new org.jdatachannel.sctp.packet.Tsn(forged.base + r.nextInt(60) - 10),
                                new org.jdatachannel.sctp.packet.StreamId(r.nextInt(8)),
                                new org.jdatachannel.sctp.packet.Mid(r.nextInt(10) == 0 ? r.nextInt() : r.nextInt(30)),
                                b ? 0 : (r.nextInt(10) == 0 ? r.nextInt() : r.nextInt(8)),
                                new org.jdatachannel.sctp.packet.Ppid(51), data, r.nextBoolean(), b, r.nextInt(3) == 0,
                                r.nextBoolean()));
                    }
                }
                forged.inject(chunks, r);
                assertEquals(0, sim.a.assoc.internalErrorCount(), "seed " + seed);
            }
            if (sim.a.closed != null) {
                aborted++;
                assertTrue(sim.a.closed.aborted(), "seed " + seed + ": " + sim.a.closed);
            }
            LOG.info("run {}: {} packets, {} messages delivered, {}", runs, n, sim.a.messages.size(),
                    sim.a.closed == null ? "still established" : sim.a.closed.reason());
        }
        LOG.info("random I-DATA: {} runs, {} ended by ABORT (e.g. empty I-DATA)", runs, aborted);
    }

    /**
     * The DATA / FORWARD TSN form of {@link #randomIDataAndIForwardTsnNeverCrash}: random DATA around
     * the expected TSN and FORWARD TSN chunks with many, repeated and far-reaching skip entries (SSNs
     * anywhere in the 16-bit space, the same stream listed hundreds of times, stream ids beyond the
     * negotiated inbound streams) never cause an internal error, and what the receiver holds stays
     * bounded: per-stream state for at most the inbound streams, reassembly within the window.
     */
    @Test
    void randomDataAndForwardTsnWithManyRepeatedSkipsNeverCrash() {
        long seed = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
        LOG.info("randomDataAndForwardTsnWithManyRepeatedSkipsNeverCrash seed {} (-D{}=N to change)", seed,
                SEED_PROPERTY);
        Random r = new Random(seed);
        int inbound = 16;
        for (int run = 1; run <= 4; run++) {
            SctpOptions o = SctpOptions.builder().maxReceiveMessageSize(64 * 1024).inboundStreams(inbound).build();
            ForgedFromB forged = new ForgedFromB(r.nextLong(), o);
            NetSim sim = forged.sim;
            int n = 0;
            for (; n < 800 && sim.a.closed == null; n++) {
                List<Chunk> chunks = new ArrayList<>();
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    if (r.nextInt(6) == 0) {
                        List<ForwardTsnChunk.SkippedStream> sk = new ArrayList<>();
                        int entries = r.nextInt(4) == 0 ? 100 + r.nextInt(200) : r.nextInt(6);
                        int stream = r.nextInt(inbound);
                        for (int j = 0; j < entries; j++) {
                            int sid = r.nextInt(5) == 0 ? r.nextInt(65536) : r.nextInt(3) == 0 ? stream : r.nextInt(inbound);
                            int ssn = r.nextInt(3) == 0 ? r.nextInt(65536) : (j % 2 == 0 ? 32767 : 65535) - r.nextInt(3);
                            sk.add(new ForwardTsnChunk.SkippedStream(sid, r.nextInt(4) == 0 ? r.nextInt(20) : ssn));
                        }
                        chunks.add(new ForwardTsnChunk(forged.base + r.nextInt(40) - 10, sk));
                    } else {
                        boolean b = r.nextInt(3) == 0;
                        boolean e = r.nextInt(3) == 0;
                        chunks.add(new DataChunk(forged.base + r.nextInt(60) - 10, r.nextInt(inbound + 2), r.nextInt(30), 51,
                                new byte[1 + r.nextInt(600)], r.nextInt(4) == 0, b, e));
                    }
                }
                forged.inject(chunks, r);
                assertEquals(0, sim.a.assoc.internalErrorCount(), "seed " + seed);
                assertTrue(sim.a.assoc.receiveStreamStates() <= inbound,
                        "seed " + seed + ": stream states " + sim.a.assoc.receiveStreamStates());
                AssociationProbe.Footprint f = AssociationProbe.footprint(sim.a.assoc);
                assertTrue(f.reassemblyBytes() <= 2L * o.receiveWindow(), "seed " + seed + ": " + f);
            }
            if (sim.a.closed != null) {
                assertTrue(sim.a.closed.aborted(), "seed " + seed + ": " + sim.a.closed);
            }
            LOG.info("run {}: {} packets, {} messages delivered, {}", run, n, sim.a.messages.size(),
                    sim.a.closed == null ? "still established" : sim.a.closed.reason());
        }
    }

    /**
     * A established with B, and packets forged as B's: B's verification tag and, in {@link #base},
     * the TSN B would use next (drifting forward as a real sender's window would).
     */
    private static final class ForgedFromB {
        final NetSim sim;
        final int tag;
        int base;

        ForgedFromB(long seed, SctpOptions o) {
            sim = new NetSim(seed, o, o);
            List<byte[]> toA = new ArrayList<>();
            sim.dropFilter = (p, bytes) -> {
                if (p == sim.b) {
                    toA.add(bytes);
                }
                return false;
            };
            assertTrue(sim.connect(false));
            tag = parse(toA.get(toA.size() - 1)).verificationTag().value();
            base = firstTsnFromB(sim);
        }

        /** Moves the window on now and then, hands A the chunks as one packet, lets 0-2 ms pass. */
        void inject(List<Chunk> chunks, Random r) {
            if (r.nextInt(4) == 0) {
                base += r.nextInt(8);
            }
            byte[] pkt = new SctpPacket(5000, 5000, tag, chunks).serialize(false);
            sim.a.assoc.handleInput(ByteBuffer.wrap(pkt), sim.now);
            sim.drain();
            sim.now += r.nextInt(3);
            if (sim.a.assoc.pollTimeout() <= sim.now) {
                sim.a.assoc.handleTimeout(sim.now);
                sim.drain();
            }
        }
    }

    /** B's initial TSN, i.e. the TSN of the first user-data chunk B would send. */
    private static int firstTsnFromB(NetSim sim) {
        int[] tsn = new int[1];
        List<byte[]> seen = new ArrayList<>();
        var f = sim.dropFilter;
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.b) {
                seen.add(bytes);
            }
            return true; // never delivered
        };
        sim.b.assoc.send(5, 51, new byte[] {7}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.drain();
        sim.dropFilter = f;
        for (byte[] b : seen) {
            for (Chunk c : parse(b).chunks()) {
                if (c instanceof UserDataChunk d) {
                    tsn[0] = d.tsn().value();
                }
            }
        }
        return tsn[0];
    }
}
