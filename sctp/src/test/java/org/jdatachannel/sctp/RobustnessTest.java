package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.UnknownChunk;
import org.jdatachannel.sctp.packet.errorcause.UnrecognizedChunkTypeCause;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** RFC 9260 §8.3 HEARTBEAT, §3.2 unknown chunks, and malformed input to an established association. */
class RobustnessTest {
    private static final Logger LOG = LoggerFactory.getLogger(RobustnessTest.class);

    /** An established pair and the packets A sent to B (which carry B's verification tag). */
    static final class Pair {
        final NetSim sim;
        final List<byte[]> aToB = new ArrayList<>();
        final List<byte[]> bToA = new ArrayList<>();
        final int tagOfB;
        final int tagOfA;

        Pair(long seed) {
            sim = new NetSim(seed, DataTransferTest.opts(), DataTransferTest.opts());
            sim.dropFilter = (p, bytes) -> {
                (p == sim.a ? aToB : bToA).add(bytes);
                return false;
            };
            assertTrue(sim.connect(false));
            tagOfB = ByteBuffer.wrap(aToB.get(aToB.size() - 1)).getInt(4);
            tagOfA = ByteBuffer.wrap(bToA.get(bToA.size() - 1)).getInt(4);
        }

        /** Feeds B one packet from "A" (ports 5000) and returns B's outputs. */
        List<SctpOutput> feedB(int tag, List<Chunk> chunks) {
            byte[] p = new SctpPacket(5000, 5000, tag, chunks).serialize();
            sim.b.assoc.handleInput(ByteBuffer.wrap(p), sim.now);
            List<SctpOutput> out = new ArrayList<>();
            SctpOutput o;
            while ((o = sim.b.assoc.pollOutput()) != null) {
                out.add(o);
            }
            return out;
        }
    }

