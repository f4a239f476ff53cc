package org.jdatachannel.sctp.rx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ReassemblyQueue with I-DATA (RFC 8260 §2.2.3, §2.3.1, §2.3.2). */
class InterleavedReassemblyTest {
    private static final Logger LOG = LoggerFactory.getLogger(InterleavedReassemblyTest.class);
    private final List<String> delivered = new ArrayList<>();
    private final ReassemblyQueue.Sink sink = (s, ppid, p, u) -> delivered.add(s + ":" + new String(p) + (u ? "u" : "")
            + (ppid == 51 ? "" : "/" + ppid));

    static IDataChunk frag(int tsn, int stream, int mid, int fsn, String text, boolean u, boolean b, boolean e) {
        return new IDataChunk(tsn, stream, mid, b ? 0 : fsn, 51, text.getBytes(), u, b, e);
    }

    @Test
    void fragmentsOfDifferentStreamsInterleaveAndReassembleByFsnNotTsn() {
        ReassemblyQueue q = new ReassemblyQueue(1000, true);
        // stream 1 MID 0 "abc" and stream 2 MID 0 "xy" interleaved; TSNs deliberately not in FSN order
        assertTrue(q.add(10, frag(10, 1, 0, 0, "a", false, true, false), sink));
        assertTrue(q.add(11, frag(11, 2, 0, 0, "x", false, true, false), sink));
        assertTrue(q.add(13, frag(13, 1, 0, 2, "c", false, false, true), sink));
        assertTrue(q.add(14, frag(14, 2, 0, 1, "y", false, false, true), sink));
        assertEquals(List.of("2:xy"), delivered, "stream 2 completes although stream 1 is incomplete");
        assertEquals(2 + 2 * ReassemblyQueue.ENTRY_OVERHEAD, q.bufferedBytes(), "a and c held, with their overhead");
        assertTrue(q.add(12, frag(12, 1, 0, 1, "b", false, false, false), sink));
        assertEquals(List.of("2:xy", "1:abc"), delivered);
        assertEquals(0, q.bufferedBytes());
    }

    @Test
    void orderedByMidUnorderedAtOnceWithWrap() {
        ReassemblyQueue q = new ReassemblyQueue(1000, true);
        // move the expected MID near the wrap in two serial-number steps (each less than 2^31 ahead)
        q.iForwardTsn(List.of(new IForwardTsnChunk.SkippedMessage(3, false, 0x7fffffff)), sink);
        q.iForwardTsn(List.of(new IForwardTsnChunk.SkippedMessage(3, false, 0xfffffffd)), sink); // next MID 0xfffffffe
        q.add(1, frag(1, 3, 0xffffffff, 0, "second", false, true, true), sink);
        q.add(2, frag(2, 3, 0, 0, "third", false, true, true), sink);
        q.add(3, frag(3, 3, 7, 0, "unordered", true, true, true), sink);
        assertEquals(List.of("3:unorderedu"), delivered, "ordered messages wait for MID 0xfffffffe");
        q.add(4, frag(4, 3, 0xfffffffe, 0, "first", false, true, true), sink);
        assertEquals(List.of("3:unorderedu", "3:first", "3:second", "3:third"), delivered, "MID order across the wrap");
        // a retransmitted old MID is not delivered again
        q.add(5, frag(5, 3, 0xffffffff, 0, "second", false, true, true), sink);
        assertEquals(4, delivered.size());
        assertEquals(0, q.bufferedBytes());
    }

    @Test
    void ppidComesFromTheFirstFragment() {
        ReassemblyQueue q = new ReassemblyQueue(1000, true);
        q.add(2, new IDataChunk(2, 1, 0, 1, 0, "b".getBytes(), false, false, true), sink);
        q.add(1, new IDataChunk(1, 1, 0, 0, 53, "a".getBytes(), false, true, false), sink);
        assertEquals(List.of("1:ab/53"), delivered);
    }

    @Test
    void tinyFragmentsAreChargedTheirBookkeeping() {
        ReassemblyQueue q = new ReassemblyQueue(1000, true);
        for (int i = 0; i < 1000; i++) {
            // a peer opening a partial message per stream with 1-byte fragments
            q.add(i, frag(i, i, 0, 0, "x", false, true, false), sink);
        }
        q.add(1000, frag(1000, 7, 1, 0, "y", false, true, true), sink); // complete, waits for MID 0
        assertEquals(1001 * (1 + ReassemblyQueue.ENTRY_OVERHEAD), q.bufferedBytes(),
                "the receive window bounds real memory, not just payload");
        assertEquals(List.of(), delivered);
        q.iForwardTsn(List.of(new IForwardTsnChunk.SkippedMessage(7, false, 0)), sink);
        assertEquals(List.of("7:y"), delivered);
        assertEquals(999 * (1 + ReassemblyQueue.ENTRY_OVERHEAD), q.bufferedBytes());
    }

