package org.jdatachannel.sctp.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.junit.jupiter.api.Test;

/** SendQueue (round robin, bufferedAmount) and OutstandingData (RFC 9260 §6.2.1, §6.3, §7.2). */
class SendSideTest {
    private static final int MTU = 1188;

    @Test
    void roundRobinAtMessageGranularity() {
        SendQueue q = new SendQueue(1 << 20);
        q.add(1, 51, new byte[2500], false, -1, Long.MAX_VALUE);
        q.add(1, 51, new byte[10], false, -1, Long.MAX_VALUE);
        q.add(2, 51, new byte[10], false, -1, Long.MAX_VALUE);
        List<String> order = new ArrayList<>();
        SendQueue.Fragment f;
        while ((f = q.next(1000, 0, id -> { })) != null) {
            order.add(f.streamId() + (f.beginning() ? "B" : "") + (f.end() ? "E" : "") + f.payload().length);
        }
        assertEquals(List.of("1B1000", "11000", "1E500", "2BE10", "1BE10"), order,
                "a big message is finished, then the other stream gets its turn");
        assertFalse(q.hasData());
    }

    @Test
    void bufferedAmountAndThreshold() {
        SendQueue q = new SendQueue(5000);
        List<Integer> low = new ArrayList<>();
        q.setLowThreshold(3, 1500);
        q.add(3, 51, new byte[3000], false, -1, Long.MAX_VALUE);
        assertEquals(3000, q.bufferedAmount(3));
        q.next(1000, 0, low::add);
        assertEquals(2000, q.bufferedAmount(3));
        assertEquals(List.of(), low);
        q.next(1000, 0, low::add);
        assertEquals(List.of(3), low, "crossed from above to at-or-below the threshold");
        q.next(1000, 0, low::add);
        assertEquals(List.of(3), low, "only once per crossing");
        assertThrows(IllegalStateException.class, () -> q.add(3, 51, new byte[5001], false, -1, 0));
        q.markResetPending(4);
        assertThrows(IllegalStateException.class, () -> q.add(4, 51, new byte[1], false, -1, 0));
    }

    @Test
    void ssnPerStreamAndUnorderedTakesNone() {
        SendQueue q = new SendQueue(1 << 20);
        q.add(1, 51, new byte[1], false, -1, Long.MAX_VALUE);
        q.add(1, 51, new byte[1], true, -1, Long.MAX_VALUE);
        q.add(1, 51, new byte[1], false, -1, Long.MAX_VALUE);
        assertEquals(0, q.next(100, 0, id -> { }).ssn());
        assertTrue(q.next(100, 0, id -> { }).unordered());
        assertEquals(1, q.next(100, 0, id -> { }).ssn());
        q.completeReset(1, true);
        q.add(1, 51, new byte[1], false, -1, Long.MAX_VALUE);
        assertEquals(0, q.next(100, 0, id -> { }).ssn(), "reset restarts SSNs at 0");
    }

