package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.UserDataChunk;
import org.jdatachannel.sctp.rx.ReassemblyQueue;
import org.jdatachannel.sctp.tx.SendQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-packet cost rules of the hot path (issue 6), as deterministic figures, never timings:
 * which streams report a buffered-amount change, slices instead of copies on the send path, the
 * I-DATA reassembly fast path and its out-of-order fallback, one SACK per two DATA packets
 * (RFC 9260 §6.2), and a generous bound on the bytes allocated per MB moved.
 */
class HotPathTest {
    private static final Logger LOG = LoggerFactory.getLogger(HotPathTest.class);

    @Test
    void changedStreamsAreReportedOnceEach() {
        SendQueue q = new SendQueue(1 << 20);
        q.add(1, 51, new byte[10], false, -1, Long.MAX_VALUE);
        q.add(2, 51, new byte[10], false, -1, Long.MAX_VALUE);
        q.add(1, 51, new byte[10], false, -1, Long.MAX_VALUE);
        List<Integer> seen = new ArrayList<>();
        assertEquals(2, q.pollChangedStreams(seen::add));
        assertEquals(List.of(1, 2), seen, "each stream once, in the order of its first change");
        seen.clear();
        assertEquals(0, q.pollChangedStreams(seen::add), "nothing changed since");
        q.next(1000, 0, id -> { });
        q.pollChangedStreams(seen::add);
        assertEquals(List.of(1), seen, "a transmitted fragment changes its stream only");
        seen.clear();
        // a consumer that queues more data: reported by the next call, not lost, not looping
        q.add(2, 51, new byte[10], false, -1, Long.MAX_VALUE);
        q.pollChangedStreams(id -> {
            seen.add(id);
            q.add(3, 51, new byte[5], false, -1, Long.MAX_VALUE);
        });
        assertEquals(List.of(2), seen);
        seen.clear();
        q.pollChangedStreams(seen::add);
        assertEquals(List.of(3), seen);
    }

    @Test
    void fragmentsAndChunksAreSlicesOfTheMessage() throws PacketParseException {
        SendQueue q = new SendQueue(1 << 20);
        byte[] message = new byte[2500];
        new Random(7).nextBytes(message);
        q.add(4, 51, message, false, -1, Long.MAX_VALUE);
        SendQueue.Fragment first = q.next(1000, 0, id -> { });
        SendQueue.Fragment second = q.next(1000, 0, id -> { });
        assertSame(message, first.payloadArray(), "no copy per fragment");
        assertSame(message, second.payloadArray());
        assertEquals(1000, second.payloadOffset());
        assertEquals(1000, second.payloadLength());
        assertArrayEquals(java.util.Arrays.copyOfRange(message, 1000, 2000), second.payload(),
                "payload() is still exactly the fragment's bytes");

        for (boolean interleaved : new boolean[] {false, true}) {
            UserDataChunk slice = interleaved
                    ? new IDataChunk(new org.jdatachannel.sctp.packet.Tsn(9), new org.jdatachannel.sctp.packet.StreamId(4),
                            new org.jdatachannel.sctp.packet.Mid(2), 1, new org.jdatachannel.sctp.packet.Ppid(0), message,
                            false, false, false, false, 1000, 1000)
                    : new DataChunk(new org.jdatachannel.sctp.packet.Tsn(9), new org.jdatachannel.sctp.packet.StreamId(4),
                            new org.jdatachannel.sctp.packet.Ssn(2), new org.jdatachannel.sctp.packet.Ppid(51), message,
                            false, false, false, false, 1000, 1000);
            byte[] wire = SctpPacket.serialize(5000, 5000, 77, List.of(slice), false);
            UserDataChunk parsed = (UserDataChunk) SctpPacket.parse(ByteBuffer.wrap(wire)).chunks().get(0);
            assertEquals(1000, parsed.payloadLength());
            assertArrayEquals(second.payload(), parsed.payload(), "the slice, and only the slice, is on the wire");
            assertEquals(slice.payloadLength(), parsed.payloadLength());
        }
        assertThrows(IllegalArgumentException.class, () -> new DataChunk(new org.jdatachannel.sctp.packet.Tsn(1),
                new org.jdatachannel.sctp.packet.StreamId(0), new org.jdatachannel.sctp.packet.Ssn(0),
                new org.jdatachannel.sctp.packet.Ppid(0), new byte[10], false, true, true, false, 5, 6));
        assertThrows(IllegalArgumentException.class, () -> new IDataChunk(new org.jdatachannel.sctp.packet.Tsn(1),
                new org.jdatachannel.sctp.packet.StreamId(0), new org.jdatachannel.sctp.packet.Mid(0), 0,
                new org.jdatachannel.sctp.packet.Ppid(0), new byte[10], false, true, true, false, -1, 2));
    }