    static List<Chunk> sent(List<SctpOutput> outs) {
        List<Chunk> l = new ArrayList<>();
        for (SctpOutput o : outs) {
            if (o instanceof SctpOutput.SendPacket sp) {
                try {
                    l.addAll(SctpPacket.parse(ByteBuffer.wrap(sp.packet())).chunks());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
        return l;
    }

    @Test
    void heartbeatIsAlwaysEchoed() {
        Pair p = new Pair(91);
        byte[] info = {1, 2, 3, 4, 5, 6, 7};
        List<Chunk> out = sent(p.feedB(p.tagOfB, List.of(new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(info))))));
        HeartbeatAckChunk ack = assertInstanceOf(HeartbeatAckChunk.class, out.get(0));
        assertArrayEquals(info, ((HeartbeatInfoParameter) ack.parameters().get(0)).info());
        // wrong tag: dropped
        assertTrue(p.feedB(p.tagOfB + 1, List.of(new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(info))))).isEmpty());
    }

    @Test
    void unknownChunkTypesFollowTheUpperTwoBits() {
        Pair p = new Pair(92);
        int[] tsn = {0};
        // the next TSN B expects: one after the last DATA A sent (none yet) = A's initial TSN; learn it
        p.sim.a.assoc.send(0, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, p.sim.now);
        assertTrue(p.sim.runUntil(() -> p.sim.b.messages.size() == 1, p.sim.now + 5000));
        for (byte[] b : p.aToB) {
            try {
                for (Chunk c : SctpPacket.parse(ByteBuffer.wrap(b)).chunks()) {
                    if (c instanceof DataChunk d) {
                        tsn[0] = d.tsn().value() + 1;
                    }
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        DataChunk data = new DataChunk(tsn[0], 0, 1, 51, new byte[] {2}, false, true, true);
        // 00: stop processing, discard the rest, do not report
        List<Chunk> r00 = sent(p.feedB(p.tagOfB, List.of(new UnknownChunk(0x3e, 0, new byte[0]), data)));
        assertEquals(1, p.sim.b.messages.size());
        assertTrue(r00.stream().noneMatch(c -> c instanceof ErrorChunk));
        // 01: stop and report
        List<SctpOutput> o01 = p.feedB(p.tagOfB, List.of(new UnknownChunk(0x7e, 0, new byte[] {9}), data));
        ErrorChunk e = (ErrorChunk) sent(o01).stream().filter(c -> c instanceof ErrorChunk).findFirst().orElseThrow();
        assertArrayEquals(new byte[] {0x7e, 0, 0, 5, 9}, ((UnrecognizedChunkTypeCause) e.causes().get(0)).unrecognizedChunk());
        assertFalse(o01.stream().anyMatch(x -> x instanceof SctpOutput.MessageReceived));
        // 10: skip and continue silently
        List<SctpOutput> o10 = p.feedB(p.tagOfB, List.of(new UnknownChunk(0xbe, 0, new byte[0]), data));
        assertTrue(o10.stream().anyMatch(x -> x instanceof SctpOutput.MessageReceived));
        assertTrue(sent(o10).stream().noneMatch(c -> c instanceof ErrorChunk));
        // 11: skip, continue and report (the DATA is a duplicate now: SACK with a duplicate TSN)
        List<Chunk> r11 = sent(p.feedB(p.tagOfB, List.of(new UnknownChunk(0xfe, 0, new byte[0]), data)));
        assertTrue(r11.stream().anyMatch(c -> c instanceof ErrorChunk));
        SackChunk sack = (SackChunk) r11.stream().filter(c -> c instanceof SackChunk).findFirst().orElseThrow();
        assertArrayEquals(new int[] {tsn[0]}, sack.duplicateTsns());
    }

    @Test
    void abortVerificationTagRules() {
        Pair p = new Pair(94);
        org.jdatachannel.sctp.packet.chunk.AbortChunk plain = new org.jdatachannel.sctp.packet.chunk.AbortChunk(false, List.of());
        org.jdatachannel.sctp.packet.chunk.AbortChunk reflected = new org.jdatachannel.sctp.packet.chunk.AbortChunk(true, List.of());
        // §8.5.1 B: without T the tag must be B's own; with T it must be B's peer's tag (A's)
        assertTrue(p.feedB(p.tagOfA, List.of(plain)).isEmpty());
        assertTrue(p.feedB(p.tagOfB, List.of(reflected)).isEmpty());
        assertTrue(p.feedB(p.tagOfB + 1, List.of(plain)).isEmpty());
        assertEquals(AssociationState.ESTABLISHED, p.sim.b.assoc.state());
        List<SctpOutput> out = p.feedB(p.tagOfA, List.of(reflected));
        assertTrue(out.stream().anyMatch(o -> o instanceof SctpOutput.Closed c && c.aborted()));
        Pair q = new Pair(95);
        assertTrue(q.feedB(q.tagOfB, List.of(plain)).stream().anyMatch(o -> o instanceof SctpOutput.Closed));
        // after the end, stray packets are ignored ...
        assertTrue(q.feedB(q.tagOfB, List.of(new HeartbeatRequestChunk(List.of()))).isEmpty());
        // ... but before any association, an out-of-the-blue packet is answered with a reflected ABORT
        Association fresh = new Association(SctpOptions.defaults(), new java.util.SplittableRandom(96));
        fresh.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 1234, List.of(new HeartbeatRequestChunk(List.of())))
                .serialize()), 0);
        List<Chunk> ootb = sent(List.of(fresh.pollOutput()));
        assertTrue(ootb.get(0) instanceof org.jdatachannel.sctp.packet.chunk.AbortChunk a && a.tBit());
    }

    @Test
    void emptyDataAborts() {
        Pair p = new Pair(93);
        List<SctpOutput> out = p.feedB(p.tagOfB, List.of(new DataChunk(0, 0, 0, 51, new byte[0], false, true, true)));
        assertTrue(out.stream().anyMatch(o -> o instanceof SctpOutput.Closed c && c.aborted()));
    }

    /** Plausible chunks with TSNs and SSNs near the live ones, to reach deep protocol logic. */
    static List<Chunk> randomChunks(Random r, int dataTsn, int sackTsn) {
        List<Chunk> l = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            int near = dataTsn + r.nextInt(20) - 10;
            int nearAck = sackTsn + r.nextInt(20) - 10;
            switch (r.nextInt(8)) {
                case 0 -> l.add(new DataChunk(near, r.nextInt(4), r.nextInt(4), 51, new byte[1 + r.nextInt(50)],
                        r.nextBoolean(), r.nextBoolean(), r.nextBoolean()));
                case 1 -> {
                    List<SackChunk.GapAckBlock> gaps = new ArrayList<>();
                    for (int g = r.nextInt(4); g > 0; g--) {
                        int st = r.nextInt(30);
                        gaps.add(new SackChunk.GapAckBlock(st, st + r.nextInt(5) - 1));
                    }
                    l.add(new SackChunk(nearAck, r.nextInt(1 << 20), gaps, new int[r.nextInt(3)]));
                }
                case 2 -> l.add(new org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk(near,
                        List.of(new org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk.SkippedStream(r.nextInt(4), r.nextInt(6)))));
                case 3 -> l.add(new org.jdatachannel.sctp.packet.chunk.ReConfigChunk(List.of(
                        r.nextBoolean() ? new org.jdatachannel.sctp.packet.parameter.OutgoingSsnResetRequestParameter(
                                r.nextInt(3) - 1 + r.nextInt(), r.nextInt(), near, new int[] {r.nextInt(4)})
                                : new org.jdatachannel.sctp.packet.parameter.ReconfigurationResponseParameter(r.nextInt(), r.nextInt(8)))));
                case 4 -> l.add(new org.jdatachannel.sctp.packet.chunk.ShutdownChunk(nearAck));
                case 5 -> l.add(new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[r.nextInt(9)]))));
                case 6 -> l.add(new org.jdatachannel.sctp.packet.chunk.CookieEchoChunk(new byte[r.nextInt(90)]));
                default -> l.add(new UnknownChunk(r.nextInt(256) | 0x80, r.nextInt(256), new byte[r.nextInt(5)]));
            }
        }
        return l;
    }

    /** Garbage and mutated valid packets (with a correct checksum and tag) fed to an established association. */
    @Test
    void fuzzEstablishedAssociation() {
        long seed = System.nanoTime();
        LOG.info("fuzzEstablishedAssociation seed={}", seed); // re-run with this seed to reproduce
        Random r = new Random(seed);
        int aborted = 0;
        for (int round = 0; round < 30; round++) {
            Pair p = new Pair(r.nextLong());
            for (int i = 0; i < 20; i++) {
                p.sim.a.assoc.send(i % 3, 51, new byte[1 + r.nextInt(3000)], i % 2 == 0 ? SendOptions.RELIABLE_ORDERED
                        : new SendOptions(true, 1, -1), p.sim.now);
            }
            for (int i = 0; i < 10; i++) {
                p.sim.b.assoc.send(i % 3, 51, new byte[1 + r.nextInt(3000)], SendOptions.RELIABLE_ORDERED, p.sim.now);
            }
            p.sim.a.assoc.resetStreams(new int[] {2}, p.sim.now);
            p.sim.runFor(2000);
            List<byte[]> corpus = new ArrayList<>(p.aToB);
            int dataTsn = 0;
            int sackTsn = 0;
            for (byte[] v : corpus) {
                try {
                    for (Chunk c : SctpPacket.parse(ByteBuffer.wrap(v)).chunks()) {
                        if (c instanceof DataChunk d) {
                            dataTsn = d.tsn().value();
                        } else if (c instanceof SackChunk sk) {
                            sackTsn = sk.cumulativeTsnAck().value();
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            for (int i = 0; i < 400 && p.sim.b.closed == null; i++) {
                byte[] b;
                int kind = r.nextInt(5);
                if (kind == 4) {
                    b = new SctpPacket(5000, 5000, p.tagOfB, randomChunks(r, dataTsn, sackTsn)).serialize();
                } else if (kind == 0) {
                    b = new byte[12 + r.nextInt(100)];
                    r.nextBytes(b);
                } else {
                    byte[] v = corpus.get(r.nextInt(corpus.size()));
                    b = java.util.Arrays.copyOf(v, Math.max(16, v.length - (kind == 1 ? r.nextInt(8) : 0)));
                    int flips = 1 + r.nextInt(6);
                    for (int k = 0; k < flips; k++) {
                        int at = 12 + r.nextInt(b.length - 12);
                        b[at] = kind == 3 && at % 4 == 2 ? (byte) (b[at] + r.nextInt(3) - 1) : (byte) r.nextInt(256);
                    }
                }
                ByteBuffer bb = ByteBuffer.wrap(b);
                bb.putShort(0, (short) 5000).putShort(2, (short) 5000);
                if (r.nextInt(10) != 0) {
                    bb.putInt(4, p.tagOfB);
                }
                bb.putInt(8, Integer.reverseBytes(SctpPacket.crc32c(ByteBuffer.wrap(b))));
                p.sim.b.assoc.handleInput(ByteBuffer.wrap(b), p.sim.now);
                p.sim.runFor(r.nextInt(50));
            }
            assertEquals(0, p.sim.a.assoc.internalErrorCount(), "seed " + seed);
            assertEquals(0, p.sim.b.assoc.internalErrorCount(), "seed " + seed);
            aborted += p.sim.b.closed != null ? 1 : 0;
        }
        LOG.info("fuzz: {} of 30 associations ended (ABORT or invalid DATA), none crashed", aborted);
    }
}
