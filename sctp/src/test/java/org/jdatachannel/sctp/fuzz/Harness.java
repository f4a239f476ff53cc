package org.jdatachannel.sctp.fuzz;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import org.jdatachannel.sctp.Association;
import org.jdatachannel.sctp.AssociationState;
import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.SctpOutput;
import org.jdatachannel.sctp.SendOptions;

/**
 * Two associations, A and B, joined by a lossless zero-delay link on one virtual clock, with a
 * recording of every packet A sent to B and when. Deterministic: seeded randomness, no real clock.
 * The fuzz targets start from {@link #established()} and then play the role of A themselves; the
 * seed corpus is A's recorded traffic from scenarios run on this harness ({@link Corpus}).
 *
 * <p>Not thread-safe.
 */
final class Harness {
    /** SCTP port of both ends (the WebRTC default). */
    static final int PORT = 5000;
    /** Upper bound on packets exchanged by one {@link #pump()}, so a ping-pong bug cannot hang a test. */
    static final int MAX_PUMP = 100_000;

    /** A packet A sent to B that was delivered at virtual time {@code atMs}. */
    record Sent(long atMs, byte[] packet) {
    }

    final Association a;
    final Association b;
    final List<Sent> aToB = new ArrayList<>();
    final List<Sent> bToA = new ArrayList<>();
    final List<SctpOutput> eventsOfA = new ArrayList<>();
    final List<SctpOutput> eventsOfB = new ArrayList<>();
    /** Returns true to drop a packet; arguments: sender ("A" or "B") and bytes. */
    BiPredicate<String, byte[]> drop = (from, p) -> false;
    long now;
    /** B's own verification tag (the tag A's packets carry), known once B sent its INIT or INIT ACK. */
    int tagOfB;

    Harness() {
        this(options(), options());
    }

    Harness(SctpOptions optsA, SctpOptions optsB) {
        a = new Association(optsA, new SplittableRandom(0x5eed_a));
        b = new Association(optsB, new SplittableRandom(0x5eed_b));
    }

    /** The options of both ends: defaults with 256 KiB messages both ways. */
    static SctpOptions options() {
        return SctpOptions.builder().maxSendMessageSize(262144).maxReceiveMessageSize(262144).build();
    }

    /** As {@link #options()} with I-DATA (RFC 8260) and zero checksum over DTLS (RFC 9653) offered. */
    static SctpOptions interleavedOptions() {
        return SctpOptions.builder().maxSendMessageSize(262144).maxReceiveMessageSize(262144)
                .enableMessageInterleaving(true).zeroChecksumOverDtls(true).build();
    }

    /**
     * A connects, B answers, then some data flows both ways: after this B has received ordered,
     * unordered and fragmented messages and has two messages to A in flight, unacknowledged (A's
     * SACKs for them were lost), so SACK, FORWARD TSN and T3-rtx code paths are reachable.
     */
    static Harness established() {
        return established(options());
    }

    /** As {@link #established()}, both ends with {@code opts}. */
    static Harness established(SctpOptions opts) {
        Harness h = new Harness(opts, opts);
        h.a.connect(h.now);
        h.pump();
        check(h.a.state() == AssociationState.ESTABLISHED && h.b.state() == AssociationState.ESTABLISHED,
                "handshake did not complete: A " + h.a.state() + ", B " + h.b.state());
        h.a.send(0, 51, "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8), SendOptions.RELIABLE_ORDERED, h.now);
        h.a.send(1, 53, new byte[100], new SendOptions(true, -1, -1), h.now);
        h.a.send(2, 53, pattern(3000), SendOptions.RELIABLE_ORDERED, h.now);
        h.pump();
        h.advance(250); // delayed SACKs
        h.drop = (from, p) -> from.equals("A");
        h.b.send(0, 51, pattern(10), SendOptions.RELIABLE_ORDERED, h.now);
        h.b.send(3, 53, pattern(2000), new SendOptions(false, 0, -1), h.now);
        h.pump();
        h.drop = (from, p) -> false;
        return h;
    }

    /** @return {@code n} bytes 0, 1, 2, ... (mod 251) */
    static byte[] pattern(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i % 251);
        }
        return p;
    }

    /** Moves packets between A and B at the current time until neither has output. */
    void pump() {
        for (int i = 0; i < MAX_PUMP; i++) {
            boolean any = drain(a, "A") | drain(b, "B");
            if (!any) {
                return;
            }
        }
        throw new AssertionError("A and B still exchanging packets after " + MAX_PUMP + " rounds");
    }

    private boolean drain(Association from, String name) {
        boolean any = false;
        List<byte[]> packets = new ArrayList<>();
        SctpOutput o;
        while ((o = from.pollOutput()) != null) {
            any = true;
            if (o instanceof SctpOutput.SendPacket sp) {
                packets.add(sp.packet());
            } else {
                (from == a ? eventsOfA : eventsOfB).add(o);
            }
        }
        for (byte[] p : packets) {
            if (from == b && tagOfB == 0) {
                learnTagOfB(p);
            }
            if (drop.test(name, p)) {
                continue;
            }
            if (from == a) {
                aToB.add(new Sent(now, p.clone()));
                b.handleInput(ByteBuffer.wrap(p), now);
            } else {
                bToA.add(new Sent(now, p.clone()));
                a.handleInput(ByteBuffer.wrap(p), now);
            }
        }
        return any;
    }

    /** Reads B's Initiate Tag from its INIT or INIT ACK (chunk types 1 and 2 at offset 12). */
    private void learnTagOfB(byte[] p) {
        if (p.length >= 20 && (p[12] == 1 || p[12] == 2)) {
            tagOfB = ByteBuffer.wrap(p).getInt(16);
        }
    }

    /** Advances virtual time by {@code ms}, firing both sides' timers and moving their packets. */
    void advance(long ms) {
        long end = now + ms;
        for (int i = 0; i < MAX_PUMP; i++) {
            long t = Math.min(a.pollTimeout(), b.pollTimeout());
            if (t > end) {
                break;
            }
            now = Math.max(now, t);
            if (a.pollTimeout() <= now) {
                a.handleTimeout(now);
            }
            if (b.pollTimeout() <= now) {
                b.handleTimeout(now);
            }
            pump();
        }
        now = end;
    }

    /** @return the TSN A assigns next, read from the DATA (or I-DATA) chunks A sent so far */
    int nextTsnOfA() {
        int next = 0;
        for (Sent s : aToB) {
            try {
                for (org.jdatachannel.sctp.packet.chunk.Chunk c : org.jdatachannel.sctp.packet.SctpPacket.parse(
                        ByteBuffer.wrap(s.packet()), true).chunks()) {
                    if (c instanceof org.jdatachannel.sctp.packet.chunk.UserDataChunk d) {
                        next = d.tsn().value() + 1;
                    }
                }
            } catch (org.jdatachannel.sctp.packet.PacketParseException e) {
                throw new AssertionError(e);
            }
        }
        return next;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
