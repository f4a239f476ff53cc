package org.jdatachannel.dtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.tls.DatagramTransport;
import org.jdatachannel.dtls.DtlsTransport;
import org.jdatachannel.dtls.FuzzAccess;

/**
 * Coverage-guided fuzzing of {@code DemuxTransport}, the only way datagrams reach Bouncy Castle: a
 * scripted lower transport ({@link Script}) delivers fuzzed datagrams, the demux (server or client
 * role, during or after the handshake, from the flags byte) hands on what it accepts.
 *
 * <p>Properties: receive never throws; what it returns is a subsequence of the input in order,
 * byte for byte, and each returned datagram starts with a DTLS byte and passes the CVE guard (so
 * nothing the filter rejects reaches Bouncy Castle); every datagram whose first byte is not
 * 20..63 is counted as non-DTLS (RFC 7983 §7); inputs not returned are all counted, except early
 * ChangeCipherSpecs, which only a server during its handshake drops; the send limit is the
 * handshake MTU until the handshake is done.
 *
 * <p>Corpus: {@code src/test/resources/org/jdatachannel/dtls/fuzz/DemuxTransportFuzzTestInputs/demux/}.
 */
class DemuxTransportFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void demux(byte[] data) throws IOException {
        Script script = Script.parse(data);
        boolean server = (script.flags & 1) != 0;
        boolean handshakeDone = (script.flags & 2) != 0;
        Script.Playback lower = new Script.Playback(script.datagrams, false);
        DatagramTransport demux = FuzzAccess.demux(lower, server);
        assertEquals(DtlsTransport.HANDSHAKE_MTU, demux.getSendLimit());
        if (handshakeDone) {
            FuzzAccess.handshakeDone(demux);
            assertEquals(DtlsTransport.MAX_DATAGRAM_SIZE, demux.getSendLimit());
        }
        int limit = demux.getReceiveLimit();
        byte[] buf = new byte[limit + 8];
        List<byte[]> returned = new ArrayList<>();
        Object guard = FuzzAccess.newGuardState();
        while (true) {
            int n;
            try {
                n = demux.receive(buf, 4, limit, 1000);
            } catch (RuntimeException e) {
                throw new AssertionError("demux threw", e);
            }
            if (n < 0) {
                break;
            }
            assertTrue(n <= limit);
            byte[] d = Arrays.copyOfRange(buf, 4, 4 + n);
            assertTrue(FuzzAccess.isDtls(d, 0, n), "handed on a non-DTLS datagram");
            // The guard is stateful per connection: replay what was handed on, in order.
            assertNull(FuzzAccess.check(d, 0, n, guard), "handed on a datagram the CVE guard drops");
            returned.add(d);
        }
        assertEquals(script.datagrams.size(), lower.delivered(), "read the whole script");
        // A subsequence, in order.
        int i = 0;
        for (byte[] r : returned) {
            while (i < script.datagrams.size() && !Arrays.equals(script.datagrams.get(i), r)) {
                i++;
            }
            assertTrue(i < script.datagrams.size(), "returned a datagram that was not sent, or out of order");
            i++;
        }
        long nonDtls = script.datagrams.stream().filter(d -> !FuzzAccess.isDtls(d, 0, d.length)).count();
        assertEquals(nonDtls, FuzzAccess.droppedNonDtls(demux), "non-DTLS datagrams counted");
        long unaccounted = script.datagrams.size() - returned.size() - FuzzAccess.droppedNonDtls(demux)
                - FuzzAccess.droppedMalformed(demux);
        assertTrue(unaccounted >= 0, "counted more drops than datagrams");
        if (!server || handshakeDone) {
            assertEquals(0, unaccounted, "only a server in its handshake drops without counting");
        }
        byte[] out = {22, 1, 2};
        demux.send(out, 0, out.length);
        assertArrayEquals(out, lower.sent.get(0));
        demux.close();
    }
}
