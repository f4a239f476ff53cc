package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.AbortChunk;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownChunk;
import org.jdatachannel.sctp.packet.errorcause.StaleCookieCause;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hostile input to an SCTP association, one test per bullet of issue 5 ("SCTP: wrong verification
 * tag, bad CRC, forged COOKIE ECHO (bad HMAC, stale), INIT floods (no state kept before COOKIE
 * ECHO), chunk lengths that lie, out-of-window TSNs, a SACK acking data never sent: dropped or
 * answered per RFC 9260, association stays healthy"). Each test injects the hostile packets
 * straight into {@link Association#handleInput} of one side of an established {@link NetSim} pair
 * (what an attacker who can reach the port sends; replies go back to the attacker, not to the
 * peer), checks what was answered and that nothing was delivered, and ends with data still
 * flowing both ways and no internal error.
 *
 * <p>Related, narrower tests elsewhere: {@code ShutdownAbortAndTagTest} (every chunk type with a
 * wrong tag, out-of-the-blue rules), {@code HandshakeTest} and {@code CookieAndInitTimerTest}
 * (forged and stale cookies on a listening endpoint), {@code ZeroChecksumTest} (checksum rules with
 * RFC 9653), {@code fuzz.ReceiveBoundsTest} (far TSNs, huge SACK, never-ending message),
 * {@code ForwardTsnAbuseTest}, and the Jazzer targets in {@code fuzz}.
 */
class HostileInputTest {
    private static final Logger LOG = LoggerFactory.getLogger(HostileInputTest.class);
    private static final int PPID_BINARY = 53;

    /** An established pair whose packets are recorded (and, when asked, held back) in flight. */
    private static final class Pair {
        final NetSim sim;
        /** Packets A sent / B sent, in order, including held ones. */
        final List<byte[]> fromA = new ArrayList<>();
        final List<byte[]> fromB = new ArrayList<>();
        /** Packets held back (dropped by the link) while {@code holdDataFromA/B} is set. */
        final List<byte[]> held = new ArrayList<>();
        boolean holdDataFromA;
        boolean holdDataFromB;
        /** The verification tag A expects (B writes it in its packets), and the one B expects. */
        int tagOfA;
        int tagOfB;

        Pair(long seed) {
            sim = new NetSim(seed);
            sim.dropFilter = (from, bytes) -> {
                boolean fromA = from == sim.a;
                (fromA ? this.fromA : this.fromB).add(bytes);
                int tag = ByteBuffer.wrap(bytes).getInt(4);
                Chunk first = firstChunk(bytes);
                if (tag != 0 && first != null && !(first instanceof InitChunk)) {
                    if (fromA) {
                        tagOfB = tag;
                    } else {
                        tagOfA = tag;
                    }
                }
                boolean hold = (fromA ? holdDataFromA : holdDataFromB) && hasData(bytes);
                if (hold) {
                    held.add(bytes);
                }
                return hold;
            };
            assertTrue(sim.connect(false), "connected");
            sim.runFor(1000);
            assertTrue(tagOfA != 0 && tagOfB != 0, "tags learned");
        }

        /** Feeds one packet to {@code x} as an attacker would and returns what it answered (not sent on). */
        List<SctpOutput> inject(Association x, byte[] packet) {
            x.handleInput(ByteBuffer.wrap(packet), sim.now);
            List<SctpOutput> out = new ArrayList<>();
            for (SctpOutput o; (o = x.pollOutput()) != null; ) {
                out.add(o);
            }
            return out;
        }
    }

    static Chunk firstChunk(byte[] p) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(p), true).chunks().get(0);
        } catch (PacketParseException e) {
            return null;
        }
    }

    static List<Chunk> chunks(byte[] p) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(p), true).chunks();
        } catch (PacketParseException e) {
            throw new AssertionError(e);
        }
    }

    static boolean hasData(byte[] p) {
        Chunk c = firstChunk(p);
        return c != null && chunks(p).stream().anyMatch(x -> x instanceof DataChunk);
    }

    static List<byte[]> packetsOf(List<SctpOutput> outs) {
        List<byte[]> p = new ArrayList<>();
        for (SctpOutput o : outs) {
            if (o instanceof SctpOutput.SendPacket sp) {
                p.add(sp.packet());
            }
        }
        return p;
    }

    static boolean anyDelivery(List<SctpOutput> outs) {
        return outs.stream().anyMatch(o -> o instanceof SctpOutput.MessageReceived || o instanceof SctpOutput.Closed
                || o instanceof SctpOutput.Restarted || o instanceof SctpOutput.IncomingStreamsReset);
    }

    /** Rewrites the checksum of a packet after its bytes were edited. */
    static byte[] withCrc(byte[] p) {
        byte[] q = p.clone();
        ByteBuffer.wrap(q).putInt(8, Integer.reverseBytes(SctpPacket.crc32c(ByteBuffer.wrap(q))));
        return q;
    }

    static byte[] payload(int n, int salt) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (i * 31 + salt);
        }
        return d;
    }

    /** The association is healthy: a message each way arrives intact, nothing closed, no internal error. */
    static void dataStillFlows(Pair x) {
        NetSim sim = x.sim;
        x.holdDataFromA = false;
        x.holdDataFromB = false;
        int atA = sim.a.messages.size();
        int atB = sim.b.messages.size();
        byte[] ab = payload(3000, 1);
        byte[] ba = payload(2500, 2);
        sim.a.assoc.send(1, PPID_BINARY, ab, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.b.assoc.send(2, PPID_BINARY, ba, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() > atB && sim.a.messages.size() > atA, sim.now + 30_000),
                "data still flows: " + sim.stats());
        assertArrayEquals(ab, sim.b.messages.get(sim.b.messages.size() - 1).payload());
        assertArrayEquals(ba, sim.a.messages.get(sim.a.messages.size() - 1).payload());
        assertEquals(AssociationState.ESTABLISHED, sim.a.assoc.state());
        assertEquals(AssociationState.ESTABLISHED, sim.b.assoc.state());
        assertEquals(null, sim.a.closed);
        assertEquals(null, sim.b.closed);
        assertEquals(0, AssociationProbe.internalErrors(sim.a.assoc));
        assertEquals(0, AssociationProbe.internalErrors(sim.b.assoc));
        assertFalse(sim.a.events.stream().anyMatch(o -> o instanceof SctpOutput.Restarted));
        assertFalse(sim.b.events.stream().anyMatch(o -> o instanceof SctpOutput.Restarted));
    }

    /** B sends a message whose DATA packet is held back, and returns that packet (never delivered). */
    static byte[] heldDataFromB(Pair x, byte[] message) {
        x.holdDataFromB = true;
        x.held.clear();
        x.sim.b.assoc.send(3, PPID_BINARY, message, SendOptions.RELIABLE_ORDERED, x.sim.now);
        x.sim.drain();
        x.holdDataFromB = false;
        assertEquals(1, x.held.size(), "one DATA packet held");
        return x.held.get(0);
    }

    // ---- RFC 9260 §8.5: wrong verification tag ----

    @Test
    void wrongVerificationTagIsDiscarded() {
        Pair x = new Pair(9101);
        byte[] message = payload(200, 3);
        byte[] real = heldDataFromB(x, message);
        SctpPacket p = parse(real);
        // §8.5: "When receiving an SCTP packet, the endpoint MUST ensure that the value in the
        // Verification Tag field of the received SCTP packet matches its own tag. If the received
        // Verification Tag value does not match the receiver's own tag value, the receiver MUST
        // silently discard the packet" (except the INIT/ABORT/SHUTDOWN COMPLETE/... cases of §8.5.1).
        for (int wrong : new int[] {x.tagOfA ^ 1, x.tagOfB, 0, 0xFFFFFFFF}) {
            List<Chunk> hostile = List.of(p.chunks().get(0), new SackChunk(0, 1 << 20, List.of(), new int[0]),
                    new ShutdownChunk(new org.jdatachannel.sctp.packet.Tsn(0)),
                    new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[] {1, 2, 3, 4}))),
                    new CookieAckChunk(false), new AbortChunk(false, List.of()));
            for (Chunk c : hostile) {
                byte[] forged = new SctpPacket(p.sourcePort(), p.destinationPort(), wrong, List.of(c)).serialize();
                List<SctpOutput> out = x.inject(x.sim.a.assoc, forged);
                assertTrue(out.isEmpty(), "answered a packet with tag " + Integer.toHexString(wrong) + ": " + c + " -> " + out);
            }
        }
        assertEquals(AssociationState.ESTABLISHED, x.sim.a.assoc.state());
        // The genuine packet is still accepted afterwards: the message arrives exactly once.
        List<SctpOutput> out = x.inject(x.sim.a.assoc, real);
        assertEquals(1, out.stream().filter(o -> o instanceof SctpOutput.MessageReceived).count());
        dataStillFlows(x);
    }

    static SctpPacket parse(byte[] p) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(p), true);
        } catch (PacketParseException e) {
            throw new AssertionError(e);
        }
    }

    // ---- RFC 9260 §6.8: bad CRC32c ----

    @Test
    void badChecksumIsDiscardedWhateverBitIsWrong() {
        Pair x = new Pair(9102);
        byte[] real = heldDataFromB(x, payload(100, 4));
        // §6.8: "An SCTP receiver MUST silently discard a packet with an invalid checksum" (CRC32c
        // catches every single-bit error, so every flip anywhere, checksum field included, is one).
        int flips = 0;
        for (int bit = 0; bit < real.length * 8; bit++) {
            byte[] bad = real.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            List<SctpOutput> out = x.inject(x.sim.a.assoc, bad);
            assertTrue(out.isEmpty(), "bit " + bit + " flipped, yet answered: " + out);
            flips++;
        }
        // A checksum of zero is accepted only when RFC 9653 was negotiated (not here).
        byte[] zero = real.clone();
        ByteBuffer.wrap(zero).putInt(8, 0);
        assertTrue(x.inject(x.sim.a.assoc, zero).isEmpty(), "zero checksum without RFC 9653");
        LOG.info("{} corrupted copies dropped", flips + 1);
        List<SctpOutput> out = x.inject(x.sim.a.assoc, real);
        assertEquals(1, out.stream().filter(o -> o instanceof SctpOutput.MessageReceived).count(), "genuine one delivered");
        dataStillFlows(x);
    }

    // ---- RFC 9260 §5.1.5 / §5.2.4: forged and stale COOKIE ECHO on a live association ----

    @Test
    void forgedAndStaleCookieEchoDoNotDisturbAnEstablishedAssociation() {
        Pair x = new Pair(9103);
        byte[] genuine = null;
        for (byte[] p : x.fromA) {
            if (firstChunk(p) instanceof CookieEchoChunk) {
                genuine = p;
                break;
            }
        }
        assertNotNull(genuine, "A's COOKIE ECHO was recorded");
        CookieEchoChunk ce = (CookieEchoChunk) firstChunk(genuine);
        byte[] cookie = ce.cookie();
        // Bad HMAC: one bit flipped anywhere in the cookie; also a cookie claiming other tags (a
        // forged restart). §5.1.5 step 2: "If the computed MAC does not match ..., the receiver MUST
        // silently discard the packet".
        for (int i = 0; i < cookie.length; i += 3) {
            byte[] f = cookie.clone();
            f[i] ^= 0x04;
            byte[] forged = new SctpPacket(5000, 5000, x.tagOfB, List.of(new CookieEchoChunk(f))).serialize();
            List<SctpOutput> out = x.inject(x.sim.b.assoc, forged);
            assertTrue(out.isEmpty(), "forged cookie (byte " + i + ") answered: " + out);
        }
        byte[] junk = new SctpPacket(5000, 5000, x.tagOfB, List.of(new CookieEchoChunk(new byte[cookie.length])))
                .serialize();
        assertTrue(x.inject(x.sim.b.assoc, junk).isEmpty());
        assertEquals(AssociationState.ESTABLISHED, x.sim.b.assoc.state());
        // Stale: the genuine cookie replayed long after its lifetime (60 s default). Its tags match
        // the live association (§5.2.4 case D, which alone would be answered with a COOKIE ACK), but
        // the lifetime is checked first, for every case: §5.1.5 step 4 "... if the State Cookie has
        // expired ... send back an ERROR chunk with a Stale Cookie error cause" (§3.3.10.3). So the
        // only answer is that ERROR, never a COOKIE ACK; the association is neither restarted nor
        // closed.
        x.sim.runFor(120_000);
        List<SctpOutput> stale = x.inject(x.sim.b.assoc, genuine);
        assertFalse(anyDelivery(stale), "stale cookie changed the association: " + stale);
        int staleErrors = 0;
        for (byte[] p : packetsOf(stale)) {
            for (Chunk c : chunks(p)) {
                assertTrue(c instanceof ErrorChunk e && e.causes().get(0) instanceof StaleCookieCause,
                        "reply to a stale cookie (only ERROR Stale Cookie allowed): " + c);
                staleErrors++;
            }
        }
        assertEquals(1, staleErrors, "the stale cookie is refused with one ERROR (Stale Cookie): " + stale);
        LOG.info("stale cookie answered with {}", packetsOf(stale).stream().map(p -> chunks(p).toString()).toList());
        dataStillFlows(x);
    }

    // ---- RFC 9260 §5.1.3 / §5.2.2: INIT floods keep no state ----

    @Test
    void initFloodKeepsNoStateOnAListenerNorOnAnEstablishedAssociation() {
        SplittableRandom r = new SplittableRandom(9104);
        NetSim sim = new NetSim(9104);
        Association listener = sim.b.assoc;
        AssociationProbe.Footprint empty = AssociationProbe.footprint(listener);
        int floods = 5000;
        for (int i = 0; i < floods; i++) {
            byte[] init = new SctpPacket(5000, 5000, 0, List.of(new InitChunk(r.nextInt(1, Integer.MAX_VALUE),
                    r.nextInt(1500, 1 << 20), 1 + r.nextInt(65535), 1 + r.nextInt(65535), r.nextInt(), List.of())))
                    .serialize();
            listener.handleInput(ByteBuffer.wrap(init), sim.now);
            List<SctpOutput> out = new ArrayList<>();
            for (SctpOutput o; (o = listener.pollOutput()) != null; ) {
                out.add(o);
            }
            // §5.1 B / §5.1.3: answered with one INIT ACK carrying the state in its cookie ...
            assertEquals(1, out.size(), "one answer per INIT");
            byte[] ack = ((SctpOutput.SendPacket) out.get(0)).packet();
            assertInstanceOf(InitAckChunk.class, firstChunk(ack));
            assertTrue(ack.length <= 1191, "answer fits the MTU");
        }
        // ... and "the receiver of the INIT chunk MUST NOT allocate any resources": still CLOSED,
        // no timer, same footprint.
        assertEquals(AssociationState.CLOSED, listener.state());
        assertEquals(Long.MAX_VALUE, listener.pollTimeout());
        assertEquals(empty, AssociationProbe.footprint(listener));
        // A genuine peer still connects to it.
        Pair x = new Pair(9114);
        assertTrue(sim.connect(false), "the flooded listener accepts a genuine association");
        // And an INIT flood at an established association (§5.2.2: answered with an INIT ACK, the
        // existing association untouched until a valid COOKIE ECHO).
        AssociationProbe.Footprint before = AssociationProbe.footprint(x.sim.a.assoc);
        for (int i = 0; i < floods; i++) {
            byte[] init = new SctpPacket(5000, 5000, 0, List.of(new InitChunk(r.nextInt(1, Integer.MAX_VALUE),
                    1 << 20, 1024, 1024, r.nextInt(), List.of()))).serialize();
            List<SctpOutput> out = x.inject(x.sim.a.assoc, init);
            assertFalse(anyDelivery(out), "INIT changed the association: " + out);
            assertTrue(packetsOf(out).size() <= 1, "at most one answer per INIT");
        }
        assertEquals(before, AssociationProbe.footprint(x.sim.a.assoc), "no state per INIT");
        dataStillFlows(x);
    }

    // ---- chunk lengths that lie ----

    @Test
    void chunkLengthsThatLieDropThePacket() {
        Pair x = new Pair(9105);
        byte[] message = payload(40, 5);
        byte[] real = heldDataFromB(x, message);
        int lengthAt = 12 + 2; // first chunk's length field (RFC 9260 §3.2)
        int realLength = ByteBuffer.wrap(real).getShort(lengthAt) & 0xFFFF;
        List<byte[]> lies = new ArrayList<>();
        for (int len : new int[] {0, 1, 2, 3, 4, 8, 15, realLength + 4, realLength + 5, real.length, 0xFFFF}) {
            byte[] p = real.clone();
            ByteBuffer.wrap(p).putShort(lengthAt, (short) len);
            lies.add(withCrc(p));
        }
        // Padding missing (RFC 9260 §3.2: chunks are padded to 4 bytes) and a packet cut inside its chunk.
        lies.add(withCrc(Arrays.copyOf(real, real.length - 1)));
        lies.add(withCrc(Arrays.copyOf(real, 12 + 3)));
        lies.add(withCrc(Arrays.copyOf(real, 12)));
        // The genuine DATA followed by a second chunk whose length lies (past the end, and below 4).
        for (int len : new int[] {0xFFF0, 2}) {
            byte[] p = Arrays.copyOf(real, real.length + 8);
            ByteBuffer b = ByteBuffer.wrap(p);
            b.put(real.length, (byte) 4); // HEARTBEAT
            b.putShort(real.length + 2, (short) len);
            lies.add(withCrc(p));
        }
        for (byte[] lie : lies) {
            List<SctpOutput> out = x.inject(x.sim.a.assoc, lie);
            assertFalse(anyDelivery(out), "a lying packet delivered or closed something: " + out);
            for (byte[] p : packetsOf(out)) {
                assertFalse(firstChunk(p) instanceof AbortChunk, "aborted on a malformed packet");
            }
        }
        assertEquals(0, AssociationProbe.footprint(x.sim.a.assoc).reassemblyBytes(), "nothing half-received");
        List<SctpOutput> out = x.inject(x.sim.a.assoc, real);
        List<SctpOutput> got = out.stream().filter(o -> o instanceof SctpOutput.MessageReceived).toList();
        assertEquals(1, got.size(), "the genuine packet delivers its message once");
        assertArrayEquals(message, ((SctpOutput.MessageReceived) got.get(0)).payload());
        dataStillFlows(x);
    }

    // ---- out-of-window TSNs ----

    @Test
    void outOfWindowTsnsAreDroppedAndKeepNoState() {
        Pair x = new Pair(9106);
        byte[] real = heldDataFromB(x, payload(64, 6));
        DataChunk d = (DataChunk) firstChunk(real);
        int tsn = d.tsn().value();
        AssociationProbe.Footprint before = AssociationProbe.footprint(x.sim.a.assoc);
        // Far ahead (beyond any receive window, also the half-space boundary) and far behind (old).
        int[] offsets = {1 << 20, 1 << 24, Integer.MAX_VALUE, Integer.MIN_VALUE, -(1 << 20), -1000, -1};
        for (int off : offsets) {
            for (int i = 0; i < 50; i++) {
                int t = off > 0 ? tsn + off + i : tsn + off - i; // behind: below the cumulative TSN
                DataChunk far = new DataChunk(t, 3, i, PPID_BINARY, payload(1000, i), false, true, false);
                byte[] p = new SctpPacket(5000, 5000, x.tagOfA, List.of(far)).serialize();
                List<SctpOutput> out = x.inject(x.sim.a.assoc, p);
                assertFalse(anyDelivery(out), "TSN " + t + " delivered: " + out);
                for (byte[] q : packetsOf(out)) {
                    for (Chunk c : chunks(q)) {
                        assertTrue(c instanceof SackChunk, "only SACKs in reply, got " + c);
                    }
                }
            }
        }
        AssociationProbe.Footprint after = AssociationProbe.footprint(x.sim.a.assoc);
        assertEquals(before.reassemblyBytes(), after.reassemblyBytes(), "nothing buffered: " + after);
        assertTrue(after.trackedTsns() <= before.trackedTsns() + 1, "no TSN tracked: " + after);
        List<SctpOutput> out = x.inject(x.sim.a.assoc, real);
        assertEquals(1, out.stream().filter(o -> o instanceof SctpOutput.MessageReceived).count());
        dataStillFlows(x);
    }

    // ---- a SACK acking data never sent ----

    @Test
    void sackAckingDataNeverSentIsIgnoredAndTheDataIsStillDelivered() {
        Pair x = new Pair(9107);
        NetSim sim = x.sim;
        // A sends a message whose DATA is lost in the network (held back here).
        x.holdDataFromA = true;
        x.held.clear();
        byte[] message = payload(900, 7);
        int before = sim.b.messages.size();
        sim.a.assoc.send(4, PPID_BINARY, message, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.drain();
        x.holdDataFromA = false;
        assertEquals(1, x.held.size());
        int tsn = ((DataChunk) firstChunk(x.held.get(0))).tsn().value();
        // Forged SACKs (right tag, so they pass §8.5): cumulative ack beyond anything sent, gap
        // blocks over unsent TSNs, a huge window. If A believed them it would discard the message.
        List<SackChunk> forged = List.of(
                new SackChunk(tsn + 1000, 1 << 20, List.of(), new int[0]),
                new SackChunk(tsn + 1, 1 << 20, List.of(), new int[0]),
                new SackChunk(tsn - 1, 1 << 20, List.of(new SackChunk.GapAckBlock(2, 5000)), new int[0]),
                new SackChunk(tsn - 1, 1 << 20, List.of(new SackChunk.GapAckBlock(2, 3),
                        new SackChunk.GapAckBlock(0xFFF0, 0xFFFF)), new int[] {tsn + 7}),
                new SackChunk(tsn - 5000, 1 << 20, List.of(), new int[0]),
                new SackChunk(tsn + Integer.MAX_VALUE, 0, List.of(), new int[0]));
        for (SackChunk s : forged) {
            List<SctpOutput> out = x.inject(sim.a.assoc, new SctpPacket(5000, 5000, x.tagOfA, List.of(s)).serialize());
            assertFalse(anyDelivery(out), "forged SACK changed the association: " + out);
            for (byte[] p : packetsOf(out)) {
                assertFalse(firstChunk(p) instanceof AbortChunk, "aborted on a forged SACK");
            }
        }
        assertTrue(sim.a.assoc.bufferedAmount(4) >= 0);
        // The real message is retransmitted (T3-rtx) and arrives exactly once.
        assertTrue(sim.runUntil(() -> sim.b.messages.size() > before, sim.now + 30_000), "retransmitted: " + sim.stats());
        assertArrayEquals(message, sim.b.messages.get(before).payload());
        dataStillFlows(x);
    }

    /**
     * A peer that gap-acks a TSN it never received and then stops reporting it (reneging, RFC 9260
     * §6.2.1 / §6.3.3: gap-acked data stays in the sender's queue until the cumulative ack passes
     * it, and "any DATA chunks that were acknowledged only by Gap Ack Blocks" are retransmitted on
     * T3-rtx expiry): the message still arrives.
     */
    @Test
    void gapAckedButRenegedDataIsStillDelivered() {
        Pair x = new Pair(9109);
        NetSim sim = x.sim;
        x.holdDataFromA = true;
        x.held.clear();
        byte[] message = payload(700, 9);
        int before = sim.b.messages.size();
        sim.a.assoc.send(5, PPID_BINARY, message, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.drain();
        x.holdDataFromA = false;
        assertEquals(1, x.held.size());
        int tsn = ((DataChunk) firstChunk(x.held.get(0))).tsn().value();
        // cumulative ack just below it, one gap block covering only it: "received" (a lie)
        List<SctpOutput> out = x.inject(sim.a.assoc, new SctpPacket(5000, 5000, x.tagOfA,
                List.of(new SackChunk(tsn - 1, 1 << 20, List.of(new SackChunk.GapAckBlock(1, 1)), new int[0])))
                .serialize());
        assertFalse(anyDelivery(out));
        assertTrue(sim.runUntil(() -> sim.b.messages.size() > before, sim.now + 60_000),
                "gap-acked but never received data is retransmitted: " + sim.stats());
        assertArrayEquals(message, sim.b.messages.get(before).payload());
        dataStillFlows(x);
    }

    /** A FORWARD TSN past data never sent, for completeness of the "TSN lies" family (RFC 3758 §3.6). */
    @Test
    void forwardTsnFarAheadIsIgnored() {
        Pair x = new Pair(9108);
        byte[] real = heldDataFromB(x, payload(64, 8));
        int tsn = ((DataChunk) firstChunk(real)).tsn().value();
        for (int off : new int[] {1 << 20, Integer.MAX_VALUE, -(1 << 20)}) {
            byte[] p = new SctpPacket(5000, 5000, x.tagOfA, List.of(new ForwardTsnChunk(
                    new org.jdatachannel.sctp.packet.Tsn(tsn + off), List.of()))).serialize();
            assertFalse(anyDelivery(x.inject(x.sim.a.assoc, p)));
        }
        List<SctpOutput> out = x.inject(x.sim.a.assoc, real);
        assertEquals(1, out.stream().filter(o -> o instanceof SctpOutput.MessageReceived).count(),
                "the genuine DATA is not skipped");
        dataStillFlows(x);
    }
}
