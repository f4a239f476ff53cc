package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.parameter.StateCookieParameter;
import org.junit.jupiter.api.Test;

/**
 * RFC 9260 §5.2.1-§5.2.4 with a scripted peer: INIT in COOKIE-WAIT / COOKIE-ECHOED / ESTABLISHED,
 * Tie-Tags in the State Cookie, INIT ACK in the wrong state, and COOKIE ECHO case B.
 */
class CollisionTest {
    private static final int PEER_TAG = 0x11111111;
    private static final int PEER_TAG_2 = 0x22222222;

    static List<Chunk> chunks(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<byte[]> out(Association a) {
        List<byte[]> l = new ArrayList<>();
        for (SctpOutput o; (o = a.pollOutput()) != null; ) {
            if (o instanceof SctpOutput.SendPacket p) {
                l.add(p.packet());
            }
        }
        return l;
    }

    static void feed(Association a, int vtag, Chunk c, long now) {
        a.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, vtag, List.of(c)).serialize()), now);
    }

    static InitChunk init(int tag) {
        return new InitChunk(tag, 100_000, 16, 16, 1000, List.of());
    }

    /** The tie-tags inside one of our cookies (layout in {@link StateCookie}). */
    static int[] tieTags(InitAckChunk ack) {
        ByteBuffer c = ByteBuffer.wrap(ack.parameter(StateCookieParameter.class).cookie());
        return new int[] {c.getInt(41), c.getInt(45)};
    }

    static int tagOf(byte[] packet) {
        return ByteBuffer.wrap(packet).getInt(4);
    }

    @Test
    void initInCookieWaitIsAnsweredWithOurOwnInitiateTag() {
        Association a = new Association(SctpOptions.defaults(), new SplittableRandom(701));
        a.connect(0);
        InitChunk ours = (InitChunk) chunks(out(a).get(0)).get(0);
        long t1 = a.pollTimeout();
        feed(a, 0, init(PEER_TAG), 5);
        List<byte[]> o = out(a);
        assertEquals(1, o.size());
        // §5.2.1: "respond with an INIT ACK using the same parameters it sent in its original INIT chunk
        // (including its Initiate Tag, unchanged)", sent to the new INIT's tag
        InitAckChunk ack = (InitAckChunk) chunks(o.get(0)).get(0);
        assertEquals(ours.initiateTag(), ack.initiateTag());
        assertEquals(ours.initialTsn(), ack.initialTsn());
        assertEquals(PEER_TAG, tagOf(o.get(0)));
        assertEquals(0, tieTags(ack)[0]);
        assertEquals(0, tieTags(ack)[1]);
        // "... MUST NOT modify its own state": still COOKIE-WAIT with T1-init running as before
        assertEquals(AssociationState.COOKIE_WAIT, a.state());
        assertEquals(t1, a.pollTimeout());
    }

    /** A in COOKIE-ECHOED: it sent INIT, got an INIT ACK from a peer using {@code PEER_TAG}. */
    static Association cookieEchoed(long seed, int[] ourTag) {
        Association a = new Association(SctpOptions.defaults(), new SplittableRandom(seed));
        a.connect(0);
        InitChunk ours = (InitChunk) chunks(out(a).get(0)).get(0);
        ourTag[0] = ours.initiateTag().value();
        feed(a, ourTag[0], new InitAckChunk(PEER_TAG, 100_000, 16, 16, 5000,
                List.of(new StateCookieParameter(new byte[] {1, 2, 3}))), 10);
        List<byte[]> echo = out(a);
        assertInstanceOf(CookieEchoChunk.class, chunks(echo.get(0)).get(0));
        assertEquals(AssociationState.COOKIE_ECHOED, a.state());
        return a;
    }

    @Test
    void initInCookieEchoedCarriesTieTags() {
        int[] tag = new int[1];
        Association a = cookieEchoed(702, tag);
        feed(a, 0, init(PEER_TAG_2), 20);
        List<byte[]> o = out(a);
        InitAckChunk ack = (InitAckChunk) chunks(o.get(0)).get(0);
        assertEquals(tag[0], ack.initiateTag().value(), "§5.2.1: our Initiate Tag, unchanged");
        // §5.2.1: in COOKIE-ECHOED "the endpoint MUST populate its Tie-Tags within both the association
        // TCB and inside the State Cookie"
        assertEquals(tag[0], tieTags(ack)[0]);
        assertEquals(PEER_TAG, tieTags(ack)[1]);
        assertEquals(AssociationState.COOKIE_ECHOED, a.state());
    }

    @Test
    void cookieEchoCaseBInCookieEchoedAdoptsThePeersNewTag() {
        int[] tag = new int[1];
        Association a = cookieEchoed(703, tag);
        // the peer sends a new INIT (new tag) and echoes the cookie of our answer
        feed(a, 0, init(PEER_TAG_2), 20);
        InitAckChunk ack = (InitAckChunk) chunks(out(a).get(0)).get(0);
        feed(a, tag[0], new CookieEchoChunk(ack.parameter(StateCookieParameter.class).cookie()), 30);
        // §5.2.4 B (local tag matches, peer tag does not): "the endpoint should always enter the
        // ESTABLISHED state ... It SHOULD stop any cookie timer ... send a COOKIE ACK"
        List<SctpOutput> events = new ArrayList<>();
        List<byte[]> pkts = new ArrayList<>();
        for (SctpOutput x; (x = a.pollOutput()) != null; ) {
            if (x instanceof SctpOutput.SendPacket p) {
                pkts.add(p.packet());
            } else {
                events.add(x);
            }
        }
        assertEquals(AssociationState.ESTABLISHED, a.state());
        assertEquals(1, events.stream().filter(e -> e instanceof SctpOutput.Connected).count());
        assertInstanceOf(CookieAckChunk.class, chunks(pkts.get(0)).get(0));
        assertEquals(PEER_TAG_2, tagOf(pkts.get(0)), "the peer's new tag is used from now on");
        a.send(0, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, 40);
        byte[] data = out(a).get(0);
        assertEquals(PEER_TAG_2, tagOf(data));
        assertInstanceOf(DataChunk.class, chunks(data).get(0));
    }

    @Test
    void initAckOutsideCookieWaitIsDiscarded() {
        int[] tag = new int[1];
        Association a = cookieEchoed(704, tag);
        // §5.2.3: "If an INIT ACK is received by an endpoint in any state other than the COOKIE-WAIT
        // state, the endpoint SHOULD discard the INIT ACK chunk"
        long timer = a.pollTimeout();
        feed(a, tag[0], new InitAckChunk(PEER_TAG_2, 100_000, 16, 16, 7000,
                List.of(new StateCookieParameter(new byte[] {9}))), 50);
        assertTrue(out(a).isEmpty());
        assertEquals(AssociationState.COOKIE_ECHOED, a.state());
        assertEquals(timer, a.pollTimeout(), "T1-cookie untouched");
    }

    @Test
    void initWhenEstablishedCarriesTheCurrentTagsAsTieTags() {
        RobustnessTest.Pair p = new RobustnessTest.Pair(705);
        p.sim.b.assoc.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 0, List.of(init(PEER_TAG))).serialize()),
                p.sim.now);
        List<byte[]> o = out(p.sim.b.assoc);
        InitAckChunk ack = (InitAckChunk) chunks(o.get(0)).get(0);
        // §5.2.2: "... the Tie-Tags MUST be set to the current tags" (ours, the peer's) and the Initiate
        // Tag is a new random one
        assertEquals(p.tagOfB, tieTags(ack)[0]);
        assertEquals(p.tagOfA, tieTags(ack)[1]);
        assertTrue(ack.initiateTag().value() != p.tagOfB && ack.initiateTag().value() != 0);
        assertEquals(PEER_TAG, tagOf(o.get(0)));
        assertEquals(AssociationState.ESTABLISHED, p.sim.b.assoc.state());
    }
}