    static List<DataChunk> send(OutstandingData o, SendQueue q, int n, long now) {
        List<DataChunk> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            q.add(0, 51, new byte[1000], false, -1, Long.MAX_VALUE);
            l.add((DataChunk) o.add(q.next(1000, now, id -> { }), now, false));
        }
        return l;
    }

    @Test
    void sackGapsFastRetransmitAndCongestionWindow() {
        RetransmissionTimeout rto = new RetransmissionTimeout(1000, 100, 60000);
        OutstandingData o = new OutstandingData(100, 1 << 20, MTU, rto);
        SendQueue q = new SendQueue(1 << 20);
        assertEquals(10L * MTU, o.cwnd());
        List<DataChunk> c = send(o, q, 8, 0);
        assertEquals(100, c.get(0).tsn().value());
        assertEquals(8000, o.bytesInFlight());
        // cum ack 100, TSNs 102..103 received: 101 missing (miss 1)
        assertNotNull(o.handleSack(new SackChunk(100, 1 << 20, List.of(new SackChunk.GapAckBlock(2, 3)), new int[0]), 50));
        assertEquals(50, rto.srtt(), "RTT sampled from a chunk sent once");
        assertEquals(5000, o.bytesInFlight());
        o.handleSack(new SackChunk(100, 1 << 20, List.of(new SackChunk.GapAckBlock(2, 4)), new int[0]), 60);
        assertFalse(o.hasPendingRetransmits());
        long cwndBefore = o.cwnd();
        o.handleSack(new SackChunk(100, 1 << 20, List.of(new SackChunk.GapAckBlock(2, 5)), new int[0]), 70);
        assertTrue(o.hasPendingRetransmits(), "third miss indication: fast retransmit");
        assertEquals(101, o.retransmitCandidates().get(0).chunk().tsn().value());
        assertEquals(Math.max(cwndBefore / 2, 4L * MTU), o.cwnd());
        o.retransmitted(o.retransmitCandidates().get(0), 80);
        // an old SACK is ignored
        assertNull(o.handleSack(new SackChunk(99, 1 << 20, List.of(), new int[0]), 90));
        o.handleSack(new SackChunk(107, 1 << 20, List.of(), new int[0]), 100);
        assertFalse(o.hasOutstanding());
        assertEquals(0, o.bytesInFlight());
        // acknowledging a TSN never sent: ignored
        assertNull(o.handleSack(new SackChunk(200, 1 << 20, List.of(), new int[0]), 110));
    }

    @Test
    void t3ExpiryCollapsesWindowAndMarksAll() {
        RetransmissionTimeout rto = new RetransmissionTimeout(1000, 100, 60000);
        OutstandingData o = new OutstandingData(-2, 1 << 20, MTU, rto); // TSNs wrap
        SendQueue q = new SendQueue(1 << 20);
        send(o, q, 5, 0);
        o.handleT3Expiry();
        assertEquals(MTU, o.cwnd());
        assertEquals(2000, rto.rto(), "RTO doubled");
        assertEquals(5, o.retransmitCandidates().size());
        assertEquals(0, o.bytesInFlight());
        assertTrue(o.canRetransmit(1000));
        OutstandingData.Item first = o.retransmitCandidates().get(0);
        o.retransmitted(first, 1000);
        assertFalse(o.canRetransmit(1000), "one MTU of retransmission per window");
        o.handleSack(new SackChunk(-2, 1 << 20, List.of(), new int[0]), 1100);
        assertEquals(2000, rto.rto(), "Karn: no RTT sample from a retransmitted chunk");
    }

    @Test
    void abandonedChunksProduceForwardTsn() {
        OutstandingData o = new OutstandingData(10, 1 << 20, MTU, new RetransmissionTimeout(1000, 100, 60000));
        SendQueue q = new SendQueue(1 << 20);
        SendQueue.Message m = q.add(4, 51, new byte[2500], false, 0, Long.MAX_VALUE);
        for (int i = 0; i < 3; i++) {
            o.add(q.next(1000, 0, id -> { }), 0, false);
        }
        o.handleT3Expiry();
        OutstandingData.Item it = o.retransmitCandidates().get(0);
        assertTrue(OutstandingData.shouldAbandon(it, 0, true));
        assertFalse(OutstandingData.shouldAbandon(it, 0, false), "no partial reliability without peer support");
        o.abandon(m);
        assertTrue(o.hasAbandonedAtHead());
        var f = o.createForwardTsn();
        assertEquals(12, f.newCumulativeTsn().value());
        assertEquals(List.of(new org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk.SkippedStream(4, 0)), f.skipped());
        o.handleSack(new SackChunk(12, 1 << 20, List.of(), new int[0]), 10);
        assertFalse(o.hasOutstanding());
        assertNull(o.createForwardTsn());
    }

    @Test
    void zeroWindowProbe() {
        OutstandingData o = new OutstandingData(1, 0, MTU, new RetransmissionTimeout(1000, 100, 60000));
        assertTrue(o.canSendNew(1000), "nothing in flight: one probe may go");
        SendQueue q = new SendQueue(1 << 20);
        send(o, q, 1, 0);
        assertFalse(o.canSendNew(1000));
    }

    @Test
    void rtoFollowsRfcFormulas() {
        RetransmissionTimeout r = new RetransmissionTimeout(1000, 100, 60000);
        r.observe(200); // SRTT 200, RTTVAR 100, RTO 600
        assertEquals(600, r.rto());
        r.observe(200); // RTTVAR 75, SRTT 200 -> 500
        assertEquals(500, r.rto());
        r.backOff();
        assertEquals(1000, r.rto());
        RetransmissionTimeout small = new RetransmissionTimeout(1000, 400, 60000);
        small.observe(1);
        assertEquals(400, small.rto(), "clamped to RTO.Min");
    }

    @Test
    void abandoningAPartlySentMessageAddsAnAbandonedEndPlaceholder() {
        OutstandingData o = new OutstandingData(10, 1 << 20, MTU, new RetransmissionTimeout(1000, 100, 60000));
        SendQueue q = new SendQueue(1 << 20);
        SendQueue.Message m = q.add(2, 51, new byte[3000], false, 0, Long.MAX_VALUE);
        o.add(q.next(1000, 0, id -> { }), 0, false);                    // only the first fragment was sent
        o.handleSack(new SackChunk(10, 1 << 20, List.of(), new int[0]), 5); // and it arrived
        o.abandon(m);
        assertTrue(q.discardRest(m, id -> { }));
        var f = o.createForwardTsn();
        assertEquals(11, f.newCumulativeTsn().value(), "beyond every fragment the peer holds");
        assertEquals(12, o.nextTsn());
        assertEquals(2, f.skipped().get(0).streamId().value());
        // a reset request covering the stream: the entry stays while the point does not pass its TSN
        o.streamsReset(new int[] {2});
        assertEquals(1, o.createForwardTsn().skipped().size());
        // ... and is left out once a later abandoned chunk moves the point beyond it
        SendQueue.Message later = q.add(3, 51, new byte[10], false, 0, Long.MAX_VALUE);
        o.add(q.next(1000, 0, id -> { }), 0, false);
        o.abandon(later);
        var g = o.createForwardTsn();
        assertEquals(12, g.newCumulativeTsn().value());
        assertEquals(List.of(new org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk.SkippedStream(3, 0)), g.skipped());
    }

    @Test
    void lastChunkBeforeAPauseAsksForAnImmediateSack() {
        OutstandingData o = new OutstandingData(1, 1 << 20, MTU, new RetransmissionTimeout(1000, 100, 60000));
        SendQueue q = new SendQueue(1 << 20);
        q.add(0, 51, new byte[10], false, -1, Long.MAX_VALUE);
        assertFalse(o.add(q.next(1000, 0, id -> { }), 0, false).immediateAck());
        q.add(0, 51, new byte[10], false, -1, Long.MAX_VALUE);
        assertTrue(o.add(q.next(1000, 0, id -> { }), 0, true).immediateAck());
    }
}