    @Test
    void tooLargeMessageIsRefused() {
        ReassemblyQueue q = new ReassemblyQueue(5, true);
        assertTrue(q.add(1, frag(1, 1, 0, 0, "abc", false, true, false), sink));
        assertFalse(q.add(2, frag(2, 1, 0, 1, "def", false, false, false), sink), "6 bytes > 5 without an end");
        assertFalse(new ReassemblyQueue(2, true).add(1, frag(1, 1, 0, 0, "abc", true, true, true), sink));
    }

    @Test
    void iForwardTsnDropsPartialMessagesAndSkipsMids() {
        ReassemblyQueue q = new ReassemblyQueue(1000, true);
        q.add(1, frag(1, 1, 0, 0, "par", false, true, false), sink);   // MID 0 never completes
        q.add(2, frag(2, 1, 2, 0, "two", false, true, true), sink);    // MID 2 waits for 0 and 1
        q.add(3, frag(3, 2, 4, 0, "u4-", true, true, false), sink);    // unordered partial, abandoned
        q.add(4, frag(4, 2, 5, 0, "u5-", true, true, false), sink);    // unordered partial, still coming
        assertEquals(List.of(), delivered);
        q.iForwardTsn(List.of(new IForwardTsnChunk.SkippedMessage(1, false, 1),
                new IForwardTsnChunk.SkippedMessage(2, true, 4)), sink);
        assertEquals(List.of("1:two"), delivered, "MIDs 0 and 1 skipped, 2 delivered");
        assertEquals(3 + ReassemblyQueue.ENTRY_OVERHEAD, q.bufferedBytes(), "only the unordered MID 5 partial is left");
        q.add(5, frag(5, 2, 5, 1, "end", true, false, true), sink);
        assertEquals(List.of("1:two", "2:u5-endu"), delivered);
        q.add(6, frag(6, 1, 3, 0, "three", false, true, true), sink);
        assertEquals("1:three", delivered.get(2));
        assertEquals(0, q.bufferedBytes());
    }

    @Test
    void repeatedIForwardTsnEntriesCountOnceWithTheLargestMid() {
        ReassemblyQueue q = new ReassemblyQueue(1000, true);
        q.add(1, frag(1, 1, 4, 0, "p4", false, true, false), sink);
        q.add(2, frag(2, 1, 7, 0, "seven", false, true, true), sink);
        q.iForwardTsn(List.of(new IForwardTsnChunk.SkippedMessage(1, false, 5),
                new IForwardTsnChunk.SkippedMessage(1, false, 3), new IForwardTsnChunk.SkippedMessage(1, false, 5)), sink);
        assertEquals(List.of(), delivered, "MID 6 is still expected");
        q.add(3, frag(3, 1, 6, 0, "six", false, true, true), sink);
        assertEquals(List.of("1:six", "1:seven"), delivered);
        assertEquals(0, q.bufferedBytes(), "the partial MID 4 was dropped");
    }

    @Test
    void streamResetRestartsMids() {
        ReassemblyQueue q = new ReassemblyQueue(1000, true);
        q.add(1, frag(1, 1, 0, 0, "m0", false, true, true), sink);
        q.add(2, frag(2, 1, 1, 0, "m1", false, true, true), sink);
        q.deferReset(new int[] {1}, 2);
        q.add(4, frag(4, 1, 1, 0, "new1", false, true, true), sink); // after the reset: held
        q.add(3, frag(3, 1, 0, 0, "new0", false, true, true), sink);
        assertEquals(List.of("1:m0", "1:m1"), delivered);
        q.resetStreams(new int[] {1}, sink);
        assertEquals(List.of("1:m0", "1:m1", "1:new0", "1:new1"), delivered, "RFC 8260 §2.3.2: MIDs restart at 0");
    }

    @Test
    void randomFragmentOrderProperty() {
        long seed = new Random().nextLong();
        LOG.info("randomFragmentOrderProperty seed {}", seed);
        Random r = new Random(seed);
        for (int round = 0; round < 200; round++) {
            delivered.clear();
            ReassemblyQueue q = new ReassemblyQueue(1 << 20, true);
            List<IDataChunk> chunks = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            int tsn = r.nextInt();
            for (int stream = 0; stream < 3; stream++) {
                for (int mid = 0; mid < 4; mid++) {
                    int n = 1 + r.nextInt(5);
                    StringBuilder text = new StringBuilder();
                    for (int f = 0; f < n; f++) {
                        String part = stream + "." + mid + "." + f + ";";
                        text.append(part);
                        chunks.add(new IDataChunk(tsn++, stream, mid, f == 0 ? 0 : f, 51, part.getBytes(), false, f == 0,
                                f == n - 1));
                    }
                    expected.add(stream + ":" + text);
                }
            }
            Collections.shuffle(chunks, r);
            for (IDataChunk c : chunks) {
                assertTrue(q.add(c.tsn().value() & 0xffffffffL, c, sink));
            }
            assertEquals(expected.size(), delivered.size(), "seed " + seed);
            for (int stream = 0; stream < 3; stream++) {
                final int s = stream;
                assertEquals(expected.stream().filter(x -> x.startsWith(s + ":")).toList(),
                        delivered.stream().filter(x -> x.startsWith(s + ":")).toList(), "seed " + seed);
            }
            assertEquals(0, q.bufferedBytes());
        }
    }
}
