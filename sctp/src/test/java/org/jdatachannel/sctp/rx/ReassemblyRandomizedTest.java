package org.jdatachannel.sctp.rx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.junit.jupiter.api.Test;

/**
 * Randomized property of the reassembly fast paths (issue 6: in-order fragments kept in an array,
 * spilled to the sorted map on the first out-of-order chunk): DATA messages over 1-3 streams,
 * ordered and unordered, fragmented, locally reordered and duplicated, all arrive intact, ordered
 * ones in SSN order per stream, and the queue ends empty. Seed logged; replay with
 * {@code -Dsctp.reassembly.seed=N}.
 */
class ReassemblyRandomizedTest {
    @Test
    void randomReorderDeliversEveryMessageIntact() {
        long seed0 = Long.getLong("sctp.reassembly.seed", System.nanoTime());
        System.out.println("ReassemblyRandomizedTest seed " + seed0 + " (-Dsctp.reassembly.seed=" + seed0 + ")");
        for (int round = 0; round < 300; round++) {
            long seed = seed0 + round;
            Random rnd = new Random(seed);
            int nStreams = 1 + rnd.nextInt(3);
            int[] ssn = new int[nStreams];
            List<DataChunk> chunks = new ArrayList<>();
            Map<String, byte[]> sent = new HashMap<>();
            List<List<String>> orderedPerStream = new ArrayList<>();
            for (int s = 0; s < nStreams; s++) orderedPerStream.add(new ArrayList<>());
            int tsn = 1;
            int nMsgs = 1 + rnd.nextInt(20);
            for (int m = 0; m < nMsgs; m++) {
                int sid = rnd.nextInt(nStreams);
                boolean u = rnd.nextInt(3) == 0;
                byte[] msg = new byte[1 + rnd.nextInt(60)];
                rnd.nextBytes(msg);
                int s = u ? 0 : ssn[sid]++;
                msg[0] = (byte) m; // identify
                sent.put(m + "", msg);
                if (!u) orderedPerStream.get(sid).add(m + "");
                int frag = 1 + rnd.nextInt(10);
                for (int off = 0; off < msg.length; off += frag) {
                    int len = Math.min(frag, msg.length - off);
                    chunks.add(new DataChunk(tsn++, sid, s, m, Arrays.copyOfRange(msg, off, off + len), u, off == 0,
                            off + len == msg.length));
                }
            }
            // local reordering + duplicates
            for (int i = 0; i < chunks.size(); i++) {
                if (rnd.nextInt(4) == 0) {
                    int j = Math.min(chunks.size() - 1, i + rnd.nextInt(5));
                    Collections.swap(chunks, i, j);
                }
            }
            List<DataChunk> order = new ArrayList<>(chunks);
            for (int i = 0; i < 5; i++) order.add(rnd.nextInt(order.size() + 1), chunks.get(rnd.nextInt(chunks.size())));
            ReassemblyQueue q = new ReassemblyQueue(1 << 20);
            Set<Long> seen = new HashSet<>();
            List<String> got = new ArrayList<>();
            Map<Integer, List<String>> gotOrdered = new HashMap<>();
            ReassemblyQueue.Sink sink = (sid, ppid, payload, unordered) -> {
                byte[] want = sent.get(ppid + "");
                assertArrayEquals(want, payload, "seed " + seed + " msg " + ppid);
                got.add(ppid + "");
                if (!unordered) gotOrdered.computeIfAbsent(sid, k -> new ArrayList<>()).add(ppid + "");
            };
            for (DataChunk c : order) {
                long t = c.tsn().value();
                if (!seen.add(t)) continue;
                assertTrue(q.add(t, c, sink), "seed " + seed);
            }
            assertEquals(nMsgs, got.size(), "seed " + seed + " delivered " + got);
            for (int s = 0; s < nStreams; s++) {
                assertEquals(orderedPerStream.get(s), gotOrdered.getOrDefault(s, List.of()), "seed " + seed);
            }
            assertEquals(0, q.bufferedBytes(), "seed " + seed);
            assertEquals(0, q.entries(), "seed " + seed);
        }
    }
}
