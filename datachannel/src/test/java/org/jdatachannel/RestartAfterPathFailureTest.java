package org.jdatachannel;

import static org.jdatachannel.ConnectionStateTest.await;
import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.inbox;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.jdatachannel.PeerConnectionLoopbackTest.take;
import static org.jdatachannel.TrickleIceTest.withoutCandidates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.internal.SctpAssociationPort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ICE path in use fails (consent expires: the relay between the peers drops everything) while
 * an ICE restart is in progress: the connection does not fail at once (DTLS and SCTP would be torn
 * down under the restart) but waits, DISCONNECTED, for the restart, which connects over a direct
 * path and carries the channel on. Like ConnectionStateTest, this class shortens ice4j's JVM-global
 * consent interval before ice4j loads (surefire runs each class in its own JVM).
 */
class RestartAfterPathFailureTest {
    private static final Map<String, String> FAST = Map.of(
            "ice4j.consent-freshness.interval", "300 milliseconds",
            "ice4j.consent-freshness.original-wait-interval", "100 milliseconds",
            "ice4j.consent-freshness.max-wait-interval", "100 milliseconds",
            "ice4j.consent-freshness.max-retransmissions", "3",
            "ice4j.consent-freshness.randomize-interval", "false");

    @BeforeAll
    static void fastConsent() {
        FAST.forEach(System::setProperty);
    }

    @AfterAll
    static void restore() {
        FAST.keySet().forEach(System::clearProperty);
    }

    static PeerConnection peer() {
        return new PeerConnection(loopback().build(), SctpAssociationPort.FACTORY,
                java.util.function.UnaryOperator.identity(),
                ice -> ice.disconnectedTimeoutMs(1500).consentTimeoutMs(4000));
    }

    @Test
    void pathFailureDuringARestartWaitsForTheRestart() throws Exception {
        PeerConnection a = peer();
        PeerConnection b = peer();
        ConnectionStateTest.Relay relay = null;
        try {
            List<PeerConnectionState> connA = new CopyOnWriteArrayList<>();
            List<PeerConnectionState> connB = new CopyOnWriteArrayList<>();
            a.onConnectionStateChange(connA::add);
            b.onConnectionStateChange(connB::add);
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            b.onDataChannel(atB::add);
            DataChannel ch = a.createDataChannel("through-relay", null);
            CompletableFuture<Void> open = opened(ch);
            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(withoutCandidates(a.localDescription())).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            InetSocketAddress bAddr = b.iceSocketAddresses().get(0);
            relay = new ConnectionStateTest.Relay(bAddr);
            a.setRemoteDescription(withoutCandidates(b.localDescription())).get(T, TimeUnit.SECONDS);
            a.addIceCandidate(relay.candidate()).get(T, TimeUnit.SECONDS);
            open.get(T, TimeUnit.SECONDS);
            DataChannel atBch = atB.poll(T, TimeUnit.SECONDS);
            assertTrue(atBch != null);
            BlockingQueue<DataChannelMessage> q = inbox(atBch);
            ch.send("before");
            assertEquals("before", take(q).text());

            // A restart under way: a's offer reached b, b's answer has not reached a yet.
            a.restartIce();
            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);

            relay.drop = true;
            await(() -> a.failureDeferredForRestart() && b.failureDeferredForRestart(),
                    "the old path failed on both sides, the failure deferred");
            assertEquals(PeerConnectionState.DISCONNECTED, a.connectionState());
            assertEquals(PeerConnectionState.DISCONNECTED, b.connectionState());
            assertEquals(IceConnectionState.DISCONNECTED, a.iceConnectionState());

            a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS); // direct candidates
            await(() -> a.connectionState() == PeerConnectionState.CONNECTED
                    && b.connectionState() == PeerConnectionState.CONNECTED, "both CONNECTED over the restart");
            assertFalse(a.failureDeferredForRestart());
            ch.send("after");
            assertEquals("after", take(q).text());
            assertFalse(connA.contains(PeerConnectionState.FAILED), connA.toString());
            assertFalse(connB.contains(PeerConnectionState.FAILED), connB.toString());
        } finally {
            a.close();
            b.close();
            if (relay != null) {
                relay.close();
            }
        }
        assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
        assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
    }
}
