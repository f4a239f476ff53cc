package org.jdatachannel.sctp.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.UserDataChunk;
import org.junit.jupiter.api.Test;

/**
 * OutstandingData's congestion control and loss recovery against RFC 9260 §7.2.1-§7.2.4 and §6.3.3,
 * and its FORWARD TSN policy (RFC 3758 §3.5), on hand-made SACKs.
 */
class CongestionControlTest {
    private static final int MTU = 1188;
    private static final int BIG = 1 << 20;
    private static final int INITIAL_TSN = 1000;

    private final SendQueue q = new SendQueue(1 << 24);

    private List<UserDataChunk> send(OutstandingData o, int n, long now) {
        List<UserDataChunk> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            q.add(0, 51, new byte[1000], false, -1, Long.MAX_VALUE);
            l.add(o.add(q.next(1000, now, id -> { }), now, false));
        }
        return l;
    }

    /** A SACK with cumulative TSN {@code INITIAL_TSN + cumOffset} and gap blocks given as (start, end) pairs. */
    private static SackChunk sack(int cumOffset, int... gaps) {
        List<SackChunk.GapAckBlock> g = new ArrayList<>();
        for (int i = 0; i < gaps.length; i += 2) {
            g.add(new SackChunk.GapAckBlock(gaps[i], gaps[i + 1]));
        }
        return new SackChunk(INITIAL_TSN + cumOffset, BIG, g, new int[0]);
    }

    private static OutstandingData newSender(long peerRwnd) {
        return new OutstandingData(INITIAL_TSN, peerRwnd, MTU, new RetransmissionTimeout(1000, 100, 60000));
    }

    @Test
    void initialWindowIsTenMtusAndSsthreshThePeerWindow() {
        OutstandingData o = newSender(BIG);
        assertEquals(10L * MTU, o.cwnd(), "documented deviation: IW10");
        assertEquals(BIG, o.ssthresh(), "§7.2.1: ssthresh initially arbitrarily high (the peer's a_rwnd)");
    }

    @Test
    void slowStartGrowsByAtMostOneMtuPerSackOnlyWhenTheWindowIsFull() {
        OutstandingData o = newSender(BIG);
        long cwnd = o.cwnd();
        send(o, 12, 0); // 12000 bytes in flight >= cwnd 11880: fully utilised
        o.handleSack(sack(-1 + 3), 10); // 3000 bytes acked
        assertEquals(cwnd + MTU, o.cwnd(), "min(acked 3000, MTU)");
        cwnd = o.cwnd();
        o.handleSack(sack(-1 + 3, 2, 2), 11); // only a gap ack: cumulative ack not advanced
        assertEquals(cwnd, o.cwnd(), "§7.2.1: slow start needs a SACK advancing the cumulative ack");
        o.handleSack(sack(-1 + 12), 12); // flight was 8000 < cwnd - MTU: not fully used
        assertEquals(cwnd, o.cwnd(), "§7.2.1: no increase when cwnd was not fully utilised");
        assertEquals(0, o.bytesInFlight());
        send(o, 1, 20);
        o.handleSack(sack(12), 30);
        assertEquals(cwnd, o.cwnd(), "one chunk in flight: window not utilised");
    }

    @Test
    void slowStartIncreaseIsLimitedByTheAckedBytes() {
        OutstandingData o = newSender(BIG);
        long cwnd = o.cwnd();
        send(o, 12, 0);
        o.handleSack(new SackChunk(INITIAL_TSN, BIG, List.of(), new int[0]), 10); // 1000 bytes acked
        assertEquals(cwnd + 1000, o.cwnd());
    }

    @Test
    void congestionAvoidanceUsesPartialBytesAcked() {
        // ssthresh = max(peer a_rwnd, 4 MTU) = 4 MTU < cwnd 10 MTU: congestion avoidance from the start
        OutstandingData o = newSender(4L * MTU);
        assertEquals(4L * MTU, o.ssthresh());
        long cwnd = o.cwnd(); // 11880
        send(o, 24, 0); // flight 24000 >= cwnd
        o.handleSack(sack(-1 + 6), 10); // 6000 acked: pba 6000 < cwnd
        assertEquals(6000, o.partialBytesAcked());
        assertEquals(cwnd, o.cwnd());
        o.handleSack(sack(-1 + 12), 20); // pba 12000 >= cwnd, flight before (18000) >= cwnd
        assertEquals(cwnd + MTU, o.cwnd(), "§7.2.2: cwnd += MTU");
        assertEquals(12000 - cwnd, o.partialBytesAcked(), "§7.2.2: pba -= cwnd");
        cwnd = o.cwnd(); // 13068; offsets 12..23 (12000 bytes) in flight
        send(o, 1, 25); // offset 24: flight 13000 < cwnd
        o.handleSack(sack(14, 2, 4), 30); // offsets 12..14 by the cumulative ack, 16..18 by a gap block
        assertEquals(120 + 6000, o.partialBytesAcked(), "gap-acked bytes count too");
        send(o, 6, 35); // offsets 25..30: flight 13000
        o.handleSack(sack(29), 40); // offsets 15, 19..29: 12000 bytes; pba 18120 >= cwnd
        assertEquals(cwnd, o.cwnd(), "flight before (13000) < cwnd: no increase");
        assertEquals(cwnd, o.partialBytesAcked(), "§7.2.2: pba reset to cwnd when the window was not full");
        o.handleSack(sack(30), 50);
        assertEquals(0, o.partialBytesAcked(), "§7.2.2: all data acknowledged: pba = 0");
    }

    @Test
    void fastRetransmitOnThirdMissIndicationHalvesOnceAndEntersFastRecovery() {
        OutstandingData o = newSender(BIG);
        send(o, 12, 0); // TSN offsets 0..11
        long cwnd = o.cwnd();
        // TSN 0 lost; 1, 2, 3 arrive one by one: each SACK newly acks a TSN above it (HTNA)
        o.handleSack(sack(-1, 2, 2), 10);
        o.handleSack(sack(-1, 2, 2), 11); // a repeated SACK newly acks nothing: no miss indication
        o.handleSack(sack(-1, 2, 3), 12);
        assertFalse(o.hasPendingRetransmits(), "two miss indications only");
        o.handleSack(sack(-1, 2, 4), 13);
        assertTrue(o.hasPendingRetransmits(), "third miss indication");
        assertEquals(INITIAL_TSN, o.retransmitCandidates().get(0).chunk().tsn().value());
        assertEquals(1, o.retransmitCandidates().size());
        assertEquals(Math.max(cwnd / 2, 4L * MTU), o.cwnd(), "§7.2.3: cwnd = ssthresh = max(cwnd/2, 4 MTU)");
        assertEquals(o.cwnd(), o.ssthresh());
        assertTrue(o.inFastRecovery());
        assertTrue(o.takeFreeRetransmitPacket(), "§7.2.4 3): one packet regardless of cwnd");
        assertFalse(o.takeFreeRetransmitPacket(), "only one");
        assertEquals(1, o.fastRetransmitCount());
    }

    @Test
    void inFastRecoveryNoFurtherReductionAndMissesCountForAllReportedTsns() {
        OutstandingData o = newSender(BIG);
        send(o, 20, 0); // offsets 0..19, exit point will be offset 19
        o.handleSack(sack(-1, 2, 2), 10);
        o.handleSack(sack(-1, 2, 3), 11);
        o.handleSack(sack(-1, 2, 4), 12);
        assertTrue(o.inFastRecovery());
        assertTrue(o.takeFreeRetransmitPacket());
        long cwnd = o.cwnd();
        long ssthresh = o.ssthresh();
        o.retransmitted(o.retransmitCandidates().get(0), 13);
        // offset 0 repaired; offsets 5 and 9 lost: the cumulative ack advances to offset 4
        o.handleSack(sack(4, 2, 4), 20); // acks 6..8, offset 5 missing (miss 1)
        o.handleSack(sack(4, 2, 4), 21); // duplicate SACK, no progress: nothing counted
        o.handleSack(sack(4, 2, 4, 6, 6), 22); // acks 10: 5 and 9 missing below HTNA
        o.handleSack(sack(4, 2, 4, 6, 7), 23); // acks 11: 5 (miss 3) and 9 (miss 2)
        assertEquals(cwnd, o.cwnd(), "§7.2.4 6): no further cwnd reduction in Fast Recovery");
        assertEquals(ssthresh, o.ssthresh());
        List<OutstandingData.Item> c = o.retransmitCandidates();
        assertEquals(1, c.size());
        assertEquals(INITIAL_TSN + 5, c.get(0).chunk().tsn().value());
        assertFalse(o.takeFreeRetransmitPacket(), "§7.2.4 3) applies only when not in Fast Recovery");
        o.retransmitted(c.get(0), 24);
        // offset 9 has two miss indications. Offset 5 arrives: the cumulative ack moves to 8, which is
        // the only newly acknowledged TSN (HTNA 5 < 9). In Fast Recovery a SACK advancing the cumulative
        // ack counts every TSN reported missing: offset 9 (below the reported 10..11) gets its third.
        o.handleSack(sack(8, 2, 3), 30);
        assertEquals(List.of(INITIAL_TSN + 9), o.retransmitCandidates().stream().map(i -> i.chunk().tsn().value()).toList());
        assertEquals(cwnd, o.cwnd());
        assertTrue(o.inFastRecovery());
        o.handleSack(sack(19), 40);
        assertFalse(o.inFastRecovery(), "§7.2.4: exit once the exit point is acknowledged");
    }

    @Test
    void aLostRetransmissionIsDetectedOnlyBySacksForDataSentAfterIt() {
        OutstandingData o = newSender(BIG);
        send(o, 12, 0); // offsets 0..11
        for (int i = 2; i <= 4; i++) {
            o.handleSack(sack(-1, 2, i), 10 + i);
        }
        OutstandingData.Item first = o.retransmitCandidates().get(0);
        assertEquals(INITIAL_TSN, first.chunk().tsn().value());
        o.retransmitted(first, 20);
        long cwnd = o.cwnd();
        // SACKs for chunks sent before the retransmission (offsets 4..11): they say nothing about it
        for (int i = 5; i <= 12; i++) {
            o.handleSack(sack(-1, 2, i), 20 + i);
        }
        assertFalse(o.hasPendingRetransmits(), "acks of earlier-sent data are no miss indications for a retransmission");
        // new data sent after the retransmission is acknowledged while offset 0 is still missing:
        // the retransmission was lost (deviation from §7.2.4 5), as dcSCTP: no wait for T3-rtx)
        send(o, 3, 40); // offsets 12..14
        for (int i = 13; i <= 15; i++) {
            o.handleSack(sack(-1, 2, i), 40 + i);
        }
        assertEquals(List.of(INITIAL_TSN), o.retransmitCandidates().stream().map(it -> it.chunk().tsn().value()).toList());
        assertEquals(2, o.fastRetransmitCount());
        assertEquals(cwnd, o.cwnd(), "still in Fast Recovery: no second reduction");
        assertEquals(0, o.t3ExpiryCount());
    }

    @Test
    void t3ExpiryCollapsesTheWindowMarksEverythingAndGrantsOnePacket() {
        OutstandingData o = newSender(BIG);
        send(o, 6, 0);
        o.handleSack(sack(-1, 3, 3), 10); // offset 2 gap-acked: not retransmitted
        long cwnd = o.cwnd();
        o.handleT3Expiry();
        assertEquals(MTU, o.cwnd(), "E1: cwnd = 1 MTU");
        assertEquals(Math.max(cwnd / 2, 4L * MTU), o.ssthresh(), "E1: ssthresh = max(cwnd/2, 4 MTU)");
        assertEquals(5, o.retransmitCandidates().size(), "E3: all outstanding not acknowledged");
        assertEquals(0, o.bytesInFlight());
        assertTrue(o.takeFreeRetransmitPacket(), "E3: one packet of the earliest chunks");
        o.retransmitted(o.retransmitCandidates().get(0), 1000);
        assertFalse(o.canRetransmit(1000), "the rest as cwnd allows");
    }

    @Test
    void rttIsSampledFromTheHighestNewlyAckedChunkOncePerRoundTrip() {
        RetransmissionTimeout rto = new RetransmissionTimeout(1000, 1, 60000);
        OutstandingData o = new OutstandingData(INITIAL_TSN, BIG, MTU, rto);
        send(o, 1, 0);
        send(o, 1, 40);
        send(o, 1, 60);
        // offset 2 (sent at 60) is gap-acked at 100: sample 40 ms (not 100 from offset 0)
        o.handleSack(sack(0, 2, 2), 100);
        assertEquals(40, rto.srtt());
        // offset 1 newly acked at 110, sent before the sample was taken: no second sample this round trip
        o.handleSack(sack(2), 110);
        assertEquals(40, rto.srtt());
        send(o, 1, 120);
        o.handleSack(sack(3), 200); // sent after the last sample: 80 ms
        assertEquals(45, rto.srtt(), "7/8 * 40 + 1/8 * 80");
    }

    @Test
    void karnNoSampleFromRetransmittedChunks() {
        RetransmissionTimeout rto = new RetransmissionTimeout(1000, 1, 60000);
        OutstandingData o = new OutstandingData(INITIAL_TSN, BIG, MTU, rto);
        send(o, 1, 0);
        o.handleT3Expiry();
        o.retransmitted(o.retransmitCandidates().get(0), 2000);
        o.handleSack(sack(0), 2050);
        assertFalse(rto.hasMeasurement(), "§6.3.1 C5");
    }

    @Test
    void cwndDecaysAfterIdlePeriods() {
        RetransmissionTimeout rto = new RetransmissionTimeout(1000, 100, 60000);
        OutstandingData o = new OutstandingData(INITIAL_TSN, BIG, MTU, rto);
        send(o, 1, 0);
        o.handleSack(sack(0), 50); // RTO = 50 + 4 * 25 = 150
        assertEquals(150, rto.rto());
        long cwnd = o.cwnd();
        o.adjustAfterIdle(149);
        assertEquals(cwnd, o.cwnd(), "less than one RTO since the last transmission (at 0)");
        o.adjustAfterIdle(150); // one RTO
        assertEquals(Math.max(cwnd / 2, 4L * MTU), o.cwnd(), "§7.2.1: max(cwnd/2, 4 MTU) per RTO");
        o.adjustAfterIdle(150 + 10 * 150);
        assertEquals(4L * MTU, o.cwnd(), "never below 4 MTU");
    }

    @Test
    void maxBurstLimitsNewDataBeyondTheFlight() {
        OutstandingData o = newSender(BIG);
        send(o, 2, 0);
        o.limitBurst(4);
        int sent = 0;
        while (o.canSendNew(1000)) {
            send(o, 1, 1);
            sent++;
        }
        assertEquals(4, sent, "Max.Burst: at most 4 MTUs (6752 bytes over flight 2000) of new data");
        o.endBurst();
        assertTrue(o.canSendNew(1000), "cwnd (11880) still has room once the burst limit ends");
        o.limitBurst(0);
        assertTrue(o.canSendNew(1000), "0 disables the limit");
    }

    @Test
    void zeroWindowAllowsOneProbeWhenNothingIsInFlight() {
        OutstandingData o = newSender(0);
        assertTrue(o.canSendNew(1000), "§6.1 A: one DATA chunk in flight regardless of rwnd");
        send(o, 1, 0);
        assertFalse(o.canSendNew(1000));
        o.handleSack(new SackChunk(INITIAL_TSN, 0, List.of(), new int[0]), 10);
        assertTrue(o.canSendNew(1000), "next probe after the previous one was acknowledged");
        o.handleSack(new SackChunk(INITIAL_TSN, 0, List.of(), new int[0]), 11);
        send(o, 1, 20);
        o.handleSack(new SackChunk(INITIAL_TSN, 5000, List.of(), new int[0]), 30); // window opens, 1000 in flight
        assertEquals(4000, o.peerRwnd(), "§6.2.1 D ii): a_rwnd minus outstanding bytes");
        assertTrue(o.canSendNew(1000));
        assertFalse(o.canSendNew(4001));
    }

    @Test
    void forwardTsnIsDueOnNewAbandonmentOrWhenPresumedLostNotOnEverySack() {
        RetransmissionTimeout rto = new RetransmissionTimeout(1000, 100, 60000);
        OutstandingData o = new OutstandingData(INITIAL_TSN, BIG, MTU, rto);
        SendQueue.Message m = q.add(1, 51, new byte[100], false, 0, Long.MAX_VALUE);
        o.add(q.next(1000, 0, id -> { }), 0, false);
        send(o, 4, 0);
        o.handleSack(sack(-1, 2, 5), 100); // srtt 100
        assertFalse(o.forwardTsnDue(100));
        o.abandon(m);
        assertTrue(o.forwardTsnDue(100), "new Advanced.Peer.Ack.Point");
        ForwardTsnChunk f = (ForwardTsnChunk) o.createForwardTsn(100, false);
        assertNotNull(f);
        assertEquals(INITIAL_TSN, f.newCumulativeTsn().value());
        assertEquals(List.of(new ForwardTsnChunk.SkippedStream(1, 0)), f.skipped());
        assertFalse(o.forwardTsnDue(150), "SACKs sent before the peer saw it do not repeat it");
        assertTrue(o.forwardTsnDue(226), "not acknowledged after 1.25 SRTT: presumed lost");
        o.createForwardTsn(226, false);
        assertFalse(o.forwardTsnDue(227));
        o.handleT3Expiry();
        assertTrue(o.forwardTsnDue(228), "RFC 3758 §3.5 C5: again after T3-rtx");
        o.handleSack(sack(4), 300);
        assertFalse(o.forwardTsnDue(1000), "acknowledged");
        assertEquals(2, o.forwardTsnCount());
    }

    @Test
    void forwardTsnListsOnlyOrderedStreamsAndFitsTheMtu() {
        OutstandingData o = newSender(BIG);
        SendQueue.Message u = q.add(7, 51, new byte[10], true, 0, Long.MAX_VALUE);
        o.add(q.next(1000, 0, id -> { }), 0, false);
        o.abandon(u);
        assertEquals(List.of(), o.createForwardTsn().skipped(), "unordered streams have no SSN to skip");
        // 400 ordered streams abandoned: (MTU - 12 - 8) / 4 = 292 fit
        for (int s = 0; s < 400; s++) {
            SendQueue.Message m = q.add(100 + s, 51, new byte[10], false, 0, Long.MAX_VALUE);
            o.add(q.next(1000, 0, id -> { }), 0, false);
            o.abandon(m);
        }
        ForwardTsnChunk f = o.createForwardTsn();
        assertEquals(292, f.skipped().size());
        assertEquals(INITIAL_TSN + 292, f.newCumulativeTsn().value(), "point lowered to the last TSN that fits");
        assertTrue(f.serializedLength() + 12 <= MTU);
    }

    @Test
    void abandoningAFragmentedMessageAbandonsEveryFragment() {
        OutstandingData o = newSender(BIG);
        SendQueue.Message m = q.add(2, 51, new byte[5000], false, 1, Long.MAX_VALUE);
        for (int i = 0; i < 5; i++) {
            o.add(q.next(1000, 0, id -> { }), 0, false);
        }
        send(o, 1, 0); // another message after it
        o.handleSack(sack(-1, 2, 3), 10); // fragments 1, 2 acked by gap
        o.abandon(m);
        assertEquals(1000, o.bytesInFlight(), "only the other message is in flight");
        ForwardTsnChunk f = o.createForwardTsn();
        assertEquals(INITIAL_TSN + 4, f.newCumulativeTsn().value(), "over all five fragments, gap-acked ones too");
        assertFalse(o.hasPendingRetransmits());
    }

    @Test
    void expiredQueuedMessagesAreDroppedAndPartlySentOnesHandedBack() {
        for (boolean interleaving : new boolean[] {false, true}) {
            SendQueue sq = new SendQueue(1 << 20);
            sq.setInterleaving(interleaving);
            List<Integer> low = new ArrayList<>();
            sq.setLowThreshold(1, 0);
            SendQueue.Message partly = sq.add(1, 51, new byte[3000], false, -1, 100);
            sq.add(1, 51, new byte[500], false, -1, 100);
            sq.add(1, 51, new byte[700], false, -1, 300);
            sq.add(2, 51, new byte[10], false, -1, Long.MAX_VALUE);
            assertEquals(1000, sq.next(1000, 0, low::add).payload().length); // first fragment of "partly"
            List<SendQueue.Message> handedBack = new ArrayList<>();
            assertEquals(0, sq.discardExpired(99, low::add, handedBack::add), "nothing expired yet");
            assertEquals(2, sq.discardExpired(300, low::add, handedBack::add), "interleaving " + interleaving);
            assertEquals(List.of(partly), handedBack, "the partly sent one is the caller's to abandon whole");
            assertEquals(2000, sq.bufferedAmount(1), "3000 - 1000 sent; 500 and 700 dropped");
            assertTrue(sq.discardRest(partly, low::add));
            assertEquals(0, sq.bufferedAmount(1));
            assertEquals(List.of(1), low, "bufferedAmountLow once the stream drained");
            SendQueue.Fragment f = sq.next(1000, 300, low::add);
            assertEquals(2, f.streamId(), "the other stream still sends");
            assertTrue(sq.next(1000, 300, low::add) == null);
        }
    }

    /**
     * After Datagram PLPMTUD raised the MTU (setMtu 16000), a peer window of 8000 bytes is an open
     * window, not zero window probing: T3-rtx collapses cwnd (§6.3.3 E1) as for any loss. Below the MTU
     * given at construction (BASE_PLPMTU) it still counts as closed.
     */
    @Test
    void aWindowBelowALargerPlpmtuButAboveBaseIsNotAZeroWindow() {
        OutstandingData o = newSender(BIG);
        o.setMtu(16000);
        send(o, 4, 0);
        o.handleSack(new SackChunk(INITIAL_TSN, 8000, List.of(), new int[0]), 10);
        assertFalse(o.peerWindowClosed(), "8000 bytes of window with a 16000-byte PLPMTU and a 1188-byte base");
        long before = o.cwnd();
        assertTrue(before != 16000, "cwnd " + before);
        o.handleT3Expiry();
        assertEquals(16000, o.cwnd(), "E1: cwnd <- 1 (current) MTU; zero window probing would keep " + before);
        assertEquals(4L * 16000, o.ssthresh(), "§7.2.3: max(cwnd/2, 4*MTU)");

        OutstandingData z = newSender(BIG);
        z.setMtu(16000);
        send(z, 4, 0);
        z.handleSack(new SackChunk(INITIAL_TSN, MTU - 1, List.of(), new int[0]), 10);
        assertTrue(z.peerWindowClosed(), "below BASE_PLPMTU the window is closed");
        long cwnd = z.cwnd();
        z.handleT3Expiry();
        assertEquals(cwnd, z.cwnd(), "§6.1 A: zero window probing does not affect cwnd");
    }
}
