package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.junit.jupiter.api.Test;

/** SDP, ICE and DTLS for real over 127.0.0.1; SCTP replaced by {@link FakeSctp}. */
class WiringOverFakeSctpTest {

    @Test
    void offerAnswerIceDtlsAndDcepOverLoopback() throws Exception {
        RtcConfiguration cfg = RtcConfiguration.builder().iceAddressFilter(a -> a.getHostAddress().equals("127.0.0.1")).build();
        PeerConnectionCore a = new PeerConnectionCore(cfg, FakeSctp.FACTORY);
        PeerConnectionCore b = new PeerConnectionCore(cfg, FakeSctp.FACTORY);
        try {
            CompletableFuture<PeerConnectionState> aConnected = new CompletableFuture<>();
            a.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.CONNECTED) {
                    aConnected.complete(s);
                }
            });
            CompletableFuture<DataChannelMessage> echoed = new CompletableFuture<>();
            CompletableFuture<DataChannel> remote = new CompletableFuture<>();
            b.onDataChannel(ch -> {
                remote.complete(ch);
                ch.onMessage(m -> ch.send(m.text() + "!"));
            });
            DataChannel ch = a.createDataChannel("chat", null);
            ch.onMessage(echoed::complete);
            ch.onOpen(() -> ch.send("hello"));

            SessionDescriptionInit offer = a.createOffer().get(10, TimeUnit.SECONDS);
            assertTrue(offer.sdp().contains("a=setup:actpass"), offer.sdp());
            assertTrue(offer.sdp().contains("127.0.0.1"), offer.sdp());
            a.setLocalDescription(offer).get(10, TimeUnit.SECONDS);
            b.setRemoteDescription(a.localDescription()).get(10, TimeUnit.SECONDS);
            SessionDescriptionInit answer = b.createAnswer().get(10, TimeUnit.SECONDS);
            assertTrue(answer.sdp().contains("a=setup:active"), answer.sdp());
            b.setLocalDescription(answer).get(10, TimeUnit.SECONDS);
            a.setRemoteDescription(b.localDescription()).get(10, TimeUnit.SECONDS);

            assertEquals(PeerConnectionState.CONNECTED, aConnected.get(15, TimeUnit.SECONDS));
            assertEquals("hello!", echoed.get(10, TimeUnit.SECONDS).text());
            // Answerer is DTLS client (active): it would use even ids; our offerer channel is odd.
            assertEquals(1, ch.id());
            assertEquals(1, remote.get().id());
            assertEquals(DataChannelState.OPEN, remote.get().readyState());
        } finally {
            a.close();
            b.close();
        }
        assertEquals(PeerConnectionState.CLOSED, a.connectionState());
        assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
        assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
    }

    static boolean loopbackV4(InetAddress a) {
        return a.getHostAddress().equals("127.0.0.1");
    }
}
