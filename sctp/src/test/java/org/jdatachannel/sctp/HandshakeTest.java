package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.parameter.ForwardTsnSupportedParameter;
import org.jdatachannel.sctp.packet.parameter.SupportedExtensionsParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/** RFC 9260 §5 association setup, including INIT collisions (§5.2) and lost handshake packets. */
class HandshakeTest {

    static Chunk firstChunk(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks().get(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oneSideConnects() {
        NetSim sim = new NetSim(1);
        List<String> seen = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            seen.add(p.name + ":" + firstChunk(bytes).getClass().getSimpleName());
            return false;
        };
        assertTrue(sim.connect(false));
        assertEquals(List.of("A:InitChunk", "B:InitAckChunk", "A:CookieEchoChunk", "B:CookieAckChunk"), seen);
        assertEquals(AssociationState.ESTABLISHED, sim.a.assoc.state());
        assertEquals(AssociationState.ESTABLISHED, sim.b.assoc.state());
        assertTrue(sim.a.assoc.isIdle(), "no timer left running after setup but the heartbeat");
    }

    @Test
    void initAdvertisesExtensionsAndStreams() {
        Association a = new Association(SctpOptions.defaults(), new java.util.SplittableRandom(3));
        a.connect(0);
        SctpOutput o = a.pollOutput();
        byte[] bytes = ((SctpOutput.SendPacket) o).packet();
        assertEquals(0, ByteBuffer.wrap(bytes).getInt(4), "INIT carries verification tag 0");
        InitChunk init = (InitChunk) firstChunk(bytes);
        assertEquals(65535, init.outboundStreams());
        assertEquals(65535, init.inboundStreams());
        assertEquals(1024 * 1024, init.aRwnd());
        SupportedExtensionsParameter ext = init.parameter(SupportedExtensionsParameter.class);
        assertTrue(ext.supports(0x82) && ext.supports(0xC0));
        assertTrue(init.parameter(ForwardTsnSupportedParameter.class) != null);
        assertEquals(AssociationState.COOKIE_WAIT, a.state());
        assertEquals(1000, a.pollTimeout(), "T1-init runs with RTO.Initial");
    }

    @Test
    void bothSidesConnectAtOnce() {
        NetSim sim = new NetSim(2);
        assertTrue(sim.connect(true));
        sim.runFor(5000);
        assertTrue(sim.a.closed == null && sim.b.closed == null);
        // exactly one Connected each
        assertEquals(1, sim.a.events.stream().filter(e -> e instanceof SctpOutput.Connected).count());
        assertEquals(1, sim.b.events.stream().filter(e -> e instanceof SctpOutput.Connected).count());
        // and data flows both ways afterwards, proving the tags agree
        sim.a.assoc.send(1, 51, new byte[] {1, 2, 3}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.b.assoc.send(2, 53, new byte[] {4}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.a.messages.size() == 1 && sim.b.messages.size() == 1, sim.now + 10_000));
    }

    @Test
    void collisionWithVariousDelaysAndSeeds() {
        for (long seed = 10; seed < 40; seed++) {
            NetSim sim = new NetSim(seed);
            sim.delayMs = 1 + seed % 7;
            sim.jitterMs = seed % 5;
            sim.a.assoc.connect(0);
            sim.runFor(seed % 4); // B connects slightly later, crossing packets in different orders
            sim.b.assoc.connect(sim.now);
            assertTrue(sim.runUntil(() -> sim.a.connected && sim.b.connected, 30_000), "seed " + seed);
            sim.a.assoc.send(0, 51, new byte[] {9}, SendOptions.RELIABLE_ORDERED, sim.now);
            sim.b.assoc.send(0, 51, new byte[] {8}, SendOptions.RELIABLE_ORDERED, sim.now);
            assertTrue(sim.runUntil(() -> sim.a.messages.size() == 1 && sim.b.messages.size() == 1, sim.now + 10_000),
                    "seed " + seed);
        }
    }

    @Test
    void lostInitIsRetransmittedWithBackoff() {
        NetSim sim = new NetSim(4);
        int[] inits = {0};
        sim.dropFilter = (p, bytes) -> firstChunk(bytes) instanceof InitChunk && inits[0]++ < 2;
        assertTrue(sim.connect(false));
        assertEquals(3, inits[0]);
        assertTrue(sim.now >= 1000 + 2000, "second retransmission after a doubled RTO, now=" + sim.now);
    }

    @Test
    void lostCookieEchoAndCookieAck() {
        NetSim sim = new NetSim(5);
        int[] echoes = {0};
        int[] acks = {0};
        sim.dropFilter = (p, bytes) -> {
            Chunk c = firstChunk(bytes);
            if (c instanceof CookieEchoChunk) {
                return echoes[0]++ == 0;
            }
            if (c instanceof CookieAckChunk) {
                return acks[0]++ == 0; // B is established, A retransmits COOKIE ECHO: duplicate cookie
            }
            return false;
        };
        assertTrue(sim.connect(false));
        assertEquals(3, echoes[0]);
        assertEquals(2, acks[0]);
        assertEquals(1, sim.b.events.stream().filter(e -> e instanceof SctpOutput.Connected).count());
    }

    @Test
    void dataFromThePeerActsAsALostCookieAck() {
        NetSim sim = new NetSim(12);
        sim.dropFilter = (p, bytes) -> firstChunk(bytes) instanceof CookieAckChunk;
        sim.a.assoc.connect(0);
        assertTrue(sim.runUntil(() -> sim.b.connected, 5000));
        assertEquals(AssociationState.COOKIE_ECHOED, sim.a.assoc.state());
        sim.b.assoc.send(0, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.a.connected && sim.a.messages.size() == 1, sim.now + 5000));
    }

