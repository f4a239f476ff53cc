package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.sim.Filters;
import org.jdatachannel.sctp.sim.Link;
import org.jdatachannel.sctp.sim.MessageLedger;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Targeted network events built with the simulator's filters: SACKs lost for 2 s, one DATA chunk
 * lost once, an MTU drop below the association's packet size, and a slow link with a small queue.
 * Each checks complete, exactly-once, in-order delivery plus the specific recovery behaviour.
 */
class NetworkScenarioTest {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkScenarioTest.class);

    /** Payload bytes of a full DATA chunk at the default MTU: (1191 &amp; ~3) - 12 - 16. */
    private static final int FULL_CHUNK = 1160;

    /** Sends {@code count} ordered messages of 1 B .. {@code maxSize} on streams 0..2 from A to B. */
    private static MessageLedger sendMessages(NetSim sim, int count, int maxSize) {
        return sendMessages(sim, count, maxSize, 0);
    }

    /**
     * Sends {@code count} ordered messages on streams 0..2 from A to B: of 1 B .. {@code maxSize}
     * bytes, or if {@code fixedSize > 0} all of that size.
     */
    private static MessageLedger sendMessages(NetSim sim, int count, int maxSize, int fixedSize) {
        MessageLedger ledger = new MessageLedger(sim.seed);
        ledger.receiveAt(sim.b);
        for (int i = 0; i < count; i++) {
            byte[] p = ledger.payload(fixedSize > 0 ? fixedSize : ledger.logUniformSize(1, maxSize));
            sim.a.assoc.send(i % 3, 53, p, SendOptions.RELIABLE_ORDERED, sim.now);
            ledger.sent(i % 3, p, SendOptions.RELIABLE_ORDERED);
        }
        return ledger;
    }

    private static void assertDelivered(NetSim sim, MessageLedger ledger, long boundMs) {
        boolean done = sim.runUntil(() -> ledger.receivedCount() >= ledger.sentCount() || sim.a.closed != null,
                sim.now + boundMs);
        assertNull(sim.a.closed, "A closed, seed " + sim.seed);
        assertTrue(done, "stalled at " + ledger.receivedCount() + "/" + ledger.sentCount() + ", seed " + sim.seed + "; A "
                + sim.a.assoc.debugState() + "\n" + sim.stats());
        sim.runFor(2_000);
        assertNull(ledger.checkComplete(), "seed " + sim.seed);
        assertEquals(ledger.sentCount(), ledger.receivedCount(), "exactly once");
        assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
    }

    @Test
    void everySackLostForTwoSecondsIsSurvivedByT3Retransmissions() {
        NetSim sim = new NetSim(301, LossMatrixTest.options(), LossMatrixTest.options());
        sim.both(l -> l.delay(15));
        assertTrue(sim.connect(false));
        long t = sim.now + 100;
        // stripped rather than dropped, so SACKs bundled with anything else vanish too
        sim.ba.stripIf(Filters.chunksOf(SackChunk.class, t, t + 2_000));
        MessageLedger ledger = sendMessages(sim, 120, 60_000);
        sim.runFor(t + 2_000 - sim.now);
        long rtxDuringBlackout = sim.ab.dataRetransmissions();
        LOG.info("after the SACK blackout: {} retransmissions, {}/{} delivered\n{}", rtxDuringBlackout,
                ledger.receivedCount(), ledger.sentCount(), sim.stats());
        assertTrue(sim.ba.strippedChunks() > 0, "SACKs were removed");
        assertTrue(rtxDuringBlackout > 0, "without SACKs, T3-rtx retransmitted");
        assertDelivered(sim, ledger, 60_000);
    }

    @Test
    void oneLostDataChunkIsRepairedByFastRetransmitBeforeAnyTimeout() {
        // RTO.Min 1 s so that a T3-rtx repair would take at least 1 s; fast retransmit needs ~1 RTT
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(262144).minRtoMs(1000).initialRtoMs(1000).build();
        NetSim sim = new NetSim(302, o, o);
        sim.both(l -> l.delay(10));
        assertTrue(sim.connect(false));
        Map<Long, Integer> transmissions = new HashMap<>();
        List<Long> sentAt = new ArrayList<>();
        long[] firstTsn = {-1};
        sim.ab.dropIf(Filters.observe(p -> {
            for (DataChunk d : p.dataChunks()) {
                long tsn = d.tsn().value() & 0xffffffffL;
                if (firstTsn[0] < 0) {
                    firstTsn[0] = tsn;
                }
                transmissions.merge(tsn, 1, Integer::sum);
                if (tsn == firstTsn[0] + 39) {
                    sentAt.add(p.nowMs());
                }
            }
        }));
        // the 40th TSN A assigns, lost on its first transmission only (filters run in order: the
        // observer above sees it first)
        sim.ab.dropIf(Filters.newTsn(40, 1));
        long start = sim.now;
        // 30 messages of 8 full chunks: 240 TSNs, so the lost 40th has plenty of successors to be
        // reported missing three times
        MessageLedger ledger = sendMessages(sim, 30, 0, 8 * FULL_CHUNK);
        assertDelivered(sim, ledger, 60_000);
        assertEquals(1, sim.ab.dropped(Link.Drop.FILTER));
        long lost = firstTsn[0] + 39;
        assertEquals(2, sentAt.size(), "the lost chunk was sent twice: " + sentAt);
        long repair = sentAt.get(1) - sentAt.get(0);
        LOG.info("TSN +39 retransmitted after {} ms (RTT 20 ms, RTO 1000 ms)\n{}", repair, sim.stats());
        assertTrue(repair < 1000, "repaired by fast retransmit in " + repair + " ms, not by T3-rtx (RTO.Min 1000)");
        for (Map.Entry<Long, Integer> e : transmissions.entrySet()) {
            assertEquals(e.getKey() == lost ? 2 : 1, e.getValue(), "transmissions of TSN +" + (e.getKey() - firstTsn[0]));
        }
        assertEquals(1, sim.ab.dataRetransmissions(), "one retransmission in total");
        assertTrue(sim.now - start < 5_000);
    }

    @Test
    void mtuDropBelowThePacketSizeBacksOffT3ThenRecovers() {
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(262144).minRtoMs(200).initialRtoMs(200).build();
        NetSim sim = new NetSim(303, o, o);
        sim.both(l -> l.delay(10));
        assertTrue(sim.connect(false));
        // a path MTU change: for 3 s the link carries at most 1000-byte packets; the association's
        // full packets (1188 bytes) are dropped, small ones (SACKs) pass
        long from = sim.now + 50;
        long to = from + 3_000;
        Map<Long, List<Long>> sends = new HashMap<>();
        sim.ab.dropIf(Filters.observe(p -> {
            for (DataChunk d : p.dataChunks()) {
                sends.computeIfAbsent(d.tsn().value() & 0xffffffffL, k -> new ArrayList<>()).add(p.nowMs());
            }
        }));
        sim.ab.dropIf(Filters.between(from, to, p -> p.size() > 1000));
        // messages of whole chunks: every DATA packet is 1188 bytes and none gets through, so no SACK
        // (no RTT sample, no T3 restart) interferes with the backoff
        MessageLedger ledger = sendMessages(sim, 60, 0, 20 * FULL_CHUNK);
        sim.runFor(to - sim.now);
        assertNull(sim.a.closed, "the association survives a 3 s MTU drop (T3 backs off, stays below Max.Retrans)");
        assertDelivered(sim, ledger, 60_000);
        assertTrue(sim.ab.dropped(Link.Drop.FILTER) > 0);
        // T3-rtx backoff (RFC 9260 §6.3.3 E2: "RTO = RTO * 2"): the TSN retransmitted most often was
        // resent by T3-rtx at intervals that double. Intervals shorter than RTO.Min are fast
        // retransmissions before the drop began and are left out.
        List<Long> times = sends.values().stream().max((x, y) -> Integer.compare(x.size(), y.size())).orElseThrow();
        List<Long> t3Intervals = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            if (times.get(i) - times.get(i - 1) >= 200) {
                t3Intervals.add(times.get(i) - times.get(i - 1));
            }
        }
        LOG.info("most retransmitted TSN sent at {}, T3 intervals {}\n{}", times, t3Intervals, sim.stats());
        assertTrue(t3Intervals.size() >= 3, "T3-rtx fired at least 3 times during the drop: " + times);
        for (int i = 1; i < t3Intervals.size(); i++) {
            long prev = t3Intervals.get(i - 1);
            long gap = t3Intervals.get(i);
            assertTrue(gap >= 2 * prev - 2 && gap <= 2 * prev + 2, "interval " + gap + " ms after " + prev + " ms: " + times);
        }
    }

    @Test
    void aBlackoutOfEverythingFromAInBothDirectionsOfTrafficIsRidden() {
        NetSim sim = new NetSim(305, LossMatrixTest.options(), LossMatrixTest.options());
        sim.both(l -> l.delay(15).jitter(2));
        assertTrue(sim.connect(true));
        // B sends too, so SACKs ride on DATA both ways; then everything A sends is lost for 1.5 s
        MessageLedger toA = new MessageLedger(~sim.seed);
        toA.receiveAt(sim.a);
        for (int i = 0; i < 40; i++) {
            byte[] p = toA.payload(toA.logUniformSize(1, 50_000));
            sim.b.assoc.send(7, 51, p, SendOptions.RELIABLE_ORDERED, sim.now);
            toA.sent(7, p, SendOptions.RELIABLE_ORDERED);
        }
        long t1 = sim.now + 40;
        long t2 = t1 + 1_500;
        sim.ab.dropIf(Filters.between(t1, t2, Filters.all()));
        MessageLedger toB = sendMessages(sim, 80, 50_000);
        sim.runFor(t2 - sim.now);
        assertTrue(sim.ab.dropped(Link.Drop.FILTER) > 0, "A's packets were lost");
        assertNull(sim.a.closed);
        assertNull(sim.b.closed);
        assertTrue(sim.runUntil(() -> toA.receivedCount() >= toA.sentCount(), sim.now + 60_000), "B->A completes");
        assertDelivered(sim, toB, 60_000);
        assertNull(toA.checkComplete(), "seed " + sim.seed);
        assertEquals(toA.sentCount(), toA.receivedCount());
        LOG.info("blackout of A for 1.5 s\n{}", sim.stats());
    }

    @Test
    void slowLinkWithASmallQueueCompletesWithoutStalling() {
        NetSim sim = new NetSim(304, LossMatrixTest.options(), LossMatrixTest.options());
        // 2 Mbit/s, queue of 8 KB (about 7 full packets, far below the 1 MiB window): tail drops
        sim.both(l -> l.delay(20).bandwidth(2_000_000, 8_000));
        assertTrue(sim.connect(false));
        MessageLedger ledger = sendMessages(sim, 100, 100_000);
        long start = sim.now;
        assertDelivered(sim, ledger, 120_000);
        long bytes = ledger.sentBytes();
        double mbps = bytes * 8 / 1e6 / ((sim.now - 2_000 - start) / 1000.0);
        LOG.info("{} bytes over 2 Mbit/s: {} Mbit/s goodput\n{}", bytes, mbps, sim.stats());
        assertTrue(sim.ab.dropped(Link.Drop.QUEUE) > 0, "the small queue overflowed");
        assertTrue(sim.ab.maxQueuedBytes() <= 8_000);
    }
}
