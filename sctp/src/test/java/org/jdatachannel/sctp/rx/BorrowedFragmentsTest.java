package org.jdatachannel.sctp.rx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jdatachannel.sctp.packet.Mid;
import org.jdatachannel.sctp.packet.Ppid;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tsn;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I-DATA reassembly queue with borrowed fragments (issue 6: the association parses I-DATA without
 * copying the user data, so a chunk's bytes are the received packet's buffer, which the driver reuses
 * for the next packet). Every fragment handed in here lives in one scratch array that is overwritten
 * with garbage right after each {@code add}: whatever the queue keeps, it must have copied. Randomized
 * (messages over 1-4 streams, ordered and unordered, fragmented, reordered, duplicated); the seed is logged, replay with
 * {@code -Dsctp.borrowed.seed=N}.
 */
class BorrowedFragmentsTest {
    private static final Logger LOG = LoggerFactory.getLogger(BorrowedFragmentsTest.class);

    /** Where borrowed fragments live; scribbled over after every add. */
    private final byte[] scratch = new byte[4096];

    private IDataChunk borrowed(Random rnd, int tsn, int sid, int mid, int fsn, int ppid, byte[] msg, int off,
            int len, boolean u, boolean b, boolean e) {
        int at = rnd.nextInt(scratch.length - len + 1);
        System.arraycopy(msg, off, scratch, at, len);
        return new IDataChunk(new Tsn(tsn), new StreamId(sid), new Mid(mid), b ? 0 : fsn, new Ppid(ppid), scratch, u, b,
                e, false, at, len);
    }

    private void scribble(Random rnd) {
        rnd.nextBytes(scratch);
    }

    private record Frag(int tsn, int sid, int mid, int fsn, int msg, int off, int len, boolean u, boolean b,
            boolean e) {
    }

    @Test
    void everyMessageArrivesIntactThoughTheInputBufferIsReused() {
        long seed0 = Long.getLong("sctp.borrowed.seed", System.nanoTime());
        LOG.info("BorrowedFragmentsTest seed {} (-Dsctp.borrowed.seed={})", seed0, seed0);
        for (int round = 0; round < 300; round++) {
            long seed = seed0 + round;
            Random rnd = new Random(seed);
            int nStreams = 1 + rnd.nextInt(4);
            int[] nextMid = new int[nStreams * 2];
            List<byte[]> msgs = new ArrayList<>();
            List<Frag> frags = new ArrayList<>();
            int tsn = 1;
            int nMsgs = 1 + rnd.nextInt(25);
            for (int m = 0; m < nMsgs; m++) {
                int sid = rnd.nextInt(nStreams);
                boolean u = rnd.nextInt(4) == 0;
                int mid = nextMid[sid * 2 + (u ? 1 : 0)]++;
                // sizes repeat often (the size hint's case) and sometimes not
                byte[] msg = new byte[rnd.nextBoolean() ? 3000 : 1 + rnd.nextInt(5000)];
                rnd.nextBytes(msg);
                msgs.add(msg);
                int frag = 1 + rnd.nextInt(rnd.nextBoolean() ? 1200 : 40);
                int fsn = 0;
                for (int off = 0; off < msg.length; off += frag) {
                    int len = Math.min(frag, msg.length - off);
                    frags.add(new Frag(tsn++, sid, mid, fsn++, m, off, len, u, off == 0, off + len == msg.length));
                }
            }
            // local reordering, then a few duplicates (a retransmission keeps its TSN: dropped before the
            // queue, as the association's DataTracker does)
            for (int i = 0; i < frags.size(); i++) {
                if (rnd.nextInt(5) == 0) {
                    Collections.swap(frags, i, Math.min(frags.size() - 1, i + rnd.nextInt(6)));
                }
            }
            List<Frag> order = new ArrayList<>(frags);
            for (int i = 0; i < 4; i++) {
                order.add(rnd.nextInt(order.size() + 1), frags.get(rnd.nextInt(frags.size())));
            }
            ReassemblyQueue q = new ReassemblyQueue(1 << 20, true);
            Map<Integer, Integer> delivered = new HashMap<>();
            Map<Integer, List<Integer>> orderedMids = new HashMap<>();
            final long s = seed;
            ReassemblyQueue.Sink sink = (sid, ppid, payload, unordered) -> {
                byte[] want = msgs.get(ppid);
                assertArrayEquals(want, payload, "seed " + s + " message " + ppid);
                delivered.merge(ppid, 1, Integer::sum);
                if (!unordered) {
                    orderedMids.computeIfAbsent(sid, k -> new ArrayList<>()).add(ppid);
                }
            };
            Set<Integer> seenTsn = new HashSet<>();
            for (Frag f : order) {
                if (!seenTsn.add(f.tsn)) {
                    continue;
                }
                // the PPID (on B fragments) names the message; the sink checks its bytes
                IDataChunk c = borrowed(rnd, f.tsn, f.sid, f.mid, f.fsn, f.msg, msgs.get(f.msg), f.off, f.len, f.u,
                        f.b, f.e);
                assertTrue(q.add(f.tsn, c, sink), "seed " + seed);
                scribble(rnd);
            }
            for (int m = 0; m < msgs.size(); m++) {
                assertEquals(1, delivered.getOrDefault(m, 0), "seed " + seed + " message " + m + " delivered once");
            }
            for (List<Integer> mids : orderedMids.values()) {
                List<Integer> sorted = new ArrayList<>(mids);
                Collections.sort(sorted);
                assertEquals(sorted, mids, "seed " + seed + ": ordered messages in order per stream");
            }
            assertEquals(0, q.entries(), "seed " + seed);
            assertEquals(0, q.bufferedBytes(), "seed " + seed);
        }
    }

