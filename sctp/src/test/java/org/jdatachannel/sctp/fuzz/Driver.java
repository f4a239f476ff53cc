package org.jdatachannel.sctp.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jdatachannel.sctp.Association;
import org.jdatachannel.sctp.AssociationProbe;
import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.SctpOutput;
import org.jdatachannel.sctp.SendOptions;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.rx.DataTracker;

/**
 * Plays the peer of one association under test: decodes a fuzz input into records (packets, time
 * steps, API calls), applies them the way a correct driver would (drain every output after each
 * call, fire timers when {@code pollTimeout()} is reached) and checks after every step that the
 * association stayed sound.
 *
 * <p>Input format, a sequence of records {@code op(1 byte) length(2 bytes, big-endian) body}; a
 * truncated last record gets the bytes that are left. {@code op % 6}:
 * <ul>
 *   <li>0 {@link #RAW}: the body is fed as a packet, unchanged;
 *   <li>1 {@link #FIX}: the body is a packet whose ports and CRC32c are corrected first, so that
 *       mutations of the tag and the chunks get past the checksum (RFC 9260 §6.8);
 *   <li>2 {@link #OWN_TAG}: as 1, and the verification tag is set to the association's own tag;
 *   <li>3 {@link #TIME}: virtual time advances by the body's first two bytes (ms, big-endian);
 *   <li>4 {@link #SEND}: {@code send(stream = bytes 0-1, ppid 53, payload = bytes 3..)} with byte 2
 *       choosing unordered / maxRetransmits 0 / lifetime 0; only the declared exceptions are allowed;
 *   <li>5 {@link #USER}: byte 0 picks {@code resetStreams(streams = following u16s)},
 *       {@code shutdown}, {@code abort} or {@code setBufferedAmountLowThreshold}.
 * </ul>
 *
 * <p>Checked after every step: no internal error was logged (an unchecked exception caught inside
 * the association is a bug); at most {@link #MAX_OUTPUTS_PER_STEP} outputs; every packet sent is at
 * most the MTU and parses; firing due timers terminates within {@link #MAX_TIMER_ROUNDS} rounds and
 * leaves {@code pollTimeout()} in the future (at most {@link #MAX_TIMER_HORIZON_MS} ahead) or
 * unset; the receive-side structures stay within their documented bounds. After the last record
 * the timers are run down for a while (a hang shows as a failed bound, never as a stuck test).
 *
 * <p>Not thread-safe.
 */
final class Driver {
    static final int RAW = 0;
    static final int FIX = 1;
    static final int OWN_TAG = 2;
    static final int TIME = 3;
    static final int SEND = 4;
    static final int USER = 5;
    static final int OPS = 6;

    /** More outputs than this from one call means a runaway loop (a window's worth of packets is ~900). */
    static final int MAX_OUTPUTS_PER_STEP = 4096;
    /** Rounds of handleTimeout at one instant before declaring a timer loop. */
    static final int MAX_TIMER_ROUNDS = 64;
    /** No timer of the association may be set further ahead than this. */
    static final long MAX_TIMER_HORIZON_MS = 10 * 60_000;
    /** Timer expiries run through after the last record. */
    static final int RUN_DOWN_TIMERS = 40;
    /** Records applied per input; longer inputs are cut (keeps one execution cheap). */
    static final int MAX_RECORDS = 64;

    final Association assoc;
    final SctpOptions opts;
    long now;
    int ownTag;
    /** Set when {@code INIT} packets must not change the state (RFC 9260 §5.1: no TCB before COOKIE ECHO). */
    boolean checkInitKeepsNoState;
    int messagesDelivered;
    int packetsSent;
    /** The state after the last record, before the timers were run down. */
    org.jdatachannel.sctp.AssociationState stateAfterRecords;

    Driver(Association assoc, SctpOptions opts, long now, int ownTag) {
        this.assoc = assoc;
        this.opts = opts;
        this.now = now;
        this.ownTag = ownTag;
    }

