package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.inbox;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.jdatachannel.PeerConnectionLoopbackTest.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.ice.IceAgent;
import org.jdatachannel.ice.IceAgentTestAccess;
import org.jdatachannel.internal.SctpAssociationPort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DTLS, SCTP and a data channel run on a valid ICE pair before any pair is nominated (RFC 8445
 * §12.1: "An ICE agent MAY send data on any valid pair before selected pairs have been produced
 * for the data stream"): the offerer (controlling) never nominates, yet the channel opens and
 * carries messages while ICE is still checking; the connection is not "connected" (W3C: ICE
 * must be connected too). Without a nomination consent on the early pair expires (RFC 7675
 * §5.1) and the connection fails with a reason saying a pair was used before nomination. Like
 * ConnectionStateTest, this class shortens ice4j's JVM-global consent interval before ice4j
 * loads (surefire runs each class in its own JVM).
 */
class EarlyDtlsTest {
    private static final Map<String, String> FAST = Map.of(
            "ice4j.consent-freshness.interval", "300 milliseconds",
            "ice4j.consent-freshness.original-wait-interval", "100 milliseconds",
            "ice4j.consent-freshness.max-wait-interval", "100 milliseconds",
            "ice4j.consent-freshness.max-retransmissions", "3",
            "ice4j.consent-freshness.randomize-interval", "false");
    private static final int CONSENT_TIMEOUT_MS = 4000;

    @BeforeAll
    static void fastConsent() {
        FAST.forEach(System::setProperty);
    }

    @AfterAll
    static void restore() {
        FAST.keySet().forEach(System::clearProperty);
    }

    private static PeerConnection peer() {
        return new PeerConnection(loopback().build(), SctpAssociationPort.FACTORY,
                java.util.function.UnaryOperator.identity(),
                ice -> ice.disconnectedTimeoutMs(1500).consentTimeoutMs(CONSENT_TIMEOUT_MS));
    }

    /** The active generation's ICE agent of {@code pc} (private fields: PeerConnection.core, core.active.agent). */
    private static IceAgent iceAgent(PeerConnection pc) throws ReflectiveOperationException {
        Object core = field(pc, "core");
        Object gen = field(core, "active");
        return (IceAgent) field(gen, "agent");
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    @Test
    void channelOpensBeforeNominationAndConsentOnTheEarlyPairExpires() throws Exception {
        try (PeerConnection a = peer(); PeerConnection b = peer()) {
            CompletableFuture<String> failed = new CompletableFuture<>();
            a.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.FAILED) {
                    failed.complete(a.failureReason().orElse("?"));
                }
            });
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            b.onDataChannel(atB::add);
            DataChannel ch = a.createDataChannel("early", null);
            CompletableFuture<Void> open = opened(ch);
            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            IceAgentTestAccess.nominationOff(iceAgent(a)); // before a has the answer: its checks start later
            b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS);

            open.get(T, TimeUnit.SECONDS);
            DataChannel atBch = atB.poll(T, TimeUnit.SECONDS);
            assertNotNull(atBch, "b got the channel");
            BlockingQueue<DataChannelMessage> q = inbox(atBch);
            ch.send("before nomination");
            assertEquals("before nomination", take(q).text());
            // Nothing was nominated: ICE is still checking, so the connection is not connected.
            assertEquals(IceConnectionState.CHECKING, a.iceConnectionState());
            assertNotEquals(PeerConnectionState.CONNECTED, a.connectionState());

            String why = failed.get(CONSENT_TIMEOUT_MS + 10_000L, TimeUnit.MILLISECONDS);
            assertTrue(why.contains("used before nomination"), why);
        }
    }
}
