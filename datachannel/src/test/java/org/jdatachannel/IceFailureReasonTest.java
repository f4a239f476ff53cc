package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ICE that never finds a working pair fails the connection with "ICE failed: no candidate pair
 * succeeded" (RFC 8445 §7.2.5.4 / §8.1.2), not the consent text, since DTLS never started.
 *
 * <p>Network rule: the only remote candidate is a UDP socket this test binds on 127.0.0.1 and never
 * answers from (a black hole), so every connectivity check times out on loopback.
 */
class IceFailureReasonTest {

    @Test
    void noWorkingPairFailsWithTheNoCandidatePairReason() throws Exception {
        try (DatagramSocket blackHole = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             PeerConnection a = new PeerConnection(loopback().build())) {
            SessionDescriptionInit answer;
            try (PeerConnection b = new PeerConnection(loopback().build())) {
                a.createDataChannel("never", null);
                SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
                a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
                b.setRemoteDescription(offer).get(T, TimeUnit.SECONDS);
                answer = b.createAnswer().get(T, TimeUnit.SECONDS);
                b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
            } // b is gone before a learns anything about it
            String candidate = "a=candidate:1 1 udp 2130706431 127.0.0.1 " + blackHole.getLocalPort() + " typ host";
            String sdp = answer.sdp().replaceAll("a=candidate:[^\r\n]*\r\n", "")
                    .replaceAll("a=end-of-candidates\r\n", "");
            sdp = sdp.replaceFirst("(a=ice-pwd:[^\r\n]*\r\n)", "$1" + candidate + "\r\na=end-of-candidates\r\n");
            assertTrue(sdp.contains(candidate), sdp);
            CompletableFuture<PeerConnectionState> end = new CompletableFuture<>();
            a.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.FAILED || s == PeerConnectionState.CLOSED) {
                    end.complete(s);
                }
            });
            a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, sdp))
                    .get(T, TimeUnit.SECONDS);
            // ice4j: checks time out after about 8 s, then it waits about 5 s for late answers.
            assertEquals(PeerConnectionState.FAILED, end.get(3 * T, TimeUnit.SECONDS));
            assertEquals(IceConnectionState.FAILED, a.iceConnectionState());
            String why = a.failureReason().orElseThrow();
            assertTrue(why.startsWith("ICE failed: no candidate pair succeeded"), why);
        }
    }
}
