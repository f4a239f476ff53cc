package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownAckChunk;
import org.jdatachannel.sctp.packet.errorcause.CookieReceivedWhileShuttingDownCause;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/**
 * RFC 9260 §5.2.4 case A: the peer restarts (loses its state and sets up a new association over the
 * same path). The restarted peer is a fresh {@link Association} wired to the survivor by hand.
 */
class RestartTest {

    static List<Chunk> chunks(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** One side of the hand-wired pair: its association and what it emitted besides packets. */
    static final class End {
        final Association assoc;
        final List<SctpOutput> events = new ArrayList<>();
        final List<SctpOutput.MessageReceived> messages = new ArrayList<>();

        End(Association assoc) {
            this.assoc = assoc;
        }

        /** Drains outputs; returns the packets. */
        List<byte[]> packets() {
            List<byte[]> l = new ArrayList<>();
            for (SctpOutput o; (o = assoc.pollOutput()) != null; ) {
                if (o instanceof SctpOutput.SendPacket p) {
                    l.add(p.packet());
                } else {
                    events.add(o);
                    if (o instanceof SctpOutput.MessageReceived m) {
                        messages.add(m);
                    }
                }
            }
            return l;
        }

        boolean has(Class<?> type) {
            return events.stream().anyMatch(type::isInstance);
        }
    }

    /** Moves packets both ways (zero delay) until quiet; {@code drop} sees (sender, packet). */
    static void exchange(End x, End y, long now, java.util.function.BiPredicate<End, byte[]> drop) {
        boolean any = true;
        while (any) {
            any = false;
            for (End from : new End[] {x, y}) {
                End to = from == x ? y : x;
                for (byte[] p : from.packets()) {
                    any = true;
                    if (!drop.test(from, p)) {
                        to.assoc.handleInput(ByteBuffer.wrap(p), now);
                    }
                }
            }
        }
    }

    static boolean first(byte[] p, Predicate<Chunk> what) {
        return what.test(chunks(p).get(0));
    }

    @Test
    void peerRestartGivesANewSessionAndARestartedEvent() {
        NetSim sim = new NetSim(401);
        assertTrue(sim.connect(false));
        sim.a.assoc.send(1, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.send(1, 51, new byte[] {2}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 2 && sim.a.assoc.isIdle(), sim.now + 5000));
        End a = new End(sim.a.assoc);
        a.packets();
        // data sent just before B crashes never arrives (in flight, SSN 2) and a large message waits in the queue
        a.assoc.send(1, 51, new byte[] {3}, SendOptions.RELIABLE_ORDERED, sim.now);
        for (int i = 0; i < 3; i++) {
            a.assoc.send(2, 51, new byte[60_000], SendOptions.RELIABLE_ORDERED, sim.now);
        }
        a.packets();
        assertTrue(a.assoc.bufferedAmount(2) > 0);
        // B restarts: a fresh association with the same ports connects again
        End b2 = new End(new Association(SctpOptions.defaults(), new SplittableRandom(4011)));
        long t = sim.now;
        b2.assoc.connect(t);
        exchange(a, b2, t, (from, p) -> false);
        assertTrue(b2.has(SctpOutput.Connected.class));
        assertTrue(a.has(SctpOutput.Restarted.class), a.events.toString());
        assertFalse(a.has(SctpOutput.Closed.class));
        assertEquals(AssociationState.ESTABLISHED, a.assoc.state());
        assertEquals(0, a.assoc.bufferedAmount(2), "the old session's queued data is discarded");
        // both directions work in the new session, streams start over at SSN 0 (B2 would hold SSN 3 forever)
        a.assoc.send(1, 51, new byte[] {4}, SendOptions.RELIABLE_ORDERED, t);
        b2.assoc.send(1, 51, new byte[] {5}, SendOptions.RELIABLE_ORDERED, t);
        exchange(a, b2, t, (from, p) -> false);
        assertEquals(1, b2.messages.size(), "only the new message, nothing of the old session: " + b2.messages);
        assertEquals(4, b2.messages.get(0).payload()[0]);
        assertEquals(1, a.messages.size());
        assertEquals(5, a.messages.get(0).payload()[0]);
        // and no timer of the old session survives (T3-rtx for the lost DATA, ...)
        for (long end = t + 10_000; t < end; t += 100) {
            a.assoc.handleTimeout(t);
            b2.assoc.handleTimeout(t);
            exchange(a, b2, t, (from, p) -> false);
        }
        assertTrue(a.assoc.isIdle() && b2.assoc.isIdle());
        assertEquals(1, b2.messages.size());
        assertEquals(0, a.assoc.internalErrorCount() + b2.assoc.internalErrorCount());
    }

    @Test
    void restartWhileShuttingDownIsRefusedWithCookieReceivedWhileShuttingDown() {
        NetSim sim = new NetSim(402);
        assertTrue(sim.connect(false));
        End a = new End(sim.a.assoc);
        End b = new End(sim.b.assoc);
        long t = sim.now;
        // B2 (B restarted) gets its INIT ACK while A is still established, and its COOKIE ECHO is held
        End b2 = new End(new Association(SctpOptions.defaults(), new SplittableRandom(4021)));
        b2.assoc.connect(t);
        List<byte[]> held = new ArrayList<>();
        exchange(a, b2, t, (from, p) -> {
            if (first(p, c -> c instanceof CookieEchoChunk)) {
                held.add(p);
                return true;
            }
            return false;
        });
        assertEquals(1, held.size());
        // meanwhile the old B shuts down; A answers SHUTDOWN ACK (lost) and is in SHUTDOWN-ACK-SENT
        b.assoc.shutdown(t);
        exchange(a, b, t, (from, p) -> first(p, c -> c instanceof ShutdownAckChunk));
        assertEquals(AssociationState.SHUTDOWN_ACK_SENT, a.assoc.state());
        a.assoc.handleInput(ByteBuffer.wrap(held.get(0)), t);
        List<byte[]> answer = a.packets();
        assertEquals(1, answer.size());
        // §5.2.4: "... it MUST NOT set up a new association but instead resend the SHUTDOWN ACK chunk and
        // send an ERROR chunk with a 'Cookie Received While Shutting Down' error cause to its peer"
        List<Chunk> cs = chunks(answer.get(0));
        assertInstanceOf(ShutdownAckChunk.class, cs.get(0));
        ErrorChunk err = assertInstanceOf(ErrorChunk.class, cs.get(1));
        assertInstanceOf(CookieReceivedWhileShuttingDownCause.class, err.causes().get(0));
        assertFalse(a.has(SctpOutput.Restarted.class));
        assertEquals(AssociationState.SHUTDOWN_ACK_SENT, a.assoc.state());
        assertTrue(cs.stream().noneMatch(c -> c instanceof CookieAckChunk));
    }

    @Test
    void initInEstablishedIsAnsweredWithNewTagAndTieTagsButCreatesNoState() {
        NetSim sim = new NetSim(403);
        assertTrue(sim.connect(false));
        End a = new End(sim.a.assoc);
        a.packets();
        End b2 = new End(new Association(SctpOptions.defaults(), new SplittableRandom(4031)));
        b2.assoc.connect(sim.now);
        byte[] init = b2.packets().get(0);
        for (int i = 0; i < 3; i++) {
            a.assoc.handleInput(ByteBuffer.wrap(init), sim.now);
        }
        List<byte[]> acks = a.packets();
        assertEquals(3, acks.size());
        // §5.2.2: "... respond with an INIT ACK ... with a new random Initiate Tag"; each one differs and
        // none is A's current tag; nothing changes until a valid COOKIE ECHO comes back
        java.util.Set<Integer> tags = new java.util.HashSet<>();
        for (byte[] p : acks) {
            tags.add(((InitAckChunk) chunks(p).get(0)).initiateTag().value());
        }
        assertEquals(3, tags.size());
        assertEquals(AssociationState.ESTABLISHED, a.assoc.state());
        assertTrue(a.events.isEmpty());
        // the established association still works with the old B
        sim.a.assoc.send(0, 51, new byte[] {7}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 1, sim.now + 5000));
        assertNull(sim.a.closed);
    }

    @Test
    void shutdownChunkIsIgnoredInCookieStates() {
        // §9.2: "If a SHUTDOWN chunk is received in the COOKIE-WAIT or COOKIE ECHOED state, the SHUTDOWN
        // chunk SHOULD be silently discarded."
        NetSim sim = new NetSim(404);
        sim.dropFilter = (p, bytes) -> first(bytes, c -> c instanceof CookieAckChunk);
        sim.a.assoc.connect(0);
        assertTrue(sim.runUntil(() -> sim.b.connected, 5000));
        assertEquals(AssociationState.COOKIE_ECHOED, sim.a.assoc.state());
        sim.dropFilter = (p, bytes) -> false;
        sim.b.assoc.shutdown(sim.now);
        assertTrue(sim.runUntil(() -> sim.a.closed != null && sim.b.closed != null, sim.now + 30_000));
        assertFalse(sim.a.closed.aborted(), "A completed the handshake (COOKIE ECHO retransmitted) and then the shutdown");
        assertTrue(sim.a.events.stream().anyMatch(e -> e instanceof SctpOutput.Connected));
    }
}
