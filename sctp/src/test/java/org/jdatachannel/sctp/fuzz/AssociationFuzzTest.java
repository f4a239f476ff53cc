package org.jdatachannel.sctp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import org.jdatachannel.sctp.AssociationState;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the association fed arbitrary packets, time steps and API calls (input
 * format and checks: {@link Driver}). Never an unchecked exception (caught ones are counted as
 * internal errors and fail the run), never a hang (bounded outputs per step, timers that move
 * forward), bounded memory.
 *
 * <p>Without {@code JAZZER_FUZZ} each target runs once per file of its checked-in regression corpus
 * ({@code src/test/resources/org/jdatachannel/sctp/fuzz/AssociationFuzzTestInputs/<method>/}); see
 * the module's README.md for real fuzzing.
 */
class AssociationFuzzTest {

    /**
     * An ESTABLISHED association ({@link Harness#established()}: data received, data in flight) fed
     * the input as its peer.
     */
    @FuzzTest(maxDuration = "10m")
    void established(byte[] data) {
        establishedDriver().run(data);
    }

    private static Driver establishedDriver() {
        Harness h = Harness.established();
        return new Driver(h.b, Harness.options(), h.now, h.tagOfB);
    }

    /**
     * As {@link #established}, with I-DATA (RFC 8260) and zero checksum (RFC 9653) negotiated, so
     * MID/FSN reassembly and I-FORWARD-TSN are reached.
     */
    @FuzzTest(maxDuration = "10m")
    void establishedInterleaved(byte[] data) {
        interleavedDriver().run(data);
    }

    private static Driver interleavedDriver() {
        Harness h = Harness.established(Harness.interleavedOptions());
        return new Driver(h.b, Harness.interleavedOptions(), h.now, h.tagOfB);
    }

    /**
     * A fresh association, CLOSED or (first byte odd) in COOKIE-WAIT after {@code connect}, fed the
     * rest of the input. INIT packets must keep no state (RFC 9260 §5.1.3: the cookie carries it).
     */
    @FuzzTest(maxDuration = "10m")
    void closedOrCookieWait(byte[] data) {
        closedOrCookieWaitDriver(data).run(data.length > 0 ? java.util.Arrays.copyOfRange(data, 1, data.length) : data);
    }

    private static Driver closedOrCookieWaitDriver(byte[] data) {
        Harness h = new Harness();
        int tag = 0;
        if (data.length > 0 && (data[0] & 1) != 0) {
            h.b.connect(h.now);
            // B's INIT: the Initiate Tag at offset 16 is the tag B expects on what it receives
            org.jdatachannel.sctp.SctpOutput o = h.b.pollOutput();
            byte[] init = ((org.jdatachannel.sctp.SctpOutput.SendPacket) o).packet();
            tag = java.nio.ByteBuffer.wrap(init).getInt(16);
        }
        Driver d = new Driver(h.b, Harness.options(), h.now, tag);
        d.checkInitKeepsNoState = true;
        return d;
    }

    private static byte[] seed(String method, String name) throws IOException {
        return Files.readAllBytes(Corpus.dir(AssociationFuzzTest.class, method).resolve(name));
    }

    /**
     * The replayed seeds still reach the states they were recorded in, so the regression run and the
     * fuzzer start deep; if this fails the seeds are stale: regenerate them ({@link Corpus}).
     */
    @Test
    void seedsStillReachTheirStates() throws IOException {
        Driver d = establishedDriver();
        d.run(seed("established", "replay-data"));
        assertEquals(3, d.messagesDelivered, "replay-data delivers A's three messages");
        assertEquals(AssociationState.ESTABLISHED, d.stateAfterRecords);

        d = establishedDriver();
        d.run(seed("established", "replay-shutdown"));
        assertEquals(AssociationState.CLOSED, d.stateAfterRecords, "replay-shutdown completes the SHUTDOWN");

        d = establishedDriver();
        d.run(seed("established", "replay-loss-gaps"));
        assertEquals(12, d.messagesDelivered, "replay-loss-gaps delivers all twelve messages");

        d = interleavedDriver();
        d.run(seed("establishedInterleaved", "replay-data"));
        assertEquals(3, d.messagesDelivered, "interleaved replay-data delivers A's three messages");

        byte[] s = seed("closedOrCookieWait", "closed-handshake-data");
        d = closedOrCookieWaitDriver(s);
        d.run(java.util.Arrays.copyOfRange(s, 1, s.length));
        assertEquals(1, d.messagesDelivered, "closed-handshake-data establishes and delivers one message");

        s = seed("closedOrCookieWait", "cookie-wait-collision");
        d = closedOrCookieWaitDriver(s);
        d.run(java.util.Arrays.copyOfRange(s, 1, s.length));
        assertTrue(d.packetsSent >= 2, "collision: INIT ACK and COOKIE ECHO or COOKIE ACK sent");
        assertEquals(AssociationState.ESTABLISHED, d.stateAfterRecords, "cookie-wait-collision establishes");
    }
}
