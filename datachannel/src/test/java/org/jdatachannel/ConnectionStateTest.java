package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.inbox;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.jdatachannel.PeerConnectionLoopbackTest.take;
import static org.jdatachannel.TrickleIceTest.withoutCandidates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jdatachannel.internal.SctpAssociationPort;
import org.jdatachannel.ice.FastConsent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * W3C iceConnectionState and connectionState (webrtc-pc §4.3.3) through a path that breaks and
 * heals: the two PeerConnections talk only through a UDP relay of this test on 127.0.0.1 (a's only
 * remote candidate is the relay; b learns the relay as a peer-reflexive candidate from a's
 * checks), which the test can make drop everything. Consent freshness (RFC 7675) then turns both
 * sides DISCONNECTED, CONNECTED again when the relay forwards again, and FAILED when it never
 * does; every socket and thread but the event loop is released on failure.
 *
 * <p>ice4j's consent check interval is JVM-global configuration read once, so this class runs in
 * its own JVM (surefire {@code reuseForks=false}) and shortens it before the first ice4j class
 * loads: a check every 300 ms; the verdicts use per-agent timeouts of 1500 ms (disconnected) and
 * 4000 ms (failed).
 */
class ConnectionStateTest {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionStateTest.class);
    @BeforeAll
    static void fastConsent() {
        FastConsent.set();
    }

    @AfterAll
    static void restore() {
        FastConsent.clear();
    }

    /** Forwards datagrams between a (who sends to {@link #facingA}) and b, unless dropping. */
    static final class Relay implements AutoCloseable {
        final DatagramSocket facingA;
        final DatagramSocket facingB;
        final InetSocketAddress b;
        volatile SocketAddress a;
        volatile boolean drop;
        private final Thread[] pumps = new Thread[2];

        Relay(InetSocketAddress b) throws IOException {
            this.b = b;
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            facingA = new DatagramSocket(new InetSocketAddress(lo, 0));
            facingB = new DatagramSocket(new InetSocketAddress(lo, 0));
            pumps[0] = pump(facingA, facingB, true);
            pumps[1] = pump(facingB, facingA, false);
        }

        private Thread pump(DatagramSocket in, DatagramSocket out, boolean fromA) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                while (!in.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        in.receive(p);
                        if (fromA) {
                            a = p.getSocketAddress();
                        }
                        SocketAddress to = fromA ? b : a;
                        if (!drop && to != null) {
                            out.send(new DatagramPacket(buf, p.getLength(), to));
                        }
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "relay-" + (fromA ? "a2b" : "b2a"));
            t.setDaemon(true);
            t.start();
            return t;
        }

        String candidate() {
            return "candidate:1 1 udp 2130706431 127.0.0.1 " + facingA.getLocalPort() + " typ host";
        }

        @Override
        public void close() throws InterruptedException {
            facingA.close();
            facingB.close();
            for (Thread t : pumps) {
                t.join(TimeUnit.SECONDS.toMillis(T));
            }
        }
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + T + " s: " + what);
            }
            Thread.sleep(10);
        }
    }

    static PeerConnection fastConsentPeer() {
        return new PeerConnection(loopback().build(), SctpAssociationPort.FACTORY,
                java.util.function.UnaryOperator.identity(),
                ice -> ice.disconnectedTimeoutMs(FastConsent.DISCONNECTED_TIMEOUT_MS)
                .consentTimeoutMs(FastConsent.CONSENT_TIMEOUT_MS));
    }

    @Test
    void disconnectedThenConnectedThenFailedAndReleased() throws Exception {
        PeerConnection a = fastConsentPeer();
        PeerConnection b = fastConsentPeer();
        Relay relay = null;
        try {
            List<IceConnectionState> iceA = new CopyOnWriteArrayList<>();
            List<PeerConnectionState> connA = new CopyOnWriteArrayList<>();
            List<PeerConnectionState> connB = new CopyOnWriteArrayList<>();
            a.onIceConnectionStateChange(iceA::add);
            a.onConnectionStateChange(connA::add);
            b.onConnectionStateChange(connB::add);
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            b.onDataChannel(atB::add);
            DataChannel ch = a.createDataChannel("through-relay", null);
            CompletableFuture<Void> open = opened(ch);
            CompletableFuture<Void> chClosed = new CompletableFuture<>();
            ch.onClose(() -> chClosed.complete(null));

            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(withoutCandidates(a.localDescription())).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            InetSocketAddress bAddr = b.iceSocketAddresses().get(0);
            relay = new Relay(bAddr);
            a.setRemoteDescription(withoutCandidates(b.localDescription())).get(T, TimeUnit.SECONDS);
            a.addIceCandidate(relay.candidate()).get(T, TimeUnit.SECONDS);
            open.get(T, TimeUnit.SECONDS);
            DataChannel atBch = atB.poll(T, TimeUnit.SECONDS);
            assertTrue(atBch != null);
            BlockingQueue<DataChannelMessage> q = inbox(atBch);
            ch.send("before");
            assertEquals("before", take(q).text());
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());

            relay.drop = true;
            await(() -> a.connectionState() == PeerConnectionState.DISCONNECTED
                    && b.connectionState() == PeerConnectionState.DISCONNECTED, "both DISCONNECTED");
            assertEquals(IceConnectionState.DISCONNECTED, a.iceConnectionState());
            assertEquals(IceConnectionState.DISCONNECTED, b.iceConnectionState());
            relay.drop = false;
            await(() -> a.connectionState() == PeerConnectionState.CONNECTED
                    && b.connectionState() == PeerConnectionState.CONNECTED, "both CONNECTED again");
            assertTrue(a.iceConnectionState() == IceConnectionState.CONNECTED
                    || a.iceConnectionState() == IceConnectionState.COMPLETED, a.iceConnectionState().toString());
            ch.send("after recovery");
            assertEquals("after recovery", take(q).text());

            relay.drop = true;
            await(() -> a.connectionState() == PeerConnectionState.FAILED
                    && b.connectionState() == PeerConnectionState.FAILED, "both FAILED");
            chClosed.get(T, TimeUnit.SECONDS);
            assertEquals(IceConnectionState.FAILED, a.iceConnectionState());
            for (PeerConnection pc : List.of(a, b)) {
                String why = pc.failureReason().orElseThrow();
                assertTrue(why.startsWith("ICE failed: consent expired"), why);
            }
            // The getters change before the callbacks run: wait for the events too.
            await(() -> connA.contains(PeerConnectionState.FAILED) && iceA.contains(IceConnectionState.FAILED),
                    "FAILED events at a");
            LOG.info("a: ICE {}, connection {}; b: connection {}", iceA, connA, connB);
            int d = connA.indexOf(PeerConnectionState.DISCONNECTED);
            assertTrue(d > 0, connA.toString());
            assertEquals(PeerConnectionState.CONNECTED, connA.get(d + 1), connA.toString());
            assertEquals(PeerConnectionState.FAILED, connA.get(connA.size() - 1), connA.toString());
            assertEquals(IceConnectionState.DISCONNECTED, iceA.get(iceA.size() - 2), iceA.toString());
            assertFalse(connB.contains(PeerConnectionState.CLOSED), connB.toString());

            // Released on failure: every ICE socket and reader thread, the DTLS thread; only the
            // event loop stays (it serves the API until close()).
            for (PeerConnection pc : List.of(a, b)) {
                IceRestartTest.awaitReleased(pc.iceSocketAddresses());
                await(() -> pc.liveThreads().size() == 1, "only the loop thread left: " + pc.liveThreads());
                assertTrue(pc.liveThreads().get(0).getName().endsWith("-loop"), pc.liveThreads().toString());
            }
            a.close();
            b.close();
            assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
            assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
        } finally {
            a.close();
            b.close();
            if (relay != null) {
                relay.close();
            }
        }
    }
}
