package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.echoIncoming;
import static org.jdatachannel.PeerConnectionLoopbackTest.inbox;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.jdatachannel.PeerConnectionLoopbackTest.take;
import static org.jdatachannel.RenegotiationTest.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.dtls.DtlsCertificate;
import org.jdatachannel.dtls.DtlsCertificate.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Configured certificates over real loopback connections: one generated certificate, stored as
 * PEM and read back, is the identity of two connections (same fingerprint in both offers, both
 * authenticated); RSA and ECDSA identities in every combination and both DTLS roles; an expired
 * certificate is refused by the configuration and by the constructor; generateCertificate's
 * argument checks.
 */
class CertificateReuseTest {

    static String fingerprintOf(SessionDescriptionInit d) {
        return line(d, "a=fingerprint:sha-256 (\\S+)");
    }

    /** a (configured with {@code ca}) offers, b ({@code cb}) answers; echoes one message each way. */
    static SessionDescriptionInit[] connectAndEcho(DtlsCertificate ca, DtlsCertificate cb, String text) throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().certificate(ca).build());
             PeerConnection b = new PeerConnection(loopback().certificate(cb).build())) {
            echoIncoming(b, new ArrayList<>());
            DataChannel ch = a.createDataChannel("cert", null);
            CompletableFuture<Void> open = opened(ch);
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            ch.send(text);
            assertEquals(text, take(q).text());
            return new SessionDescriptionInit[] {a.localDescription(), b.localDescription()};
        }
    }

    @Test
    void storedPemCertificateIsTheIdentityOfTwoConnections() throws Exception {
        DtlsCertificate generated = PeerConnection.generateCertificate(KeyType.ECDSA_P256).get(T, TimeUnit.SECONDS);
        String stored = generated.toPem();
        DtlsCertificate loaded = DtlsCertificate.fromPem(stored);
        assertEquals(generated.sha256Fingerprint(), loaded.sha256Fingerprint());

        SessionDescriptionInit[] first = connectAndEcho(loaded, null, "first");
        SessionDescriptionInit[] second = connectAndEcho(DtlsCertificate.fromPem(stored), null, "second");
        assertEquals(loaded.sha256Fingerprint(), fingerprintOf(first[0]));
        assertEquals(loaded.sha256Fingerprint(), fingerprintOf(second[0]), "same identity in both offers");
        // The peers without a configured certificate generate one each.
        assertNotEquals(fingerprintOf(first[1]), fingerprintOf(second[1]));
    }

    /** Both key types, in both DTLS roles: the offerer is the DTLS server (the answer says active). */
    @ParameterizedTest(name = "offerer {0}, answerer {1}")
    @CsvSource({"RSA_2048, ECDSA_P256", "ECDSA_P256, RSA_2048", "RSA_2048, RSA_2048"})
    void rsaAndEcdsaIdentitiesConnect(KeyType offerer, KeyType answerer) throws Exception {
        DtlsCertificate ca = PeerConnection.generateCertificate(offerer).get(T, TimeUnit.SECONDS);
        DtlsCertificate cb = PeerConnection.generateCertificate(answerer).get(T, TimeUnit.SECONDS);
        SessionDescriptionInit[] d = connectAndEcho(ca, cb, offerer + " to " + answerer);
        assertEquals(ca.sha256Fingerprint(), fingerprintOf(d[0]));
        assertEquals(cb.sha256Fingerprint(), fingerprintOf(d[1]));
        assertEquals("active", line(d[1], "a=setup:(\\S+)"), "the answerer is the DTLS client");
    }

    @Test
    void generateCertificateShapesAndArguments() throws Exception {
        Instant before = Instant.now();
        DtlsCertificate rsa = PeerConnection.generateCertificate(KeyType.RSA_2048).get(T, TimeUnit.SECONDS);
        assertEquals(2048, ((RSAPublicKey) rsa.certificate().getPublicKey()).getModulus().bitLength());
        assertEquals(BigInteger.valueOf(65537), ((RSAPublicKey) rsa.certificate().getPublicKey()).getPublicExponent());
        assertTrue(Duration.between(before, rsa.expires()).compareTo(Duration.ofDays(30).minusMinutes(1)) > 0);
        DtlsCertificate shortLived = PeerConnection.generateCertificate(KeyType.ECDSA_P256, Duration.ofHours(2))
                .get(T, TimeUnit.SECONDS);
        assertTrue(Duration.between(before, shortLived.expires()).compareTo(Duration.ofHours(2).plusMinutes(1)) < 0);

        for (CompletableFuture<DtlsCertificate> bad : java.util.List.of(
                PeerConnection.generateCertificate(null),
                PeerConnection.generateCertificate(KeyType.ECDSA_P256, null),
                PeerConnection.generateCertificate(KeyType.ECDSA_P256, Duration.ZERO),
                PeerConnection.generateCertificate(KeyType.RSA_2048, Duration.ofDays(4000)))) {
            assertTrue(bad.isCompletedExceptionally(), "argument errors fail the future at once");
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(T, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
        }
    }

    /**
     * W3C RTCPeerConnection constructor: an expired certificate is refused. Here the
     * configuration was built while it was valid; it expires before the connection is made.
     */
    @Test
    void expiredCertificateIsRefused() throws Exception {
        DtlsCertificate c = PeerConnection.generateCertificate(KeyType.ECDSA_P256, Duration.ofSeconds(4))
                .get(T, TimeUnit.SECONDS);
        RtcConfiguration cfg = loopback().certificate(c).build(); // notAfter is 3..4 s away (whole seconds)
        ConnectionStateTest.await(() -> c.isExpired(Instant.now()), "the 4 s certificate expires");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PeerConnection(cfg));
        assertTrue(e.getMessage().contains("expired at " + c.expires()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> loopback().certificate(c));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
        // toBuilder keeps it (the constructor is where it is judged).
        assertEquals(c, cfg.toBuilder().build().certificate());
    }
}
