package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.errorcause.StaleCookieCause;
import org.jdatachannel.sctp.packet.parameter.CookiePreservativeParameter;
import org.jdatachannel.sctp.packet.parameter.StateCookieParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/**
 * RFC 9260 §5.1 T1-init / T1-cookie retransmission and the State Cookie (§5.1.3, §5.1.5, §5.2.6):
 * HMAC, lifetime, Stale Cookie error, Cookie Preservative, forged cookies.
 */
class CookieAndInitTimerTest {

    static List<Chunk> chunks(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<byte[]> packets(Association x) {
        List<byte[]> l = new ArrayList<>();
        for (SctpOutput o; (o = x.pollOutput()) != null; ) {
            if (o instanceof SctpOutput.SendPacket p) {
                l.add(p.packet());
            }
        }
        return l;
    }

    @Test
    void cookieEchoIsRetransmittedUnchangedWithBackoffThenGivesUp() {
        SctpOptions o = SctpOptions.builder().maxInitRetransmits(3).build();
        NetSim sim = new NetSim(501, o, o);
        List<Long> times = new ArrayList<>();
        List<byte[]> cookies = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (chunks(bytes).get(0) instanceof CookieEchoChunk ce) {
                times.add(sim.now);
                cookies.add(ce.cookie());
                return true; // B never sees it
            }
            return false;
        };
        sim.a.assoc.connect(0);
        assertTrue(sim.runUntil(() -> sim.a.closed != null, 600_000));
        // the COOKIE ECHO plus Max.Init.Retransmits (3) retransmissions of the very same cookie
        assertEquals(4, times.size());
        for (byte[] c : cookies) {
            assertArrayEquals(cookies.get(0), c);
        }
        // T1-cookie starts with the RTO (RTO.Initial 1 s) and doubles each time (§6.3.3 E2 via §5.1 C)
        long t0 = times.get(0);
        assertEquals(List.of(1000L, 3000L, 7000L), times.subList(1, 4).stream().map(t -> t - t0).toList());
        assertTrue(sim.a.closed.aborted());
        assertTrue(sim.a.closed.reason().contains("COOKIE ECHO"), sim.a.closed.reason());
        assertEquals(AssociationState.CLOSED, sim.a.assoc.state());
        assertEquals(Long.MAX_VALUE, sim.a.assoc.pollTimeout());
        assertNull(sim.b.closed);
        assertEquals(AssociationState.CLOSED, sim.b.assoc.state(), "B never created state");
    }