    /** Applies every record of {@code data}, checking after each, then runs the timers down. */
    void run(byte[] data) {
        drainAndCheck("start");
        int i = 0;
        for (int r = 0; r < MAX_RECORDS && i < data.length; r++) {
            int op = (data[i] & 0xff) % OPS;
            int len = i + 3 <= data.length ? ((data[i + 1] & 0xff) << 8) | (data[i + 2] & 0xff) : 0;
            int from = Math.min(i + 3, data.length);
            int to = Math.min(from + len, data.length);
            apply(op, Arrays.copyOfRange(data, from, to));
            i = to;
        }
        stateAfterRecords = assoc.state();
        for (int k = 0; k < RUN_DOWN_TIMERS; k++) {
            long t = assoc.pollTimeout();
            if (t == Long.MAX_VALUE) {
                break;
            }
            now = Math.max(now, t);
            fireTimers();
        }
    }

    private void apply(int op, byte[] body) {
        switch (op) {
            case RAW -> feed(body);
            case FIX, OWN_TAG -> {
                if (body.length >= SctpPacket.HEADER_SIZE) {
                    ByteBuffer b = ByteBuffer.wrap(body);
                    b.putShort(0, (short) opts.remotePort()).putShort(2, (short) opts.localPort());
                    if (op == OWN_TAG) {
                        b.putInt(4, ownTag);
                    }
                    b.putInt(8, Integer.reverseBytes(SctpPacket.crc32c(b)));
                }
                feed(body);
            }
            case TIME -> {
                int ms = body.length >= 2 ? ((body[0] & 0xff) << 8) | (body[1] & 0xff) : body.length == 1 ? body[0] & 0xff : 0;
                now += ms;
                fireTimers();
            }
            case SEND -> send(body);
            default -> user(body);
        }
    }

    private void feed(byte[] packet) {
        AssociationProbe.Footprint before = null;
        Object stateBefore = assoc.state();
        if (checkInitKeepsNoState && isLoneInit(packet)) {
            before = AssociationProbe.footprint(assoc);
        }
        assoc.handleInput(ByteBuffer.wrap(packet), now);
        drainAndCheck("packet");
        if (before != null) {
            AssociationProbe.Footprint after = AssociationProbe.footprint(assoc);
            Harness.check(assoc.state() == stateBefore, "an INIT changed the state from " + stateBefore + " to "
                    + assoc.state());
            Harness.check(after.reassemblyEntries() == before.reassemblyEntries()
                    && after.trackedTsns() == before.trackedTsns() && after.controlChunks() == before.controlChunks(),
                    "an INIT left state behind: " + before + " -> " + after);
        }
        fireTimers();
    }

