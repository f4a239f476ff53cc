package org.jdatachannel.sctp.rx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.junit.jupiter.api.Test;

/** DataTracker (RFC 9260 §6.2, §6.7) and ReassemblyQueue (§6.5, §6.6, §6.9, RFC 3758 §3.6). */
class ReceiveSideTest {
    private final List<String> delivered = new ArrayList<>();
    private final ReassemblyQueue.Sink sink = (s, ppid, p, u) -> delivered.add(s + ":" + new String(p) + (u ? "u" : ""));

    static DataChunk frag(int tsn, int stream, int ssn, String text, boolean u, boolean b, boolean e) {
        return new DataChunk(tsn, stream, ssn, 51, text.getBytes(), u, b, e);
    }

    @Test
    void trackerGapsAndDuplicates() {
        DataTracker t = new DataTracker(0xfffffffe); // wraps during the test
        t.observe(t.unwrap(0xfffffffe));
        assertFalse(t.shouldAckNow(), "first in-order packet: delayed");
        t.packetWithData();
        assertFalse(t.shouldAckNow());
        t.observe(t.unwrap(1));          // gap: 0xffffffff and 0 missing
        assertTrue(t.shouldAckNow(), "a gap is acknowledged at once");
        t.observe(t.unwrap(2));
        t.observe(t.unwrap(4));
        assertTrue(t.isDuplicate(t.unwrap(2)));
        t.recordDuplicate(2);
        SackChunk s = t.createSack(1000);
        assertEquals(0xfffffffe, s.cumulativeTsnAck().value());
        assertEquals(List.of(new SackChunk.GapAckBlock(3, 4), new SackChunk.GapAckBlock(6, 6)), s.gapAckBlocks());
        assertArrayEquals(new int[] {2}, s.duplicateTsns());
        assertFalse(t.shouldAckNow());
        t.observe(t.unwrap(0xffffffff));
        t.observe(t.unwrap(0));
        assertEquals(2, (int) t.cumulativeTsn(), "cum moves over the filled gap and the wrap");
        t.forwardTo(t.unwrap(5));
        assertEquals(5, (int) t.cumulativeTsn());
        assertFalse(t.hasGaps());
        assertTrue(t.isTooFarAhead(t.unwrap(5 + 70_000)));
    }

    @Test
    void outOfOrderFragmentsAndInterleavedStreams() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        assertTrue(q.add(12, frag(12, 1, 0, "c", false, false, true), sink));
        assertTrue(q.add(10, frag(10, 1, 0, "a", false, true, false), sink));
        assertEquals(List.of(), delivered);
        assertTrue(q.add(13, frag(13, 2, 0, "x", false, true, true), sink));
        assertEquals(List.of("2:x"), delivered, "other streams are not blocked");
        assertTrue(q.add(11, frag(11, 1, 0, "b", false, false, false), sink));
        assertEquals(List.of("2:x", "1:abc"), delivered);
        assertEquals(0, q.bufferedBytes());
    }

    @Test
    void orderedWaitsForSsnUnorderedDoesNot() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        q.add(2, frag(2, 1, 1, "second", false, true, true), sink);
        q.add(3, frag(3, 1, 0, "fast", true, true, true), sink);
        assertEquals(List.of("1:fastu"), delivered);
        assertEquals(6, q.bufferedBytes());
        q.add(1, frag(1, 1, 0, "first", false, true, true), sink);
        assertEquals(List.of("1:fastu", "1:first", "1:second"), delivered);
    }

    @Test
    void tooLargeMessageIsReported() {
        ReassemblyQueue q = new ReassemblyQueue(4);
        assertTrue(q.add(1, frag(1, 0, 0, "abc", false, true, false), sink));
        assertFalse(q.add(2, frag(2, 0, 0, "de", false, false, true), sink));
        assertFalse(new ReassemblyQueue(4).add(1, frag(1, 0, 0, "abcde", false, true, true), sink));
    }

    @Test
    void forwardTsnInsideAFragmentedMessage() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        q.add(1, frag(1, 3, 0, "a", false, true, false), sink);   // message ssn 0: tsn 1..3, 2 lost
        q.add(3, frag(3, 3, 0, "c", false, false, true), sink);
        q.add(5, frag(5, 3, 2, "z", false, true, true), sink);    // ssn 2 waits for ssn 1
        // the sender abandons TSNs up to 2 (ssn 0) — the FORWARD TSN lands inside the message
        q.forwardTsn(2, List.of(new ForwardTsnChunk.SkippedStream(3, 0)), sink);
        assertEquals(List.of(), delivered);
        q.add(4, frag(4, 3, 1, "y", false, true, true), sink);
        assertEquals(List.of("3:y", "3:z"), delivered, "the orphan tail (tsn 3) was dropped, later messages flow");
        assertEquals(0, q.bufferedBytes());
        // late tail fragments of the abandoned message are ignored
        q.add(3, frag(3, 3, 0, "c", false, false, true), sink);
        assertEquals(0, q.bufferedBytes());
    }

    @Test
    void forwardTsnDeliversWaitingMessagesUpToSkippedSsn() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        q.add(2, frag(2, 1, 1, "one", false, true, true), sink);
        q.add(4, frag(4, 1, 3, "three", false, true, true), sink);
        q.forwardTsn(3, List.of(new ForwardTsnChunk.SkippedStream(1, 2)), sink); // ssn 0 and 2 abandoned
        assertEquals(List.of("1:one", "1:three"), delivered);
    }

    @Test
    void incomingResetRestartsSsnAndDeliversEarlyArrivals() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        q.add(1, frag(1, 5, 0, "old", false, true, true), sink);
        q.add(3, frag(3, 5, 0, "new", false, true, true), sink); // after the peer's reset, ssn 0 again
        assertEquals(List.of("5:old"), delivered);
        q.resetStreams(new int[] {5}, sink);
        assertEquals(List.of("5:old", "5:new"), delivered);
    }

    @Test
    void deferredResetHoldsNewDataAndFlushesOldOnes() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        q.add(1, frag(1, 5, 0, "a", false, true, true), sink);
        q.add(3, frag(3, 5, 2, "c", false, true, true), sink);   // ssn 1 (tsn 2) abandoned, not yet skipped
        q.deferReset(new int[] {5}, 3);                          // peer reset stream 5 after tsn 3
        q.add(5, frag(5, 5, 1, "y", false, true, true), sink);   // new sequence, arrives early
        q.add(4, frag(4, 5, 0, "x", false, true, true), sink);
        assertEquals(List.of("5:a"), delivered);
        q.resetStreams(new int[] {5}, sink);                      // performed once tsn 2 is skipped
        assertEquals(List.of("5:a", "5:c", "5:x", "5:y"), delivered);
        assertEquals(0, q.bufferedBytes());
        q.add(6, frag(6, 5, 2, "z", false, true, true), sink);
        assertEquals("5:z", delivered.get(4));
    }
}