    @Test
    void initAckToUnknownStateIsIgnoredAndTooManyInitsFail() {
        SctpOptions o = SctpOptions.builder().maxInitRetransmits(2).build();
        NetSim sim = new NetSim(6, o, o);
        sim.dropFilter = (p, bytes) -> true;
        sim.a.assoc.connect(0);
        sim.runFor(60_000);
        assertTrue(sim.a.closed != null && sim.a.closed.aborted());
        assertEquals(3, sim.a.packetsSent, "INIT plus two retransmissions");
        assertEquals(AssociationState.CLOSED, sim.a.assoc.state());
        assertNull(sim.b.closed);
    }

    @Test
    void packetWithWrongTagIsDropped() {
        NetSim sim = new NetSim(7);
        assertTrue(sim.connect(false));
        // forge a DATA-less packet with a wrong tag: a COOKIE ACK; must not change anything
        byte[] forged = new SctpPacket(5000, 5000, 0x12345678, List.of(new CookieAckChunk(false))).serialize();
        sim.a.assoc.handleInput(ByteBuffer.wrap(forged), sim.now);
        assertNull(sim.a.assoc.pollOutput());
        assertEquals(AssociationState.ESTABLISHED, sim.a.assoc.state());
    }

    @Test
    void forgedCookieIsDropped() {
        Association b = new Association(SctpOptions.defaults(), new java.util.SplittableRandom(8));
        byte[] forged = new SctpPacket(5000, 5000, 42, List.of(new CookieEchoChunk(new byte[81]))).serialize();
        b.handleInput(ByteBuffer.wrap(forged), 0);
        assertNull(b.pollOutput());
        assertEquals(AssociationState.CLOSED, b.state());
    }

    @Test
    void staleCookieIsReported() {
        NetSim sim = new NetSim(9);
        // Hold A's COOKIE ECHO beyond the cookie lifetime (60 s) by dropping it and delaying A's timer.
        List<byte[]> held = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (firstChunk(bytes) instanceof CookieEchoChunk && held.isEmpty()) {
                held.add(bytes);
                return true;
            }
            return false;
        };
        sim.a.assoc.connect(0);
        sim.runUntil(() -> !held.isEmpty(), 1000);
        Association b = sim.b.assoc;
        b.handleInput(ByteBuffer.wrap(held.get(0)), 120_000);
        SctpOutput o = b.pollOutput();
        Chunk c = firstChunk(((SctpOutput.SendPacket) o).packet());
        assertTrue(c instanceof org.jdatachannel.sctp.packet.chunk.ErrorChunk e
                && e.causes().get(0) instanceof org.jdatachannel.sctp.packet.errorcause.StaleCookieCause, c.toString());
        assertFalse(sim.b.connected);
    }

    @Test
    void initAckEchoesOnlyNegotiatedStreams() {
        SctpOptions small = SctpOptions.builder().outboundStreams(10).inboundStreams(20).build();
        NetSim sim = new NetSim(11, SctpOptions.defaults(), small);
        List<InitAckChunk> acks = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (firstChunk(bytes) instanceof InitAckChunk ia) {
                acks.add(ia);
            }
            return false;
        };
        assertTrue(sim.connect(false));
        assertEquals(10, acks.get(0).outboundStreams());
        // A may send on streams 0..19 only (B's MIS = 20)
        sim.a.assoc.send(19, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sim.a.assoc.send(20, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now));
    }
}
