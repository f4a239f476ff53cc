package org.jdatachannel.sctp.rx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jdatachannel.sctp.packet.Mid;
import org.jdatachannel.sctp.packet.Ppid;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tsn;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.junit.jupiter.api.Test;

/**
 * Pins the two receive-side savings of issue 6 (session 5): I-DATA user data is borrowed from the
 * received packet when parsed, and a message of the size of the one before it is delivered in the array
 * its fragments were copied into. Each test fails if its saving is silently lost (review r2).
 */
class InPlaceReassemblyTest {

    @Test
    void aMessageOfThePreviousSizeIsDeliveredInTheArrayItsFragmentsWereCopiedInto() {
        ReassemblyQueue q = new ReassemblyQueue(1 << 20, true);
        List<byte[]> got = new ArrayList<>();
        byte[] scratch = new byte[2000]; // one "packet" buffer, overwritten for every fragment
        int tsn = 1;
        for (int m = 0; m < 3; m++) {
            for (int off = 0, fsn = 0; off < 5000; off += 1200, fsn++) {
                int len = Math.min(1200, 5000 - off);
                Arrays.fill(scratch, (byte) (m * 16 + fsn));
                q.add(tsn, new IDataChunk(new Tsn(tsn++), new StreamId(0), new Mid(m), off == 0 ? 0 : fsn,
                        new Ppid(51), scratch, false, off == 0, off + len == 5000, false, 7, len),
                        (s, p, b, u) -> got.add(b));
            }
        }
        assertEquals(3, got.size());
        for (int m = 0; m < 3; m++) {
            byte[] want = new byte[5000];
            for (int off = 0, fsn = 0; off < 5000; off += 1200, fsn++) {
                Arrays.fill(want, off, Math.min(5000, off + 1200), (byte) (m * 16 + fsn));
            }
            assertArrayEquals(want, got.get(m), "message " + m);
        }
        // the first message has no size hint (trimmed copy); the second and third have the hinted size
        assertEquals(2, q.messagesInPlace(), "messages 2 and 3 delivered without a second copy");
    }

    @Test
    void parsingWithBorrowingHandsOutThePacketsOwnArray() throws Exception {
        byte[] pkt = SctpPacket.serialize(5000, 5000, 1,
                List.of(new IDataChunk(1, 0, 0, 0, 51, new byte[100], false, true, true)), false);
        SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(pkt), false, true);
        assertSame(pkt, ((IDataChunk) p.chunks().get(0)).payloadArray());
    }
}
