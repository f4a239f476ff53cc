package org.jdatachannel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdatachannel.ice.Coturn;
import org.jdatachannel.ice.IceServer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two PeerConnections with {@code iceTransportPolicy RELAY} through a real coturn on 127.0.0.1:
 * only relayed candidates are offered, and the echo runs through the TURN server (coturn counts
 * the relayed peer datagrams). Non-trickle: each side waits for gathering to complete before its
 * description is sent.
 */
class RelayPeerConnectionTest {
    private static final Logger LOG = LoggerFactory.getLogger(RelayPeerConnectionTest.class);
    private static final long T = PeerConnectionLoopbackTest.T;

    @Test
    void echoThroughTheTurnRelay() throws Exception {
        long seed = System.nanoTime();
        LOG.info("relay echo: seed {}", seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Coturn coturn = Coturn.start()) {
            RtcConfiguration cfg = PeerConnectionLoopbackTest.loopback()
                    .iceServers(List.of(coturn.turnServer()))
                    .iceTransportPolicy(IceTransportPolicy.RELAY)
                    .build();
            PeerConnection a = new PeerConnection(cfg);
            PeerConnection b = new PeerConnection(cfg);
            try {
                PeerConnectionLoopbackTest.echoIncoming(b, new ArrayList<>());
                DataChannel ch = a.createDataChannel("echo");
                CompletableFuture<Void> open = PeerConnectionLoopbackTest.opened(ch);
                BlockingQueue<DataChannelMessage> in = PeerConnectionLoopbackTest.inbox(ch);
                CompletableFuture<Void> aUp = PeerConnectionLoopbackTest.connected(a);
                CompletableFuture<Void> bUp = PeerConnectionLoopbackTest.connected(b);

                a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
                a.gatheringComplete().get(T, TimeUnit.SECONDS);
                String offer = a.localDescription().sdp();
                assertOnlyRelayCandidates(offer);
                b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
                b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
                b.gatheringComplete().get(T, TimeUnit.SECONDS);
                assertOnlyRelayCandidates(b.localDescription().sdp());
                a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS);
                aUp.get(T, TimeUnit.SECONDS);
                bUp.get(T, TimeUnit.SECONDS);
                open.get(T, TimeUnit.SECONDS);

                for (int i = 0; i < 30; i++) {
                    byte[] msg = new byte[1 + rnd.nextInt(i % 5 == 0 ? 32 * 1024 : 1000)];
                    rnd.nextBytes(msg);
                    ch.send(ByteBuffer.wrap(msg));
                    DataChannelMessage echo = PeerConnectionLoopbackTest.take(in);
                    assertTrue(echo.binary());
                    byte[] got = new byte[echo.data().remaining()];
                    echo.data().get(got);
                    assertArrayEquals(msg, got, "message " + i);
                }
                ch.send("done");
                assertEquals("done", PeerConnectionLoopbackTest.take(in).text());
            } finally {
                a.close();
                b.close();
            }
            // Both allocations relayed the peer traffic and were deleted (Refresh, lifetime 0).
            String log = coturn.log();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (count(log, "peer usage") < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling coturn's log with a deadline
                log = coturn.log();
            }
            LOG.info("coturn log:\n{}", log.substring(Math.max(0, log.indexOf("ALLOCATE") - 200)));
            Matcher m = Pattern.compile("peer usage: [^\n]*rp=(\\d+), rb=(\\d+)").matcher(log);
            int sessions = 0;
            while (m.find()) {
                sessions++;
                assertTrue(Long.parseLong(m.group(2)) > 30_000, "the echo went through the relay: " + m.group());
            }
            assertEquals(2, sessions, "two allocations used");
            assertEquals(2, count(log, "lifetime=0"), "both allocations deleted on close");
            assertEquals(List.of(), a.liveThreads());
            assertEquals(List.of(), b.liveThreads());
        }
    }

    @Test
    void configurationChecksItsArguments() {
        RtcConfiguration.Builder b = RtcConfiguration.builder();
        assertThrows(IllegalArgumentException.class, () -> b.iceTimeouts(999, 100));
        assertThrows(IllegalArgumentException.class, () -> b.iceTimeouts(5000, 5001));
        assertThrows(IllegalArgumentException.class, () -> b.iceServers(
                java.util.Collections.nCopies(17, IceServer.stun("stun:127.0.0.1"))));
        assertThrows(NullPointerException.class, () -> b.iceTransportPolicy(null));
        RtcConfiguration c = b.iceTimeouts(10_000, 2_000).iceTransportPolicy(IceTransportPolicy.RELAY)
                .iceServers(List.of(IceServer.stun("stun:127.0.0.1"))).build();
        RtcConfiguration copy = c.toBuilder().build();
        assertEquals(10_000, copy.iceConsentTimeoutMs());
        assertEquals(2_000, copy.iceDisconnectedTimeoutMs());
        assertEquals(IceTransportPolicy.RELAY, copy.iceTransportPolicy());
        assertEquals(c.iceServers(), copy.iceServers());
        RtcConfiguration d = RtcConfiguration.defaults();
        assertEquals(30_000, d.iceConsentTimeoutMs());
        assertEquals(IceTransportPolicy.ALL, d.iceTransportPolicy());
        assertFalse(d.toString().contains("secret"));
        assertFalse(RtcConfiguration.builder().iceServers(List.of(IceServer.turn("turn:h", "u", "secret"))).build()
                .toString().contains("secret"), "the TURN credential is never printed");
    }

    private static void assertOnlyRelayCandidates(String sdp) {
        List<String> cands = sdp.lines().filter(l -> l.startsWith("a=candidate:")).toList();
        assertFalse(cands.isEmpty(), "relay candidates in the description:\n" + sdp);
        for (String c : cands) {
            assertTrue(c.contains(" typ relay"), "only relayed candidates under RELAY: " + c);
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
