package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownAckChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownCompleteChunk;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/** RFC 9260 §9.2 SHUTDOWN and RFC 3758 partial reliability (FORWARD TSN). */
class ShutdownAndPartialReliabilityTest {

    static List<Chunk> chunks(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shutdownDrainsDataFirst() {
        NetSim sim = new NetSim(71);
        assertTrue(sim.connect(false));
        for (int i = 0; i < 20; i++) {
            sim.a.assoc.send(i % 2, 51, new byte[30_000], SendOptions.RELIABLE_ORDERED, sim.now);
        }
        List<String> seq = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            for (Chunk c : chunks(bytes)) {
                if (c instanceof ShutdownChunk || c instanceof ShutdownAckChunk || c instanceof ShutdownCompleteChunk) {
                    seq.add(p.name + ":" + c.getClass().getSimpleName());
                }
            }
            return false;
        };
        sim.a.assoc.shutdown(sim.now);
        assertEquals(AssociationState.SHUTDOWN_PENDING, sim.a.assoc.state());
        assertThrows(IllegalStateException.class,
                () -> sim.a.assoc.send(0, 51, new byte[1], SendOptions.RELIABLE_ORDERED, sim.now));
        assertTrue(sim.runUntil(() -> sim.a.closed != null && sim.b.closed != null, sim.now + 30_000));
        assertEquals(20, sim.b.messages.size());
        assertFalse(sim.a.closed.aborted());
        assertFalse(sim.b.closed.aborted());
        assertEquals(List.of("A:ShutdownChunk", "B:ShutdownAckChunk", "A:ShutdownCompleteChunk"), seq);
        assertEquals(AssociationState.CLOSED, sim.a.assoc.state());
        assertEquals(AssociationState.CLOSED, sim.b.assoc.state());
        assertEquals(Long.MAX_VALUE, sim.a.assoc.pollTimeout());
        assertEquals(Long.MAX_VALUE, sim.b.assoc.pollTimeout());
    }

    @Test
    void simultaneousShutdown() {
        NetSim sim = new NetSim(72);
        assertTrue(sim.connect(true));
        sim.a.assoc.send(0, 51, new byte[5000], SendOptions.RELIABLE_ORDERED, sim.now);
        sim.b.assoc.send(0, 51, new byte[5000], SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.shutdown(sim.now);
        sim.b.assoc.shutdown(sim.now);
        assertTrue(sim.runUntil(() -> sim.a.closed != null && sim.b.closed != null, sim.now + 30_000));
        assertEquals(1, sim.a.messages.size());
        assertEquals(1, sim.b.messages.size());
        assertFalse(sim.a.closed.aborted() || sim.b.closed.aborted());
    }

    @Test
    void lostShutdownPacketsAreRetransmitted() {
        NetSim sim = new NetSim(73);
        assertTrue(sim.connect(false));
        int[] n = {0, 0, 0};
        sim.dropFilter = (p, bytes) -> {
            Chunk c = chunks(bytes).get(0);
            if (c instanceof ShutdownChunk) {
                return n[0]++ == 0;
            }
            if (c instanceof ShutdownAckChunk) {
                return n[1]++ == 0;
            }
            if (c instanceof ShutdownCompleteChunk) {
                return n[2]++ == 0; // B retransmits SHUTDOWN ACK; A (closed) answers out of the blue
            }
            return false;
        };
        sim.a.assoc.shutdown(sim.now);
        assertTrue(sim.runUntil(() -> sim.a.closed != null && sim.b.closed != null, sim.now + 30_000));
        assertFalse(sim.a.closed.aborted());
        assertFalse(sim.b.closed.aborted());
        assertEquals(2, n[2]);
    }

    @Test
    void shutdownBeforeEstablishedClosesAtOnce() {
        NetSim sim = new NetSim(74);
        sim.a.assoc.connect(0);
        sim.a.assoc.shutdown(0);
        sim.drain();
        assertTrue(sim.a.closed != null && !sim.a.closed.aborted());
    }

    @Test
    void abandonedMessagesAreSkippedWithForwardTsn() {
        NetSim sim = new NetSim(75);
        assertTrue(sim.connect(false));
        List<ForwardTsnChunk> fwd = new ArrayList<>();
        boolean[] dropped = {false};
        sim.dropFilter = (p, bytes) -> {
            for (Chunk c : chunks(bytes)) {
                if (c instanceof ForwardTsnChunk f) {
                    fwd.add(f);
                }
                if (c instanceof DataChunk d && d.payload()[0] == 2 && !dropped[0]) {
                    dropped[0] = true;
                    return true;
                }
            }
            return false;
        };
        SendOptions unreliable = new SendOptions(false, 0, -1);
        for (int i = 1; i <= 5; i++) {
            sim.a.assoc.send(4, 51, new byte[] {(byte) i}, unreliable, sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 4, sim.now + 10_000));
        assertEquals(List.of(1, 3, 4, 5), sim.b.messages.stream().map(m -> (int) m.payload()[0]).toList());
        assertFalse(fwd.isEmpty());
        assertEquals(4, fwd.get(0).skipped().get(0).streamId().value());
        // the stream keeps working, and reliable messages are never abandoned
        sim.a.assoc.send(4, 51, new byte[] {6}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 5, sim.now + 10_000));
        sim.runFor(5000);
        assertTrue(sim.a.assoc.isIdle(), "all acknowledged, no timer but the heartbeat");
    }