    @Test
    void interleavedFragmentsOutOfOrderStillAssembleInFsnOrder() {
        // FSN 0, 2, 1, 2 again (replaced), then 3 with the E bit: the in-order array is left for the
        // sorted map at FSN 2 and the message is assembled by FSN
        ReassemblyQueue r = new ReassemblyQueue(1 << 20, true);
        List<byte[]> got = new ArrayList<>();
        ReassemblyQueue.Sink sink = (sid, ppid, payload, unordered) -> got.add(payload);
        assertTrue(r.add(1, new IDataChunk(1, 0, 0, 0, 51, new byte[] {0, 0}, false, true, false), sink));
        assertTrue(r.add(3, new IDataChunk(3, 0, 0, 2, 0, new byte[] {9}, false, false, false), sink));
        assertTrue(r.add(2, new IDataChunk(2, 0, 0, 1, 0, new byte[] {1}, false, false, false), sink));
        assertTrue(r.add(4, new IDataChunk(4, 0, 0, 2, 0, new byte[] {2, 2}, false, false, false), sink));
        assertTrue(got.isEmpty());
        assertEquals(3, r.entries(), "FSN 2 was replaced");
        assertTrue(r.add(5, new IDataChunk(5, 0, 0, 3, 0, new byte[] {3}, false, false, true), sink));
        assertEquals(1, got.size());
        assertArrayEquals(new byte[] {0, 0, 1, 2, 2, 3}, got.get(0));
        assertEquals(0, r.entries());
        assertEquals(0, r.bufferedBytes());
        // and in order, two messages of one stream alternating with another stream's (cache misses)
        got.clear();
        assertTrue(r.add(6, new IDataChunk(6, 0, 1, 0, 51, new byte[] {1}, false, true, false), sink));
        assertTrue(r.add(7, new IDataChunk(7, 1, 0, 0, 51, new byte[] {7}, false, true, false), sink));
        assertTrue(r.add(8, new IDataChunk(8, 0, 1, 1, 0, new byte[] {2}, false, false, true), sink));
        assertTrue(r.add(9, new IDataChunk(9, 1, 0, 1, 0, new byte[] {8}, false, false, true), sink));
        assertEquals(2, got.size());
        assertArrayEquals(new byte[] {1, 2}, got.get(0));
        assertArrayEquals(new byte[] {7, 8}, got.get(1));
        assertEquals(0, r.entries());
    }

    private static DataChunk data(int tsn, int ssn, int b, boolean beginning, boolean end) {
        return new DataChunk(tsn, 0, ssn, 51, new byte[] {(byte) b}, false, beginning, end);
    }

