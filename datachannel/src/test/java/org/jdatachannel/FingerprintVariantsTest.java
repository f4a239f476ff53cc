package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.echoIncoming;
import static org.jdatachannel.PeerConnectionLoopbackTest.inbox;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.jdatachannel.PeerConnectionLoopbackTest.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.dtls.DtlsCertificate;
import org.jdatachannel.sdp.SdpParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 8122 §5 fingerprints over a real loopback PeerConnection pair: every hash function the RFC
 * allows (sha-256 required, sha-1/sha-384/sha-512 accepted), alone, at session or media level
 * (RFC 8122 §5: "the fingerprint attribute may be either a session-level or a media-level SDP
 * attribute"), upper- or lower-case; a description with only hash functions we do not know fails
 * the connection with a readable reason; one without a fingerprint is refused.
 *
 * <p>The description carrying the variant is rewritten by the test (the fingerprints are those
 * of the peer's configured certificate, computed here), the other side verifies the DTLS
 * certificate against it, and a message is echoed.
 */
class FingerprintVariantsTest {

    static final DtlsCertificate CERT_A = DtlsCertificate.generate();
    static final DtlsCertificate CERT_B = DtlsCertificate.generate();

    static String colonHex(byte[] d, boolean lower) {
        StringBuilder sb = new StringBuilder();
        for (byte b : d) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(String.format(lower ? "%02x" : "%02X", b & 0xFF));
        }
        return sb.toString();
    }

    /** The SDP with every a=fingerprint line replaced by {@code lines}, at session or media level. */
    static String withFingerprints(String sdp, List<String> lines, boolean sessionLevel) {
        StringBuilder out = new StringBuilder();
        int removed = 0;
        for (String l : sdp.split("\r\n")) {
            if (l.startsWith("a=fingerprint:")) {
                removed++;
                continue;
            }
            if (l.startsWith("m=") && sessionLevel) {
                lines.forEach(f -> out.append(f).append("\r\n"));
            }
            out.append(l).append("\r\n");
        }
        assertEquals(1, removed, "our descriptions carry one media-level sha-256 fingerprint: " + sdp);
        assertEquals(1, sdp.split("\r\nm=", -1).length - 1, "one m= section: " + sdp);
        if (!sessionLevel) {
            // At the end of the (only) media section: attributes come last (RFC 8866 §5 order m i c b k a).
            lines.forEach(f -> out.append(f).append("\r\n"));
        }
        return out.toString();
    }

    static String line(DtlsCertificate c, String hash, boolean lower) {
        String token = lower ? hash : hash.toUpperCase(Locale.ROOT);
        return "a=fingerprint:" + token + " " + colonHex(c.fingerprint(hash), lower);
    }

    /**
     * a offers, b answers. {@code editOffer}: b applies a's offer with a's fingerprints replaced;
     * otherwise a applies b's answer with b's replaced. Returns a's channel once open.
     */
    static DataChannel connect(PeerConnection a, PeerConnection b, boolean editOffer, List<String> fps,
                               boolean sessionLevel) throws Exception {
        echoIncoming(b, new ArrayList<>());
        DataChannel ch = a.createDataChannel("fp", null);
        CompletableFuture<Void> open = opened(ch);
        SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
        a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
        SessionDescriptionInit o = a.localDescription();
        if (editOffer) {
            o = new SessionDescriptionInit(o.type(), withFingerprints(o.sdp(), fps, sessionLevel));
        }
        b.setRemoteDescription(o).get(T, TimeUnit.SECONDS);
        b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
        SessionDescriptionInit ans = b.localDescription();
        if (!editOffer) {
            ans = new SessionDescriptionInit(ans.type(), withFingerprints(ans.sdp(), fps, sessionLevel));
        }
        a.setRemoteDescription(ans).get(T, TimeUnit.SECONDS);
        return ch;
    }

    static PeerConnection peer(DtlsCertificate c) {
        return new PeerConnection(loopback().certificate(c).build());
    }

    @ParameterizedTest(name = "{0} {1} in the {2}, {3} level")
    @CsvSource({
        "sha-384, upper, answer, media",
        "sha-512, upper, answer, media",
        "sha-1,   upper, answer, media",
        "sha-256, lower, answer, media",
        "sha-256, upper, answer, session",
        "sha-384, upper, offer,  session",
        "sha-512, lower, offer,  media",
    })
    void singleFingerprintVariantConnects(String hash, String cas, String which, String level) throws Exception {
        boolean editOffer = which.equals("offer");
        DtlsCertificate verified = editOffer ? CERT_A : CERT_B;
        try (PeerConnection a = peer(CERT_A); PeerConnection b = peer(CERT_B)) {
            DataChannel ch = connect(a, b, editOffer, List.of(line(verified, hash, cas.equals("lower"))),
                    level.equals("session"));
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            opened(ch).get(T, TimeUnit.SECONDS);
            ch.send("via " + hash);
            assertEquals("via " + hash, take(q).text());
            assertTrue(a.failureReason().isEmpty() && b.failureReason().isEmpty());
        }
    }

    /** Several hash functions at once, the strongest first (what Firefox sends is sha-256 only; Pion, several). */
    @Test
    void severalHashFunctionsAtSessionLevel() throws Exception {
        try (PeerConnection a = peer(CERT_A); PeerConnection b = peer(CERT_B)) {
            DataChannel ch = connect(a, b, false,
                    List.of(line(CERT_B, "sha-512", false), line(CERT_B, "sha-384", false),
                            line(CERT_B, "sha-256", false), line(CERT_B, "sha-1", false)), true);
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            opened(ch).get(T, TimeUnit.SECONDS);
            ch.send("four fingerprints");
            assertEquals("four fingerprints", take(q).text());
        }
    }

    /** A right digest under the wrong hash name (sha-384 digest labelled sha-512 is not even the right length). */
    @Test
    void wrongSha384FailsWithReadableReasonOnBothSides() throws Exception {
        try (PeerConnection a = peer(CERT_A); PeerConnection b = peer(CERT_B)) {
            CompletableFuture<Void> aFailed = failed(a);
            CompletableFuture<Void> bEnded = ended(b);
            // CERT_A's sha-384 digest claimed for b: same length, wrong certificate.
            String wrong = "a=fingerprint:sha-384 " + colonHex(CERT_A.fingerprint("sha-384"), false);
            connect(a, b, false, List.of(wrong), false);
            aFailed.get(T, TimeUnit.SECONDS);
            String why = a.failureReason().orElseThrow();
            assertTrue(why.contains("DTLS handshake failed") && why.contains("fingerprint mismatch")
                    && why.contains("sha-384 expected " + colonHex(CERT_A.fingerprint("sha-384"), false))
                    && why.contains("certificate has " + colonHex(CERT_B.fingerprint("sha-384"), false)), why);
            bEnded.get(T, TimeUnit.SECONDS);
            if (b.connectionState() == PeerConnectionState.FAILED) {
                String whyB = b.failureReason().orElseThrow();
                assertTrue(whyB.contains("bad_certificate"), whyB);
            }
        }
    }

    /** Only hash functions we do not implement: the description is accepted, DTLS fails saying why. */
    @Test
    void onlyUnknownHashFunctionsFailTheConnection() throws Exception {
        try (PeerConnection a = peer(CERT_A); PeerConnection b = peer(CERT_B)) {
            CompletableFuture<Void> aFailed = failed(a);
            connect(a, b, false, List.of("a=fingerprint:md5 " + "AB:".repeat(15) + "AB",
                    "a=fingerprint:sha3-256 " + "CD:".repeat(31) + "CD"), false);
            aFailed.get(T, TimeUnit.SECONDS);
            String why = a.failureReason().orElseThrow();
            assertTrue(why.contains("no remote fingerprint with a supported hash function"), why);
        }
    }

    /** No fingerprint at all (RFC 8842 §5.1: the attribute is required): the description is refused. */
    @Test
    void missingFingerprintRefusesTheDescription() throws Exception {
        try (PeerConnection a = peer(CERT_A); PeerConnection b = peer(CERT_B)) {
            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            String noFp = withFingerprints(a.localDescription().sdp(), List.of(), false);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> b.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, noFp))
                            .get(T, TimeUnit.SECONDS));
            assertInstanceOf(SdpParseException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("fingerprint"), e.getCause().getMessage());
            // Nothing changed: the proper offer is still accepted and the pair connects.
            assertEquals(SignalingState.STABLE, b.signalingState());
            assertNotEquals(PeerConnectionState.FAILED, b.connectionState());
            assertTrue(b.failureReason().isEmpty());
        }
    }

    static CompletableFuture<Void> failed(PeerConnection pc) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pc.onConnectionStateChange(s -> {
            if (s == PeerConnectionState.FAILED) {
                // failureReason() is set before the state change is reported.
                if (pc.failureReason().isEmpty()) {
                    f.completeExceptionally(new AssertionError("FAILED reported before failureReason() was set"));
                }
                f.complete(null);
            } else if (s == PeerConnectionState.CONNECTED) {
                f.completeExceptionally(new AssertionError("connected although the fingerprint is wrong"));
            }
        });
        return f;
    }

    static CompletableFuture<Void> ended(PeerConnection pc) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pc.onConnectionStateChange(s -> {
            if (s == PeerConnectionState.FAILED || s == PeerConnectionState.CLOSED) {
                f.complete(null);
            }
        });
        return f;
    }
}
