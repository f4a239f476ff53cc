package org.jdatachannel.sctp.rx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.junit.jupiter.api.Test;

/**
 * The work a FORWARD TSN (RFC 3758 §3.6) or I-FORWARD-TSN (RFC 8260 §2.3.1) costs the receiver is
 * proportional to its entries plus what is held, never to the SSN distance it skips (review of issue 3:
 * a crafted chunk alternating SSN 32767 and 65535 on one stream cost about 2 s of CPU per packet).
 * Measured with the queue's step counter, not with a clock.
 */
class ForwardTsnCostTest {
    private final List<String> delivered = new ArrayList<>();
    private final ReassemblyQueue.Sink sink = (s, ppid, p, u) -> delivered.add(s + ":" + new String(p) + (u ? "u" : ""));

    private static DataChunk msg(int tsn, int stream, int ssn, String text) {
        return new DataChunk(tsn, stream, ssn, 51, text.getBytes(), false, true, true);
    }

    @Test
    void alternatingFarSsnsCostNoMoreThanTheEntries() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        long steps = 0;
        for (int round = 0; round < 3; round++) {
            List<ForwardTsnChunk.SkippedStream> sk = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                sk.add(new ForwardTsnChunk.SkippedStream(5, i % 2 == 0 ? 32767 : 65535));
            }
            q.forwardTsn(100 + round, sk, sink);
            steps = q.forwardSteps();
            // one step per entry and per held message at most (nothing is held here)
            assertTrue(steps <= 3000L * (round + 1), "steps after round " + round + ": " + steps);
        }
        assertEquals(1, q.streamStates());
        assertEquals(0, q.entries());
        assertEquals(List.of(), delivered);
    }

    @Test
    void waitingMessagesUpToTheSkippedSsnAreDeliveredInOrderInOnePass() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        // stream 1 expects SSN 0; 2, 1 and 5 wait for it
        q.add(12, msg(12, 1, 2, "c"), sink);
        q.add(11, msg(11, 1, 1, "b"), sink);
        q.add(15, msg(15, 1, 5, "f"), sink);
        assertEquals(List.of(), delivered);
        // SSN 0 and 3 abandoned; entries repeated and out of order: the largest (serial) counts
        q.forwardTsn(13, List.of(new ForwardTsnChunk.SkippedStream(1, 0), new ForwardTsnChunk.SkippedStream(1, 3),
                new ForwardTsnChunk.SkippedStream(1, 0), new ForwardTsnChunk.SkippedStream(1, 3)), sink);
        assertEquals(List.of("1:b", "1:c"), delivered, "SSN 1 and 2 delivered, in order; 5 waits for 4");
        assertTrue(q.forwardSteps() <= 4 + 3, "steps " + q.forwardSteps());
        q.add(14, msg(14, 1, 4, "e"), sink);
        assertEquals(List.of("1:b", "1:c", "1:e", "1:f"), delivered);
        assertEquals(0, q.entries());
    }

    @Test
    void skipAcrossTheSsnWrap() {
        ReassemblyQueue q = new ReassemblyQueue(1000);
        // walk the stream to SSN 65535 in serial steps of less than half the SSN space
        q.forwardTsn(8, List.of(new ForwardTsnChunk.SkippedStream(2, 30000)), sink);
        q.forwardTsn(9, List.of(new ForwardTsnChunk.SkippedStream(2, 60000)), sink);
        q.forwardTsn(10, List.of(new ForwardTsnChunk.SkippedStream(2, 65534)), sink);
        q.add(12, msg(12, 2, 0, "z"), sink);
        q.add(11, msg(11, 2, 65535, "y"), sink);
        assertEquals(List.of("2:y", "2:z"), delivered);
        // stale entry (behind the expected SSN) changes nothing
        q.forwardTsn(13, List.of(new ForwardTsnChunk.SkippedStream(2, 65000)), sink);
        q.add(14, msg(14, 2, 1, "a"), sink);
        assertEquals(List.of("2:y", "2:z", "2:a"), delivered);
    }

    @Test
    void repeatedIForwardEntriesCostOneEntryPerStream() {
        ReassemblyQueue q = new ReassemblyQueue(1000, true);
        List<IForwardTsnChunk.SkippedMessage> sk = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            sk.add(new IForwardTsnChunk.SkippedMessage(5, false, i % 2 == 0 ? 0x7fffffff : 0xffffffff));
        }
        q.iForwardTsn(sk, sink);
        assertTrue(q.forwardSteps() <= 3000, "steps " + q.forwardSteps());
        assertEquals(1, q.streamStates());
    }
}