    @Test
    void dataFragmentsInOrderOutOfOrderAndAcrossForwardTsn() {
        ReassemblyQueue r = new ReassemblyQueue(1 << 20);
        List<byte[]> got = new ArrayList<>();
        ReassemblyQueue.Sink sink = (sid, ppid, payload, unordered) -> got.add(payload);
        // in TSN order (the array fast path)
        assertTrue(r.add(1, data(1, 0, 1, true, false), sink));
        assertTrue(r.add(2, data(2, 0, 2, false, false), sink));
        assertEquals(2, r.entries(), "fragments on the fast path are counted");
        assertEquals(2 + 2 * ReassemblyQueue.ENTRY_OVERHEAD, r.accountedBytes());
        assertTrue(r.add(3, data(3, 0, 3, false, true), sink));
        assertArrayEquals(new byte[] {1, 2, 3}, got.get(0));
        assertEquals(0, r.entries());
        assertEquals(0, r.bufferedBytes());
        // a gap: TSN 6 before 5, so the fragments move to the sorted map and still complete
        assertTrue(r.add(4, data(4, 1, 4, true, false), sink));
        assertTrue(r.add(6, data(6, 1, 6, false, true), sink));
        assertEquals(1, got.size());
        assertTrue(r.add(5, data(5, 1, 5, false, false), sink));
        assertArrayEquals(new byte[] {4, 5, 6}, got.get(1));
        // the B chunk arrives last (retransmitted): later fragments are already held
        assertTrue(r.add(8, data(8, 2, 8, false, true), sink));
        assertTrue(r.add(7, data(7, 2, 7, true, false), sink));
        assertArrayEquals(new byte[] {7, 8}, got.get(2));
        assertEquals(0, r.entries());
        // FORWARD TSN over a message on the fast path drops its fragments (RFC 3758 §3.6)
        assertTrue(r.add(9, data(9, 3, 9, true, false), sink));
        assertTrue(r.add(10, data(10, 3, 10, false, false), sink));
        r.forwardTsn(10, List.of(new org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk.SkippedStream(0, 3)), sink);
        assertEquals(0, r.entries());
        assertEquals(0, r.bufferedBytes());
        assertTrue(r.add(11, data(11, 3, 11, false, true), sink), "the orphaned rest is dropped quietly");
        assertEquals(3, got.size());
        assertEquals(0, r.entries());
        assertTrue(r.add(12, data(12, 4, 12, true, true), sink));
        assertArrayEquals(new byte[] {12}, got.get(3), "the stream continues after the skipped SSN");
        // a message above the limit on the fast path is refused (the association aborts)
        ReassemblyQueue small = new ReassemblyQueue(2);
        assertTrue(small.add(1, data(1, 0, 1, true, false), sink));
        assertTrue(small.add(2, data(2, 0, 2, false, false), sink));
        assertFalse(small.add(3, data(3, 0, 3, false, false), sink));
    }

    /** Two associations wired back to back in memory (no loss, no delay). */
    private static final class Pair {
        final Association a;
        final Association b;
        long dataPackets;
        long sackPackets;
        long received;
        long now;
        /** Hand each packet's array back to its sender once it is on the wire (as the driver does). */
        boolean recycle;
        /** Called before each pass of {@link #pump} (the application sending more), or null. */
        Runnable refill;
        /** Keep the messages b received (content checks), else only count their bytes. */
        List<byte[]> messages;

        Pair(boolean interleaving) {
            a = new Association(options(interleaving), new Random(1));
            b = new Association(options(interleaving), new Random(2));
            a.connect(now);
            b.connect(now);
            pump();
        }

        static SctpOptions options(boolean interleaving) {
            return SctpOptions.builder().localPort(5000).remotePort(5000).receiveWindow(1 << 20)
                    .maxSendBufferSize(4L << 20).zeroChecksumOverDtls(true).enableMessageInterleaving(interleaving)
                    .build();
        }

