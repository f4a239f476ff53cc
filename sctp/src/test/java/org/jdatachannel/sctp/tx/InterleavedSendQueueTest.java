package org.jdatachannel.sctp.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.junit.jupiter.api.Test;

/** SendQueue and OutstandingData with RFC 8260 interleaving. */
class InterleavedSendQueueTest {

    static String describe(SendQueue.Fragment f) {
        return f.streamId() + (f.unordered() ? "u" : "") + "m" + f.mid() + "f" + f.fsn() + (f.beginning() ? "B" : "")
                + (f.end() ? "E" : "");
    }

    @Test
    void roundRobinAtFragmentGranularityWithMidsAndFsns() {
        SendQueue q = new SendQueue(1 << 20);
        q.setInterleaving(true);
        q.add(1, 51, new byte[2500], false, -1, Long.MAX_VALUE);
        q.add(1, 51, new byte[10], false, -1, Long.MAX_VALUE);
        q.add(2, 51, new byte[10], false, -1, Long.MAX_VALUE);
        q.add(2, 51, new byte[10], true, -1, Long.MAX_VALUE);
        q.add(2, 51, new byte[10], false, -1, Long.MAX_VALUE);
        List<String> order = new ArrayList<>();
        SendQueue.Fragment f;
        while ((f = q.next(1000, 0, id -> { })) != null) {
            order.add(describe(f));
            assertEquals(true, f.interleaved());
        }
        // RFC 8260 §3.2 SCTP_SS_RR with interleaving: streams alternate after every fragment; one message
        // per stream at a time (§2.2.2); ordered and unordered MIDs count separately (§2.1)
        assertEquals(List.of("1m0f0B", "2m0f0BE", "1m0f1", "2um0f0BE", "1m0f2E", "2m1f0BE", "1m1f0BE"), order);
        assertFalse(q.hasData());
    }

    @Test
    void resetRestartsBothMidCounters() {
        SendQueue q = new SendQueue(1 << 20);
        q.setInterleaving(true);
        q.add(1, 51, new byte[1], false, -1, Long.MAX_VALUE);
        q.add(1, 51, new byte[1], true, -1, Long.MAX_VALUE);
        q.next(100, 0, id -> { });
        q.next(100, 0, id -> { });
        q.markResetPending(1);
        q.completeReset(1, true);
        q.add(1, 51, new byte[1], false, -1, Long.MAX_VALUE);
        q.add(1, 51, new byte[1], true, -1, Long.MAX_VALUE);
        assertEquals("1m0f0BE", describe(q.next(100, 0, id -> { })));
        assertEquals("1um0f0BE", describe(q.next(100, 0, id -> { })));
    }

    @Test
    void outstandingDataBuildsIDataAndIForwardTsn() {
        RetransmissionTimeout rto = new RetransmissionTimeout(1000, 100, 60000);
        OutstandingData o = new OutstandingData(100, 1 << 20, 1188, rto);
        SendQueue q = new SendQueue(1 << 20);
        q.setInterleaving(true);
        q.add(4, 53, new byte[1500], true, 0, Long.MAX_VALUE);
        q.add(5, 53, new byte[10], false, 0, Long.MAX_VALUE);
        IDataChunk first = assertInstanceOf(IDataChunk.class, o.add(q.next(1000, 0, id -> { }), 0, false));
        assertEquals(100, first.tsn().value());
        assertEquals(53, first.ppid().value());
        IDataChunk other = assertInstanceOf(IDataChunk.class, o.add(q.next(1000, 0, id -> { }), 0, false));
        assertEquals(5, other.streamId().value());
        IDataChunk second = assertInstanceOf(IDataChunk.class, o.add(q.next(1000, 0, id -> { }), 0, false));
        assertEquals(1, second.fsn());
        assertEquals(0, second.ppid().value());
        // abandon both (maxRetransmits 0 after a T3 expiry): I-FORWARD-TSN names MID per stream and U bit
        o.handleT3Expiry();
        for (OutstandingData.Item it : o.retransmitCandidates()) {
            if (OutstandingData.shouldAbandon(it, 0, true)) {
                o.abandon(it.message());
            }
        }
        IForwardTsnChunk f = o.createIForwardTsn();
        assertEquals(102, f.newCumulativeTsn().value());
        assertEquals(List.of(new IForwardTsnChunk.SkippedMessage(4, true, 0), new IForwardTsnChunk.SkippedMessage(5, false, 0)),
                f.skipped());
        // without interleaving the same path still builds DATA
        SendQueue plain = new SendQueue(1 << 20);
        plain.add(1, 51, new byte[1], false, -1, Long.MAX_VALUE);
        assertInstanceOf(DataChunk.class, o.add(plain.next(100, 0, id -> { }), 0, false));
    }
}
