package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.inbox;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.dtls.DtlsCertificate;
import org.junit.jupiter.api.Test;

/**
 * Re-offers after the DTLS handshake: RFC 8122 §5 lets a description give one certificate by
 * several fingerprints (several hash functions), so a re-offer that lists the SAME certificate
 * differently must leave the session alone; only another certificate ends it (issue 5, decided).
 */
class FingerprintReofferTest {

    /** Regression (review defect 1): an extra sha-384 line, then a sha-512 line only, same certificate. */
    @Test
    void sameCertificateListedDifferentlyKeepsTheConnection() throws Exception {
        DtlsCertificate certA = DtlsCertificate.generate();
        try (PeerConnection a = new PeerConnection(loopback().certificate(certA).build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            DataChannel[] ends = RenegotiationTest.channelPair(a, b, "x");
            BlockingQueue<DataChannelMessage> atB = inbox(ends[1]);

            String extra = FingerprintVariantsTest.line(certA, "sha-384", false);
            reoffer(a, b, sdp -> sdp.replaceFirst("(a=fingerprint:[^\r\n]*\r\n)", "$1" + extra + "\r\n"));
            assertEquals(PeerConnectionState.CONNECTED, b.connectionState(), "same certificate, one more hash");

            String only512 = FingerprintVariantsTest.line(certA, "sha-512", true);
            reoffer(a, b, sdp -> sdp.replaceAll("a=fingerprint:[^\r\n]*", only512));
            assertEquals(PeerConnectionState.CONNECTED, b.connectionState(), "same certificate, other hash");

            ends[0].send("still here");
            assertEquals("still here", take(atB).text());
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
        }
    }

    /** A re-offer naming another certificate (under the same hash functions) fails b with the reason. */
    @Test
    void anotherCertificateFailsTheConnectionWithTheReason() throws Exception {
        DtlsCertificate other = DtlsCertificate.generate();
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            RenegotiationTest.channelPair(a, b, "x");
            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            String otherLines = FingerprintVariantsTest.line(other, "sha-256", false) + "\r\n"
                    + FingerprintVariantsTest.line(other, "sha-384", false);
            String sdp = offer.sdp().replaceAll("a=fingerprint:[^\r\n]*", otherLines);
            RenegotiationTest.assertMessage(
                    b.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp)),
                    "fingerprint");
            assertEquals(PeerConnectionState.FAILED, b.connectionState());
            String why = b.failureReason().orElseThrow();
            String otherSha256 = FingerprintVariantsTest.line(other, "sha-256", false).split(" ")[1];
            assertTrue(why.startsWith("remote certificate fingerprint changed mid-session") && why.contains(otherSha256)
                    && why.contains("mismatch"), why);
        }
    }

    private static void reoffer(PeerConnection a, PeerConnection b, java.util.function.UnaryOperator<String> edit)
            throws Exception {
        SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
        a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
        String sdp = edit.apply(offer.sdp());
        assertTrue(!sdp.equals(offer.sdp()), "the edit changed the offer");
        b.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp))
                .get(T, TimeUnit.SECONDS);
        SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
        b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
        a.setRemoteDescription(answer).get(T, TimeUnit.SECONDS);
    }
}