        void pump() {
            ArrayDeque<byte[]> toA = new ArrayDeque<>();
            ArrayDeque<byte[]> toB = new ArrayDeque<>();
            boolean any = true;
            while (any) {
                any = false;
                if (refill != null) {
                    refill.run();
                }
                SctpOutput o;
                while ((o = a.pollOutput()) != null) {
                    if (o instanceof SctpOutput.SendPacket p) {
                        toB.add(sent(a, p.packet()));
                    }
                }
                while ((o = b.pollOutput()) != null) {
                    if (o instanceof SctpOutput.SendPacket p) {
                        toA.add(sent(b, p.packet()));
                    } else if (o instanceof SctpOutput.MessageReceived m) {
                        received += m.payload().length;
                        if (messages != null) {
                            messages.add(m.payload());
                        }
                    }
                }
                byte[] p;
                // with recycle one packet each way per pass, outputs polled after each (as the driver
                // drains after a few datagrams), else every packet on the wire
                while ((p = toB.poll()) != null) {
                    count(p, true);
                    b.handleInput(ByteBuffer.wrap(p), now);
                    any = true;
                    if (recycle) {
                        break;
                    }
                }
                while ((p = toA.poll()) != null) {
                    count(p, false);
                    a.handleInput(ByteBuffer.wrap(p), now);
                    any = true;
                    if (recycle) {
                        break;
                    }
                }
                any |= !toA.isEmpty() || !toB.isEmpty();
            }
        }

        /**
         * With {@code recycle}, as the driver does: the packet goes on the wire as a copy (the DTLS
         * record) and its array goes back to the association at once.
         */
        private byte[] sent(Association from, byte[] packet) {
            if (!recycle) {
                return packet;
            }
            byte[] wire = packet.clone();
            from.recyclePacket(packet);
            return wire;
        }

        /** Counts by the first chunk's type (the test must not allocate what it measures). */
        private void count(byte[] packet, boolean toB) {
            int type = packet[SctpPacket.HEADER_SIZE] & 0xff;
            if (toB && (type == DataChunk.TYPE || type == IDataChunk.TYPE)) {
                dataPackets++;
            } else if (!toB && type == SackChunk.TYPE) {
                sackPackets++;
            }
        }

        /** Sends {@code total} bytes in messages of {@code size}, keeping up to 1 MiB queued. */
        void transfer(int size, long total) {
            long sent = 0;
            long start = received;
            while (received - start < total) {
                while (sent < total && a.bufferedAmount(0) < (1 << 20)) {
                    a.send(0, 53, new byte[size], SendOptions.RELIABLE_ORDERED, now);
                    sent += size;
                }
                pump();
                now++;
                a.handleTimeout(now);
                b.handleTimeout(now);
            }
        }
    }

    @Test
    void oneSackPerTwoDataPacketsNotOnePerPacket() {
        Pair p = new Pair(true);
        p.dataPackets = 0;
        p.sackPackets = 0;
        p.transfer(64 * 1024, 4L << 20);
        LOG.info("{} DATA packets, {} SACK packets", p.dataPackets, p.sackPackets);
        // RFC 9260 §6.2: "an acknowledgement SHOULD be generated for at least every second packet";
        // the I bit on the last chunk of a full window (RFC 7053 §4.1) asks for a few more
        assertTrue(p.sackPackets * 2 >= p.dataPackets, "at least every second packet acknowledged");
        assertTrue(p.sackPackets <= p.dataPackets * 0.75, "not one SACK per DATA packet: " + p.sackPackets
                + " SACKs for " + p.dataPackets + " DATA packets");
    }

