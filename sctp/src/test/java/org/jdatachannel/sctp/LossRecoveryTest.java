package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.sim.NetSim;
import org.jdatachannel.sctp.tx.OutstandingData;
import org.junit.jupiter.api.Test;

/**
 * Retransmission and congestion control of two associations on the seeded simulator: T3-rtx
 * backoff and Association.Max.Retrans (RFC 9260 §6.3.3, §8.1), fast retransmit (§7.2.4), Max.Burst
 * (§6.1 D), delayed SACK (§6.2).
 */
class LossRecoveryTest {

    static List<Chunk> chunks(byte[] packet) {
        return ShutdownAndPartialReliabilityTest.chunks(packet);
    }

    static boolean hasData(byte[] packet) {
        return chunks(packet).stream().anyMatch(c -> c instanceof DataChunk);
    }

    @Test
    void t3RtxBacksOffExponentiallyUpToRtoMaxThenMaxRetransAborts() {
        SctpOptions o = SctpOptions.builder().maxRtoMs(10_000).build();
        NetSim sim = new NetSim(301, o, o);
        assertTrue(sim.connect(false));
        List<Long> dataTimes = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && hasData(bytes)) {
                dataTimes.add(sim.now);
            }
            return p == sim.b; // the peer went silent
        };
        sim.a.assoc.send(0, 51, new byte[100], SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.a.closed != null, sim.now + 200_000));
        List<Long> intervals = new ArrayList<>();
        for (int i = 1; i < dataTimes.size(); i++) {
            intervals.add(dataTimes.get(i) - dataTimes.get(i - 1));
        }
        // RTO.Initial 1 s (no RTT measured yet), doubled per expiry (E2), capped at RTO.Max 10 s;
        // Association.Max.Retrans = 10 retransmissions, the 11th expiry ends the association
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 10000L, 10000L, 10000L, 10000L, 10000L, 10000L), intervals);
        assertTrue(sim.a.closed.aborted());
        assertTrue(sim.a.closed.reason().contains("retransmissions"), sim.a.closed.reason());
        assertEquals(dataTimes.get(dataTimes.size() - 1) + 10_000, sim.now, "closed at the 11th expiry");
    }

    @Test
    void anAcknowledgementResetsTheErrorCounter() {
        SctpOptions o = SctpOptions.builder().maxRtoMs(2_000).maxRetransmits(3).build();
        NetSim sim = new NetSim(302, o, o);
        assertTrue(sim.connect(false));
        long[] silentUntil = {0};
        sim.dropFilter = (p, bytes) -> p == sim.b && sim.now < silentUntil[0];
        for (int round = 0; round < 4; round++) {
            silentUntil[0] = sim.now + 2_500; // long enough for 2 expiries, fewer than Max.Retrans
            sim.a.assoc.send(0, 51, new byte[100], SendOptions.RELIABLE_ORDERED, sim.now);
            final int want = round + 1;
            assertTrue(sim.runUntil(() -> sim.b.messages.size() == want && !sim.a.assoc.outstandingData().hasOutstanding(),
                    sim.now + 20_000));
        }
        assertEquals(null, sim.a.closed, "expiries separated by acknowledgements never reach Max.Retrans");
    }

    @Test
    void aSingleLossIsRepairedByFastRetransmitWithoutWaitingForTheTimer() {
        NetSim sim = new NetSim(303);
        assertTrue(sim.connect(false));
        int[] dataPackets = {0};
        long[] droppedAt = {-1};
        int[] droppedTsn = {0};
        long[] repairedAt = {-1};
        sim.dropFilter = (p, bytes) -> {
            if (p != sim.a || !hasData(bytes)) {
                return false;
            }
            DataChunk d = (DataChunk) chunks(bytes).stream().filter(c -> c instanceof DataChunk).findFirst().get();
            if (droppedAt[0] >= 0 && d.tsn().value() == droppedTsn[0] && repairedAt[0] < 0) {
                repairedAt[0] = sim.now;
            }
            if (++dataPackets[0] == 5) {
                droppedAt[0] = sim.now;
                droppedTsn[0] = d.tsn().value();
                return true;
            }
            return false;
        };
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] m = new byte[1000];
            m[0] = (byte) i;
            m[999] = (byte) (i * 7);
            sent.add(m);
            sim.a.assoc.send(0, 51, m, SendOptions.RELIABLE_ORDERED, sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 100, sim.now + 10_000));
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(sent.get(i), sim.b.messages.get(i).payload(), "message " + i);
        }
        OutstandingData od = sim.a.assoc.outstandingData();
        assertEquals(1, od.fastRetransmitCount());
        assertEquals(1, od.retransmitCount());
        assertTrue(repairedAt[0] > droppedAt[0]);
        // three SACKs after the loss (~1 RTT of 20 ms), far below the 1 s RTO
        assertTrue(repairedAt[0] - droppedAt[0] < 100, "repaired after " + (repairedAt[0] - droppedAt[0]) + " ms");
    }

    /** Sends {@code n} messages of 1100 bytes, lets them all arrive, and returns B's last SACK (held back). */
    private static byte[] fillWindowAndHoldSacks(NetSim sim, int n) {
        List<byte[]> held = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.b) {
                held.add(bytes);
                return true;
            }
            return false;
        };
        for (int i = 0; i < n; i++) {
            sim.a.assoc.send(0, 51, new byte[1100], SendOptions.RELIABLE_ORDERED, sim.now);
        }
        sim.runFor(50);
        sim.dropFilter = (p, bytes) -> false;
        byte[] last = held.get(held.size() - 1);
        assertTrue(chunks(last).get(0) instanceof SackChunk);
        return last;
    }

    private static int dataPacketsAnsweringOnePacket(NetSim sim, byte[] packet) {
        sim.drain();
        sim.a.assoc.handleInput(ByteBuffer.wrap(packet), sim.now);
        int n = 0;
        for (SctpOutput o; (o = sim.a.assoc.pollOutput()) != null; ) {
            if (o instanceof SctpOutput.SendPacket p && hasData(p.packet())) {
                n++;
            }

        }
        return n;
    }

    @Test
    void maxBurstLimitsTheDataSentInAnswerToOneBigSack() {
        NetSim sim = new NetSim(304);
        assertTrue(sim.connect(false));
        byte[] sack = fillWindowAndHoldSacks(sim, 40);
        // the held SACK acknowledges the whole initial window (10 MTU): without a limit all of cwnd
        // (11 MTU now) would leave at once
        assertEquals(4, dataPacketsAnsweringOnePacket(sim, sack), "Max.Burst = 4 packets");

        SctpOptions noLimit = SctpOptions.builder().maxBurst(0).build();
        NetSim sim2 = new NetSim(304, noLimit, noLimit);
        assertTrue(sim2.connect(false));
        byte[] sack2 = fillWindowAndHoldSacks(sim2, 40);
        assertTrue(dataPacketsAnsweringOnePacket(sim2, sack2) >= 10, "without Max.Burst the whole window goes");
    }

    /** B's SACKs among its outputs after one call (outputs are drained into {@code sim}'s lists). */
    private static List<SackChunk> sacksFrom(Association b) {
        List<SackChunk> out = new ArrayList<>();
        for (SctpOutput o; (o = b.pollOutput()) != null; ) {
            if (o instanceof SctpOutput.SendPacket p) {
                for (Chunk c : chunks(p.packet())) {
                    if (c instanceof SackChunk sk) {
                        out.add(sk);
                    }
                }
            }
        }
        return out;
    }

    private static byte[] dataPacket(SctpPacket template, int tsn, int ssn) {
        DataChunk d = new DataChunk(tsn, 0, ssn, 51, new byte[] {1, 2, 3}, false, true, true);
        return new SctpPacket(template.sourcePort(), template.destinationPort(), template.verificationTag().value(),
                List.of(d)).serialize();
    }

    @Test
    void receiverDelaysSacksAtMost200MsAndAcksGapsAndDuplicatesAtOnce() throws Exception {
        NetSim sim = new NetSim(305);
        assertTrue(sim.connect(false));
        List<byte[]> captured = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && hasData(bytes)) {
                captured.add(bytes);
                return true;
            }
            return false;
        };
        sim.a.assoc.send(0, 51, new byte[3], SendOptions.RELIABLE_ORDERED, sim.now);
        sim.drain();
        SctpPacket template = SctpPacket.parse(ByteBuffer.wrap(captured.get(0)));
        int tsn = ((DataChunk) template.chunks().get(0)).tsn().value();
        Association b = sim.b.assoc;
        long t0 = sim.now;
        // one DATA packet without the I bit: no SACK yet, the delayed-ack timer runs for 200 ms
        b.handleInput(ByteBuffer.wrap(dataPacket(template, tsn, 0)), t0);
        assertEquals(List.of(), sacksFrom(b), "§6.2: the SACK may be delayed");
        assertEquals(t0 + 200, b.pollTimeout(), "§6.2: ... MUST NOT be delayed more than 200 ms (our default)");
        b.handleTimeout(t0 + 200);
        List<SackChunk> s = sacksFrom(b);
        assertEquals(1, s.size());
        assertEquals(tsn, s.get(0).cumulativeTsnAck().value());
        // a duplicate: SACK at once, reporting it
        b.handleInput(ByteBuffer.wrap(dataPacket(template, tsn, 0)), t0 + 300);
        s = sacksFrom(b);
        assertEquals(1, s.size(), "§6.2: duplicates are acknowledged immediately");
        assertArrayEquals(new int[] {tsn}, s.get(0).duplicateTsns());
        // a gap: SACK at once with a gap ack block
        b.handleInput(ByteBuffer.wrap(dataPacket(template, tsn + 2, 2)), t0 + 400);
        s = sacksFrom(b);
        assertEquals(1, s.size(), "§6.7: a gap is reported immediately");
        assertEquals(List.of(new SackChunk.GapAckBlock(2, 2)), s.get(0).gapAckBlocks());
        // two packets in a row: the second triggers the SACK
        b.handleInput(ByteBuffer.wrap(dataPacket(template, tsn + 3, 3)), t0 + 500);
        assertEquals(1, sacksFrom(b).size(), "still a gap: immediately");
        b.handleInput(ByteBuffer.wrap(dataPacket(template, tsn + 1, 1)), t0 + 600);
        s = sacksFrom(b);
        assertEquals(1, s.size(), "gap filled: immediately");
        assertEquals(tsn + 3, s.get(0).cumulativeTsnAck().value());
        b.handleInput(ByteBuffer.wrap(dataPacket(template, tsn + 4, 4)), t0 + 700);
        assertEquals(List.of(), sacksFrom(b));
        b.handleInput(ByteBuffer.wrap(dataPacket(template, tsn + 5, 5)), t0 + 701);
        assertEquals(1, sacksFrom(b).size(), "§6.2: at least every second packet");
    }

    /**
     * At 5 % loss each way lost retransmissions are common; they are detected by SACKs for later
     * data and repaired without waiting for T3-rtx (OutstandingData deviation from §7.2.4 5).
     */
    @Test
    void lostRetransmissionsAreRepairedWithoutTimeoutsAtFivePercentLoss() {
        NetSim sim = new NetSim(306);
        assertTrue(sim.connect(false));
        sim.both(l -> l.loss(0.05));
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] m = new byte[10_000];
            m[0] = (byte) i;
            m[9_999] = (byte) ~i;
            sent.add(m);
            sim.a.assoc.send(0, 51, m, SendOptions.RELIABLE_ORDERED, sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 100, sim.now + 60_000), sim.stats());
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(sent.get(i), sim.b.messages.get(i).payload(), "message " + i);
        }
        OutstandingData od = sim.a.assoc.outstandingData();
        assertTrue(od.fastRetransmitCount() > 20, "losses repaired by fast retransmit: " + od.fastRetransmitCount());
        assertTrue(od.retransmitCount() > od.fastRetransmitCount() * 95 / 100, "hardly anything left to T3-rtx");
        assertTrue(od.t3ExpiryCount() <= 1, "T3-rtx expiries: " + od.t3ExpiryCount());
    }
}