    @Test
    void aMessageOfTheHintedSizeIsTheArrayItsFragmentsWereCopiedInto() {
        ReassemblyQueue q = new ReassemblyQueue(1 << 20, true);
        Random rnd = new Random(5);
        List<byte[]> got = new ArrayList<>();
        ReassemblyQueue.Sink sink = (sid, ppid, payload, unordered) -> got.add(payload);
        byte[] msg = new byte[5000];
        int tsn = 1;
        for (int m = 0; m < 3; m++) {
            rnd.nextBytes(msg);
            for (int off = 0, fsn = 0; off < msg.length; off += 1200, fsn++) {
                int len = Math.min(1200, msg.length - off);
                assertTrue(q.add(tsn, borrowed(rnd, tsn, 0, m, fsn, 51, msg, off, len, false, off == 0,
                        off + len == msg.length), sink));
                tsn++;
                scribble(rnd);
            }
            assertEquals(m + 1, got.size());
            assertArrayEquals(msg, got.get(m), "message " + m);
            assertEquals(msg.length, got.get(m).length, "exactly sized");
        }
        assertEquals(0, q.bufferedBytes());
    }

    @Test
    void manyOpenMessagesReserveNoMoreThanTheSlackBound() {
        // One 200 KB message sets the size hint; then a peer opens 100 messages with a 1-byte first
        // fragment each: only MAX_SLACK of room may be reserved for them beyond what they hold.
        ReassemblyQueue q = new ReassemblyQueue(1 << 20, true);
        Random rnd = new Random(9);
        List<byte[]> got = new ArrayList<>();
        ReassemblyQueue.Sink sink = (sid, ppid, payload, unordered) -> got.add(payload);
        byte[] big = new byte[200_000];
        int tsn = 1;
        for (int off = 0, fsn = 0; off < big.length; off += 1000, fsn++) {
            q.add(tsn, borrowed(rnd, tsn, 0, 0, fsn, 51, big, off, 1000, false, off == 0, off + 1000 == big.length),
                    sink);
            tsn++;
        }
        assertEquals(1, got.size());
        assertEquals(0, q.slackBytes());
        for (int mid = 1; mid <= 100; mid++) {
            q.add(tsn, borrowed(rnd, tsn, 0, mid, 0, 51, new byte[1], 0, 1, false, true, false), sink);
            tsn++;
            assertTrue(q.slackBytes() <= ReassemblyQueue.MAX_SLACK, "reserved " + q.slackBytes() + " at MID " + mid);
        }
        assertEquals(100, q.entries());
        // without the bound this is 100 x 200 KB = 20 MB reserved for 100 bytes received
        LOG.info("100 open messages after a 200 KB one: {} bytes reserved", q.slackBytes());
        assertTrue(q.slackBytes() > 0, "the first ones did get the hinted size");
        // and they are dropped cleanly by I-FORWARD-TSN
        q.iForwardTsn(List.of(new IForwardTsnChunk.SkippedMessage(0, false, 100)), sink);
        assertEquals(0, q.entries());
        assertEquals(0, q.bufferedBytes());
        assertEquals(0, q.slackBytes());
        assertEquals(1, got.size());
    }
}