    @Test
    void forwardTsnInsideFragmentedMessage() {
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(100_000).build();
        NetSim sim = new NetSim(76, o, o);
        assertTrue(sim.connect(false));
        int[] dataSeen = {0};
        sim.dropFilter = (p, bytes) -> {
            for (Chunk c : chunks(bytes)) {
                if (c instanceof DataChunk d && d.payload().length > 100 && !d.beginning() && !d.end()) {
                    return dataSeen[0]++ == 3; // lose one middle fragment once
                }
            }
            return false;
        };
        sim.a.assoc.send(7, 53, new byte[50_000], new SendOptions(false, 0, -1), sim.now);
        sim.a.assoc.send(7, 53, new byte[] {9}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.send(8, 53, new byte[] {10}, new SendOptions(true, 0, -1), sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 2, sim.now + 10_000));
        sim.runFor(5000);
        assertEquals(2, sim.b.messages.size(), "the abandoned big message is never delivered");
        assertNull(sim.a.closed);
        assertNull(sim.b.closed);
        assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
    }

    @Test
    void expiredLifetimeMessagesAreNotSent() {
        NetSim sim = new NetSim(77);
        assertTrue(sim.connect(false));
        // fill the congestion window so that later messages wait in the queue past their lifetime
        for (int i = 0; i < 40; i++) {
            sim.a.assoc.send(1, 51, new byte[1000], new SendOptions(false, -1, 1), sim.now);
        }
        sim.a.assoc.send(1, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.stream().anyMatch(m -> m.payload().length == 1), sim.now + 10_000));
        int delivered = sim.b.messages.size();
        assertTrue(delivered < 41, "some expired messages were dropped: " + delivered);
        sim.runFor(3000);
        assertEquals(delivered, sim.b.messages.size());
    }

    @Test
    void partialReliabilityUnderLoss() {
        for (long seed = 80; seed < 86; seed++) {
            NetSim sim = new NetSim(seed);
            assertTrue(sim.connect(false));
            sim.loss = 0.15;
            sim.jitterMs = 20;
            int reliable = 0;
            for (int i = 0; i < 200; i++) {
                boolean rel = i % 3 == 0;
                SendOptions so = rel ? SendOptions.RELIABLE_ORDERED : new SendOptions(i % 2 == 0, 1, -1);
                byte[] p = new byte[1 + (i * 37) % 4000];
                p[0] = (byte) (rel ? 1 : 0);
                sim.a.assoc.send(i % 4, 51, p, so, sim.now);
                reliable += rel ? 1 : 0;
            }
            final int want = reliable;
            final NetSim fs = sim;
            assertTrue(sim.runUntil(() -> fs.b.messages.stream().filter(m -> m.payload()[0] == 1).count() == want
                    && fs.a.assoc.isIdle(), sim.now + 300_000), "seed " + seed);
            assertNull(sim.a.closed);
            assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
        }
    }
}