    @Test
    void initRetransmissionsFollowTheRfcBackoffAndGiveUpWithAReason() {
        SctpOptions o = SctpOptions.builder().maxInitRetransmits(4).initialRtoMs(500).maxRtoMs(3000).minRtoMs(100).build();
        NetSim sim = new NetSim(502, o, o);
        List<Long> times = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            times.add(sim.now);
            return true;
        };
        sim.a.assoc.connect(0);
        assertTrue(sim.runUntil(() -> sim.a.closed != null, 600_000));
        // 500, 1000, 2000, then capped at RTO.Max 3000
        assertEquals(List.of(0L, 500L, 1500L, 3500L, 6500L), times);
        assertTrue(sim.a.closed.reason().contains("INIT") && sim.a.closed.reason().contains("4"), sim.a.closed.reason());
        assertEquals(9500, sim.now, "gave up when the last T1-init expired");
    }

    @Test
    void dataQueuedDuringTheHandshakeIsDeliveredOnceDespiteLostHandshakePackets() {
        NetSim sim = new NetSim(503);
        int[] n = new int[3];
        sim.dropFilter = (p, bytes) -> {
            Chunk c = chunks(bytes).get(0);
            if (c instanceof InitChunk) {
                return n[0]++ == 0;
            }
            if (c instanceof CookieEchoChunk) {
                return n[1]++ == 0;
            }
            if (c instanceof CookieAckChunk) {
                return n[2]++ == 0;
            }
            return false;
        };
        sim.a.assoc.send(0, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, 0);
        sim.a.assoc.connect(0);
        sim.a.assoc.send(0, 51, new byte[] {2}, SendOptions.RELIABLE_ORDERED, 0);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 2 && sim.a.assoc.isIdle(), 60_000));
        sim.runFor(5000);
        assertEquals(2, sim.b.messages.size());
        assertEquals(1, sim.b.messages.get(0).payload()[0]);
        assertEquals(2, sim.b.messages.get(1).payload()[0]);
    }

    /** A fresh B that answered A's INIT, and the INIT ACK it sent. */
    record Answered(Association b, InitAckChunk initAck, int tagOfB) {
        byte[] cookie() {
            return initAck.parameter(StateCookieParameter.class).cookie();
        }
    }

    static Answered answeredInit(long seed, SctpOptions bOpts, long atMs) {
        Association a = new Association(SctpOptions.defaults(), new SplittableRandom(seed));
        Association b = new Association(bOpts, new SplittableRandom(seed + 1));
        a.connect(atMs);
        for (byte[] p : packets(a)) {
            b.handleInput(ByteBuffer.wrap(p), atMs);
        }
        InitAckChunk ack = (InitAckChunk) chunks(packets(b).get(0)).get(0);
        // §5.1.3: no state before a valid COOKIE ECHO: B is still CLOSED and runs no timer
        assertEquals(AssociationState.CLOSED, b.state());
        assertEquals(Long.MAX_VALUE, b.pollTimeout());
        return new Answered(b, ack, ack.initiateTag().value());
    }

    static List<SctpOutput> feed(Association b, int tag, byte[] cookie, long atMs) {
        byte[] p = new SctpPacket(5000, 5000, tag, List.of(new CookieEchoChunk(cookie))).serialize();
        b.handleInput(ByteBuffer.wrap(p), atMs);
        List<SctpOutput> out = new ArrayList<>();
        for (SctpOutput o; (o = b.pollOutput()) != null; ) {
            out.add(o);
        }
        return out;
    }

    @Test
    void forgedCookiesAreDroppedSilentlyAndCreateNoState() {
        Answered x = answeredInit(504, SctpOptions.defaults(), 0);
        byte[] good = x.cookie();
        List<byte[]> forged = new ArrayList<>();
        for (int i = 0; i < good.length; i += 7) { // one bit flipped anywhere: body or MAC
            byte[] f = good.clone();
            f[i] ^= 0x10;
            forged.add(f);
        }
        forged.add(Arrays.copyOf(good, good.length - 1)); // truncated
        forged.add(Arrays.copyOf(good, good.length + 4)); // padded
        forged.add(new byte[0]);
        for (byte[] f : forged) {
            assertTrue(feed(x.b(), x.tagOfB(), f, 10).isEmpty(), "forged cookie answered");
            assertEquals(AssociationState.CLOSED, x.b().state());
        }
        // the genuine cookie in a packet with another verification tag (§8.5.1 D) is dropped too
        assertTrue(feed(x.b(), x.tagOfB() ^ 1, good, 10).isEmpty());
        assertEquals(AssociationState.CLOSED, x.b().state());
        // and the genuine one with the right tag establishes
        List<SctpOutput> ok = feed(x.b(), x.tagOfB(), good, 10);
        assertTrue(ok.stream().anyMatch(o -> o instanceof SctpOutput.Connected));
        assertEquals(AssociationState.ESTABLISHED, x.b().state());
    }

    @Test
    void staleCookieGetsAStaleCookieErrorWithTheMeasureOfStaleness() {
        SctpOptions b = SctpOptions.builder().cookieLifetimeMs(5000).build();
        Answered x = answeredInit(505, b, 1000);
        // created at 1000 ms with a 5000 ms lifetime: expired at 6000; received at 8500 -> 2.5 s stale
        List<SctpOutput> out = feed(x.b(), x.tagOfB(), x.cookie(), 8500);
        assertEquals(1, out.size());
        byte[] p = ((SctpOutput.SendPacket) out.get(0)).packet();
        ErrorChunk e = assertInstanceOf(ErrorChunk.class, chunks(p).get(0));
        StaleCookieCause stale = assertInstanceOf(StaleCookieCause.class, e.causes().get(0));
        assertEquals(2_500_000, stale.stalenessMicros(), "§3.3.10.3: microseconds since the cookie expired");
        assertEquals(AssociationState.CLOSED, x.b().state());
        // exactly at the end of its lifetime it is still valid
        Answered y = answeredInit(506, b, 1000);
        assertTrue(feed(y.b(), y.tagOfB(), y.cookie(), 6000).stream().anyMatch(o -> o instanceof SctpOutput.Connected));
    }

    @Test
    void staleCookieSenderRetriesWithAFreshInitAndACookiePreservative() {
        // B's cookies live 1 s but the path takes 600 ms each way: the first cookie arrives 1.2 s old
        SctpOptions b = SctpOptions.builder().cookieLifetimeMs(1000).build();
        NetSim sim = new NetSim(507, SctpOptions.defaults(), b);
        sim.delayMs = 600;
        List<InitChunk> inits = new ArrayList<>();
        List<StaleCookieCause> stale = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            for (Chunk c : chunks(bytes)) {
                if (c instanceof InitChunk i) {
                    inits.add(i);
                } else if (c instanceof ErrorChunk e && e.causes().get(0) instanceof StaleCookieCause s) {
                    stale.add(s);
                }
            }
            return false;
        };
        assertTrue(sim.connect(false), "established after the Stale Cookie error");
        assertEquals(1, stale.size());
        assertEquals(200_000, stale.get(0).stalenessMicros(), 20_000);
        InitChunk retry = inits.get(inits.size() - 1);
        CookiePreservativeParameter cp = retry.parameter(CookiePreservativeParameter.class);
        assertNotNull(cp, "§5.2.6: the new INIT asks for a longer cookie life");
        // RTT of the COOKIE ECHO / ERROR exchange (1200 ms) plus at most one second
        assertEquals(2200, cp.incrementMs());
        assertNull(inits.get(0).parameter(CookiePreservativeParameter.class));
        sim.a.assoc.send(0, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 1, sim.now + 10_000));
    }

    @Test
    void cookiePreservativeRoundTrip() throws Exception {
        CookiePreservativeParameter p = new CookiePreservativeParameter(0xfffffffeL);
        InitChunk init = new InitChunk(7, 1500, 1, 1, 9, List.of(p));
        byte[] bytes = new SctpPacket(1, 2, 0, List.of(init)).serialize();
        InitChunk back = (InitChunk) SctpPacket.parse(ByteBuffer.wrap(bytes)).chunks().get(0);
        assertEquals(p, back.parameter(CookiePreservativeParameter.class));
        assertEquals("CookiePreservative(+4294967294 ms)", p.toString());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new CookiePreservativeParameter(-1));
        // a malformed one (2-byte value) makes the packet malformed
        byte[] bad = new SctpPacket(1, 2, 0, List.of(new InitChunk(7, 1500, 1, 1, 9,
                List.of(new org.jdatachannel.sctp.packet.parameter.UnknownParameter(9, new byte[2]))))).serialize();
        org.junit.jupiter.api.Assertions.assertThrows(org.jdatachannel.sctp.packet.PacketParseException.class,
                () -> SctpPacket.parse(ByteBuffer.wrap(bad)));
    }

    @Test
    void dataBundledWithCookieEchoIsDeliveredOnceEvenWhenTheBundleIsRetransmitted() {
        // browsers bundle their first DATA (the DCEP OPEN) with COOKIE ECHO (§5.1: "The COOKIE ECHO chunk
        // MAY be bundled with any pending outbound DATA chunks, but it MUST be the first chunk")
        Association b = new Association(SctpOptions.defaults(), new SplittableRandom(508));
        int peerTag = 0x5eed;
        b.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 0, List.of(
                new InitChunk(peerTag, 100_000, 16, 16, 500, List.of()))).serialize()), 0);
        InitAckChunk ack = (InitAckChunk) chunks(packets(b).get(0)).get(0);
        byte[] cookie = ack.parameter(StateCookieParameter.class).cookie();
        byte[] bundle = new SctpPacket(5000, 5000, ack.initiateTag().value(), List.of(new CookieEchoChunk(cookie),
                new org.jdatachannel.sctp.packet.chunk.DataChunk(500, 0, 0, 50, new byte[] {3, 0, 0, 0}, false, true, true)))
                .serialize();
        List<SctpOutput> events = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 2; i++) { // the second time: our COOKIE ACK was lost and the peer resent it all
            b.handleInput(ByteBuffer.wrap(bundle), 10 + i * 1000);
            for (SctpOutput o; (o = b.pollOutput()) != null; ) {
                if (o instanceof SctpOutput.SendPacket p) {
                    sent.add(p.packet());
                } else {
                    events.add(o);
                }
            }
            b.handleTimeout(b.pollTimeout() == Long.MAX_VALUE ? 0 : Math.min(b.pollTimeout(), 500 + i * 1000));
            for (SctpOutput o; (o = b.pollOutput()) != null; ) {
                if (o instanceof SctpOutput.SendPacket p) {
                    sent.add(p.packet());
                }
            }
        }
        assertEquals(1, events.stream().filter(e -> e instanceof SctpOutput.Connected).count());
        assertEquals(1, events.stream().filter(e -> e instanceof SctpOutput.MessageReceived).count(), events.toString());
        // each bundle is answered with COOKIE ACK first (§5.2.4 D the second time), the DATA acknowledged,
        // the second copy reported as a duplicate TSN
        List<Chunk> all = new ArrayList<>();
        for (byte[] p : sent) {
            all.addAll(chunks(p));
        }
        assertEquals(2, all.stream().filter(c -> c instanceof CookieAckChunk).count(), all.toString());
        assertInstanceOf(CookieAckChunk.class, chunks(sent.get(0)).get(0));
        List<org.jdatachannel.sctp.packet.chunk.SackChunk> sacks = all.stream()
                .filter(c -> c instanceof org.jdatachannel.sctp.packet.chunk.SackChunk)
                .map(c -> (org.jdatachannel.sctp.packet.chunk.SackChunk) c).toList();
        assertTrue(sacks.stream().allMatch(k -> k.cumulativeTsnAck().value() == 500), sacks.toString());
        assertTrue(sacks.stream().anyMatch(k -> Arrays.equals(k.duplicateTsns(), new int[] {500})), sacks.toString());
    }
}