    private static boolean isLoneInit(byte[] packet) {
        try {
            SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(packet));
            return p.chunks().size() == 1 && p.chunks().get(0) instanceof InitChunk;
        } catch (PacketParseException e) {
            return false;
        }
    }

    private void send(byte[] body) {
        int stream = body.length >= 2 ? ((body[0] & 0xff) << 8) | (body[1] & 0xff) : 0;
        int mode = body.length >= 3 ? body[2] & 3 : 0;
        byte[] payload = body.length > 3 ? Arrays.copyOfRange(body, 3, body.length) : new byte[0];
        SendOptions o = switch (mode) {
            case 1 -> new SendOptions(true, -1, -1);
            case 2 -> new SendOptions(false, 0, -1);
            case 3 -> new SendOptions(true, -1, 0);
            default -> SendOptions.RELIABLE_ORDERED;
        };
        try {
            assoc.send(stream % 16, 53, payload, o, now);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // declared for empty payloads, closed associations and streams being reset
        }
        drainAndCheck("send");
        fireTimers();
    }

    private void user(byte[] body) {
        int what = body.length > 0 ? body[0] & 3 : 1;
        try {
            switch (what) {
                case 0 -> {
                    int n = Math.max(0, (body.length - 1) / 2);
                    int[] ids = new int[Math.min(n, 8)];
                    for (int k = 0; k < ids.length; k++) {
                        ids[k] = (((body[1 + 2 * k] & 0xff) << 8) | (body[2 + 2 * k] & 0xff)) % 16;
                    }
                    assoc.resetStreams(ids, now);
                }
                case 1 -> assoc.shutdown(now);
                case 2 -> assoc.abort("fuzz", now);
                default -> assoc.setBufferedAmountLowThreshold(body.length > 1 ? body[1] & 15 : 0, body.length);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // declared: no stream ids, closed association
        }
        drainAndCheck("user call");
        fireTimers();
    }

    /** Fires due timers the way a driver would, checking that this terminates. */
    private void fireTimers() {
        for (int round = 0; round < MAX_TIMER_ROUNDS; round++) {
            long t = assoc.pollTimeout();
            if (t > now) {
                Harness.check(t == Long.MAX_VALUE || t - now <= MAX_TIMER_HORIZON_MS,
                        "timer set " + (t - now) + " ms ahead: " + AssociationProbe.debugState(assoc));
                return;
            }
            assoc.handleTimeout(now);
            drainAndCheck("timeout");
        }
        throw new AssertionError("timers still due after " + MAX_TIMER_ROUNDS + " rounds at " + now + ": "
                + AssociationProbe.debugState(assoc));
    }

    private void drainAndCheck(String after) {
        int n = 0;
        SctpOutput o;
        while ((o = assoc.pollOutput()) != null) {
            if (++n > MAX_OUTPUTS_PER_STEP) {
                throw new AssertionError("more than " + MAX_OUTPUTS_PER_STEP + " outputs after one " + after);
            }
            if (o instanceof SctpOutput.SendPacket sp) {
                packetsSent++;
                checkOwnPacket(sp.packet());
            } else if (o instanceof SctpOutput.MessageReceived m) {
                messagesDelivered++;
                Harness.check(m.payload().length > 0 && m.payload().length <= opts.maxReceiveMessageSize(),
                        "delivered a message of " + m.payload().length + " bytes");
            }
        }
        Harness.check(AssociationProbe.internalErrors(assoc) == 0,
                "internal error (caught unchecked exception) after a " + after + ", see the WARN log");
        checkBounds(after);
    }

    private void checkOwnPacket(byte[] p) {
        SctpPacket packet;
        try {
            // a zero checksum is ours to send only when negotiated (RFC 9653); the parse accepts it
            packet = SctpPacket.parse(ByteBuffer.wrap(p), opts.zeroChecksumOverDtls());
        } catch (PacketParseException e) {
            throw new AssertionError("sent a packet that does not parse: " + e.getMessage(), e);
        }
        // the one exception: a peer's State Cookie too large for the MTU is echoed alone
        boolean loneCookieEcho = packet.chunks().size() == 1 && packet.chunks().get(0) instanceof CookieEchoChunk;
        Harness.check(p.length <= opts.mtu() || loneCookieEcho, "sent a packet of " + p.length + " bytes > MTU "
                + opts.mtu() + ": " + packet);
    }

    /** The bounds of the receive side, RFC 9260 §6.2 window and the documented limits. */
    void checkBounds(String after) {
        AssociationProbe.Footprint f = AssociationProbe.footprint(assoc);
        String where = " after a " + after + ": " + f;
        Harness.check(f.reassemblyBytes() <= Bounds.maxReassemblyBytes(opts), "reassembly bytes unbounded" + where);
        Harness.check(f.reassemblyEntries() <= Bounds.maxReassemblyEntries(opts), "reassembly entries unbounded" + where);
        Harness.check(f.trackedTsns() <= DataTracker.MAX_TSNS_ABOVE_CUM, "tracked TSNs unbounded" + where);
        Harness.check(f.duplicateTsns() <= DataTracker.MAX_DUPLICATES, "duplicate list unbounded" + where);
        Harness.check(f.controlChunks() <= Bounds.MAX_CONTROL_CHUNKS, "control queue unbounded" + where);
        Harness.check(f.deferredResets() <= 16, "deferred resets unbounded" + where);
    }

    /** Encodes one record of the input format. */
    static void record(ByteArrayOutputStream out, int op, byte[] body) {
        out.write(op);
        out.write(body.length >> 8);
        out.write(body.length);
        out.write(body, 0, body.length);
    }

    /** Encodes a {@link #TIME} record of {@code ms} (split into several if above 65535). */
    static void time(ByteArrayOutputStream out, long ms) {
        while (ms > 0) {
            int step = (int) Math.min(ms, 65535);
            record(out, TIME, new byte[] {(byte) (step >> 8), (byte) step});
            ms -= step;
        }
    }
}
