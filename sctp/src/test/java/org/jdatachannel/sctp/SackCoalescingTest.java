package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.sim.MessageLedger;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SACK coalescing inside an input batch ({@link Association#beginInputBatch()}): RFC 9260 §6.2's
 * every-second-packet SACK becomes one SACK per batch, at most every
 * {@link SctpOptions#batchAckPackets()} (3) packets, while gaps, duplicates and filled gaps are
 * still acknowledged at once and a lone packet waits for the delayed-ack timer. Everything runs on
 * the virtual clock of the network simulator: the counts are deterministic.
 */
class SackCoalescingTest {
    private static final Logger LOG = LoggerFactory.getLogger(SackCoalescingTest.class);

    /** An established pair; A's DATA is captured (dropped on the link) so the test feeds B itself. */
    private static final class Fixture {
        final NetSim sim = new NetSim(611);
        final List<byte[]> captured = new ArrayList<>();
        final SctpPacket template;
        final int tsn;
        final Association b;

        Fixture() throws Exception {
            assertTrue(sim.connect(false));
            sim.dropFilter = (p, bytes) -> {
                if (p == sim.a && LossRecoveryTest.hasData(bytes)) {
                    captured.add(bytes);
                    return true;
                }
                return false;
            };
            sim.a.assoc.send(0, 51, new byte[3], SendOptions.RELIABLE_ORDERED, sim.now);
            sim.drain();
            template = SctpPacket.parse(ByteBuffer.wrap(captured.get(0)));
            tsn = ((DataChunk) template.chunks().get(0)).tsn().value();
            b = sim.b.assoc;
        }

        /** DATA packet number {@code i} (TSN tsn + i, SSN i). */
        ByteBuffer data(int i) {
            return data(i, false);
        }

        /** DATA packet number {@code i}, with the RFC 7053 I bit if {@code iBit}. */
        ByteBuffer data(int i, boolean iBit) {
            DataChunk d = new DataChunk(new org.jdatachannel.sctp.packet.Tsn(tsn + i),
                    new org.jdatachannel.sctp.packet.StreamId(0), new org.jdatachannel.sctp.packet.Ssn(i),
                    new org.jdatachannel.sctp.packet.Ppid(51), new byte[] {1, 2, 3}, false, true, true, iBit, 0, 3);
            return ByteBuffer.wrap(new SctpPacket(template.sourcePort(), template.destinationPort(),
                    template.verificationTag().value(), List.of(d)).serialize());
        }
    }

    /** B's SACKs among its pending outputs. */
    private static List<SackChunk> sacksFrom(Association b) {
        List<SackChunk> out = new ArrayList<>();
        for (SctpOutput o; (o = b.pollOutput()) != null; ) {
            if (o instanceof SctpOutput.SendPacket p) {
                for (Chunk c : LossRecoveryTest.chunks(p.packet())) {
                    if (c instanceof SackChunk sk) {
                        out.add(sk);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void eightPacketsInOneBatchGetThreeSacksInsteadOfFour() throws Exception {
        Fixture f = new Fixture();
        long now = f.sim.now;
        List<Integer> sackedAfter = new ArrayList<>();
        f.b.beginInputBatch();
        for (int i = 0; i < 8; i++) {
            f.b.handleInput(f.data(i), now);
            if (!sacksFrom(f.b).isEmpty()) {
                sackedAfter.add(i + 1);
            }
        }
        assertEquals(List.of(3, 6), sackedAfter, "inside the batch: a SACK after every third packet");
        f.b.endInputBatch(now);
        List<SackChunk> end = sacksFrom(f.b);
        assertEquals(1, end.size(), "the rest of the batch (two packets) is acknowledged at its end");
        assertEquals(f.tsn + 7, end.get(0).cumulativeTsnAck().value());
        assertTrue(f.b.isIdle(), "nothing left to acknowledge: no delayed-ack timer");

        // the same eight packets one by one (no batch): RFC 9260 §6.2, every second packet
        Fixture g = new Fixture();
        int sacks = 0;
        for (int i = 0; i < 8; i++) {
            g.b.handleInput(g.data(i), g.sim.now);
            sacks += sacksFrom(g.b).size();
        }
        assertEquals(4, sacks);
    }

    @Test
    void aLonePacketInABatchWaitsForTheDelayedAckTimer() throws Exception {
        Fixture f = new Fixture();
        long t0 = f.sim.now;
        f.b.beginInputBatch();
        f.b.handleInput(f.data(0), t0);
        f.b.endInputBatch(t0);
        assertEquals(List.of(), sacksFrom(f.b), "§6.2: one packet may wait");
        assertEquals(t0 + 200, f.b.pollTimeout(), "§6.2: at most 200 ms (our default)");
        f.b.handleTimeout(t0 + 200);
        assertEquals(1, sacksFrom(f.b).size());
    }

    @Test
    void theIBitInsideABatchIsAnsweredAtTheEndOfTheBatch() throws Exception {
        Fixture f = new Fixture();
        long now = f.sim.now;
        f.b.beginInputBatch();
        f.b.handleInput(f.data(0, true), now);
        assertEquals(List.of(), sacksFrom(f.b), "not in the middle of the batch");
        f.b.endInputBatch(now);
        assertEquals(1, sacksFrom(f.b).size(), "RFC 7053 §4.2: without delay, at the end of the batch");
        assertTrue(f.b.isIdle());
        // outside a batch: at once, as before
        f.b.handleInput(f.data(1, true), now);
        assertEquals(1, sacksFrom(f.b).size());
    }

    @Test
    void gapsAndDuplicatesInABatchAreAcknowledgedAtOnce() throws Exception {
        Fixture f = new Fixture();
        long now = f.sim.now;
        f.b.beginInputBatch();
        f.b.handleInput(f.data(0), now);
        assertEquals(List.of(), sacksFrom(f.b));
        f.b.handleInput(f.data(2), now);
        List<SackChunk> s = sacksFrom(f.b);
        assertEquals(1, s.size(), "§6.7: a gap is reported immediately, also inside a batch");
        assertEquals(List.of(new SackChunk.GapAckBlock(2, 2)), s.get(0).gapAckBlocks());
        f.b.handleInput(f.data(1), now);
        s = sacksFrom(f.b);
        assertEquals(1, s.size(), "the gap filled: immediately");
        assertEquals(f.tsn + 2, s.get(0).cumulativeTsnAck().value());
        f.b.handleInput(f.data(1), now);
        s = sacksFrom(f.b);
        assertEquals(1, s.size(), "§6.2: a packet with only duplicates MUST be acknowledged immediately");
        assertArrayEquals(new int[] {f.tsn + 1}, s.get(0).duplicateTsns());
        f.b.endInputBatch(now);
        assertEquals(List.of(), sacksFrom(f.b), "everything was acknowledged inside the batch");
    }

    /**
     * A bulk transfer over the simulator (10 ms one way, 100 Mbit/s, no loss): the SACK count per
     * DATA packet with batched delivery (every packet arriving in the same virtual millisecond is
     * one batch) against one packet per call.
     */
    @Test
    void aBatchedReceiverSendsAboutOneSackPerThreeDataPackets() {
        double perPacket = sacksPerDataPacket(false);
        double batched = sacksPerDataPacket(true);
        LOG.info("SACK packets per DATA packet: one packet per call {}, batched {}", perPacket, batched);
        assertTrue(perPacket >= 0.5, "every second packet: " + perPacket);
        // batches of 10-11 packets (100 Mbit/s, 1 ms clock): SACKs after the 3rd, 6th, 9th and at the end
        assertTrue(batched <= 0.36, "batched: one SACK per three packets and one per batch end: " + batched);
    }

    private static double sacksPerDataPacket(boolean batched) {
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(65536).build();
        NetSim sim = new NetSim(612, o, o);
        sim.batchArrivals = batched;
        assertTrue(sim.connect(false));
        sim.both(l -> l.delay(10).bandwidth(100_000_000, 4 << 20).mtu(o.mtu()).failOnOversize(true));
        MessageLedger toB = new MessageLedger(sim.seed);
        toB.receiveAt(sim.b);
        for (int i = 0; i < 64; i++) {
            byte[] p = toB.payload(65536);
            sim.a.assoc.send(0, 53, p, SendOptions.RELIABLE_ORDERED, sim.now);
            toB.sent(0, p, SendOptions.RELIABLE_ORDERED);
        }
        assertTrue(sim.runUntil(() -> toB.receivedCount() == 64, sim.now + 60_000), "all 64 messages");
        assertNull(toB.checkComplete());
        long data = sim.ab.packetsSent();
        long sacks = sim.ba.chunks(SackChunk.TYPE);
        assertEquals(0, sim.ab.dataRetransmissions());
        return (double) sacks / data;
    }

    /**
     * Loss recovery with batched delivery: the loss matrix's network (20 ms one way, 100 Mbit/s, jitter,
     * 2 % reordered, 2 % duplicated) with random loss; every message arrives exactly once, in order,
     * intact, both ways, within the same virtual-time bounds as one-packet-per-call delivery.
     */
    @ParameterizedTest(name = "{0} loss, unordered={1}")
    @CsvSource({"0.01, false, 702, 120000", "0.05, false, 703, 300000", "0.10, false, 704, 600000",
            "0.05, true, 713, 300000", "0.30, true, 715, 1800000"})
    void batchedReceiversStillRecoverFromLoss(double loss, boolean unordered, long seed, long boundMs) {
        LossMatrixTest.run(loss, null, unordered, seed, loss >= 0.3 ? 600_000 : 3_000_000, boundMs, true);
    }

    @Test
    void batchAckPacketsIsBounded() {
        assertEquals(3, SctpOptions.defaults().batchAckPackets());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SctpOptions.builder().batchAckPackets(1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SctpOptions.builder().batchAckPackets(65));
        assertEquals(2, SctpOptions.builder().batchAckPackets(2).build().batchAckPackets());
    }
}
