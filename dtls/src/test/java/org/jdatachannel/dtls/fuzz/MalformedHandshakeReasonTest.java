package org.jdatachannel.dtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jdatachannel.dtls.DtlsException;
import org.jdatachannel.dtls.DtlsRole;
import org.jdatachannel.dtls.FuzzAccess;
import org.junit.jupiter.api.Test;

/**
 * A handshake message whose inner length runs past its end fails with a readable reason, not
 * {@code "java.io.EOFException"}: Bouncy Castle 1.84 reports it as the end of its parse stream.
 * The guard drops the shapes it can see, so the message is delivered with the guard off for this
 * connection: the review's shape (B), list length right in the first 3-byte fragment and the
 * first certificate's length 0xFFFFFF in the second.
 */
class MalformedHandshakeReasonTest {

    private static final Path CORPUS = Path.of("src/test/resources/org/jdatachannel/dtls/fuzz/HandshakeFuzzTestInputs/handshake");

    @Test
    void lyingCertificateLengthReadsAsDecodeError() throws Exception {
        Script script = Script.parse(Files.readAllBytes(CORPUS.resolve("certificate-length-in-second-fragment")));
        assertEquals(0, script.flags & 1, "server role");
        List<byte[]> datagrams = script.datagrams;
        // The guard drops it: this is the filter's shape (B).
        assertTrue(FuzzAccess.check(datagrams.get(1), 0, datagrams.get(1).length) != null);
        DtlsException e = assertThrows(DtlsException.class,
                () -> FuzzAccess.connectWithoutCveGuard(DtlsRole.SERVER, new Script.Playback(datagrams, true), 5_000));
        assertEquals("handshake failed: malformed handshake message (decode_error: a length field runs past the end"
                + " of its message)", e.reason());
    }
}