    @Test
    void sentPacketArraysAreReusedAndMessagesStayIntact() {
        long seed = Long.getLong("sctp.hotpath.seed", System.nanoTime());
        LOG.info("sentPacketArraysAreReusedAndMessagesStayIntact seed {} (-Dsctp.hotpath.seed={})", seed, seed);
        for (boolean interleaving : new boolean[] {true, false}) {
            Random rnd = new Random(seed);
            Pair p = new Pair(interleaving);
            p.recycle = true;
            p.messages = new ArrayList<>();
            p.dataPackets = 0;
            List<byte[]> sent = new ArrayList<>();
            // the application keeps 256 KiB queued (sending is then clocked by the SACKs, as in a bulk
            // transfer), in runs of one size (the reuse case) with odd sizes in between
            p.refill = () -> {
                while (sent.size() < 320 && p.a.bufferedAmount(0) < 256 * 1024) {
                    int n = sent.size();
                    byte[] m = new byte[n % 40 >= 36 ? 1 + rnd.nextInt(64 * 1024) : 64 * 1024];
                    rnd.nextBytes(m);
                    sent.add(m.clone());
                    p.a.send(0, 53, m, SendOptions.RELIABLE_ORDERED, p.now);
                }
            };
            while (p.messages.size() < 320) {
                p.pump();
                p.now++;
                p.a.handleTimeout(p.now);
                p.b.handleTimeout(p.now);
            }
            assertEquals(sent.size(), p.messages.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), p.messages.get(i), "seed " + seed + " message " + i);
            }
            LOG.info("interleaving={}: {} of {} DATA packets written into a recycled array", interleaving,
                    p.a.packetsReused(), p.dataPackets);
            // 99.8 % in the runs so far (the message sizes come from the logged seed): packets are serialized when polled, each into the array of the
            // one polled before it; only the first packets of a size and those after an idle moment
            // (spares dropped) get a new array. Without recycling: 0.
            assertTrue(p.a.packetsReused() > p.dataPackets * 0.95, p.a.packetsReused() + " reused of "
                    + p.dataPackets + " (interleaving=" + interleaving + ", seed " + seed + ")");
            assertEquals(0, p.a.spareCount(), "everything acknowledged: an idle association keeps no arrays");
        }
    }

    @Test
    void recycledArraysAreTakenOnlyAtTheirExactSizeAndBounded() {
        Association a = new Association(Pair.options(true), new Random(3));
        a.recyclePacket(null);
        a.recyclePacket(new byte[Association.MIN_RECYCLED_BYTES - 1]); // too small to keep
        for (int i = 0; i < Association.SPARE_PACKETS + 3; i++) {
            a.recyclePacket(new byte[1000 + i]);
        }
        assertEquals(0, a.packetsReused());
        assertEquals(Association.SPARE_PACKETS, a.spareCount(), "at most SPARE_PACKETS arrays are kept");
        a.connect(0);
        // the INIT is small and of another size: no spare fits it
        SctpOutput o;
        while ((o = a.pollOutput()) != null) {
            if (o instanceof SctpOutput.SendPacket sp) {
                assertTrue(sp.packet().length < 1000);
            }
        }
        assertEquals(0, a.packetsReused());
    }

    @Test
    void bytesAllocatedPerMegabyteAreBounded() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
        for (boolean interleaving : new boolean[] {true, false}) {
            Pair p = new Pair(interleaving);
            p.transfer(64 * 1024, 4L << 20); // warm-up
            long before = mx.getCurrentThreadAllocatedBytes();
            long startReceived = p.received;
            p.transfer(64 * 1024, 16L << 20);
            double perMb = (mx.getCurrentThreadAllocatedBytes() - before) / ((p.received - startReceived) / 1e6);
            LOG.info("interleaving={}: {} bytes allocated per MB moved (both ends, messages included)", interleaving,
                    Math.round(perMb));
            // Deterministic figure, generous bound: per MB the message itself (1 MB), its packets on the
            // wire (~1.04 MB), the received fragments and the reassembled message (~2 MB), plus small
            // objects; before issue 6 this was ~6.6 MB (a copy per fragment and a copy per parse
            // on top). A per-packet 16 KiB buffer or a per-fragment copy would break the bound.
            // With I-DATA the fragments are copied straight into the message (no array per fragment):
            // ~4.3 MB, against ~5.2 MB with DATA; a copy per fragment again would break the lower bound.
            double bound = interleaving ? 5.0e6 : 6.5e6;
            assertTrue(perMb < bound, "allocated " + Math.round(perMb) + " bytes per MB (interleaving="
                    + interleaving + ")");
        }
    }
}
