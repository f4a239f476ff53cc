package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.jdatachannel.TrickleIceTest.assertCause;
import static org.jdatachannel.TrickleIceTest.ufrag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The W3C signaling state machine (webrtc-pc §4.3.1) and renegotiation on an established session
 * (JSEP RFC 8829 §5.2.2, §5.3.2; RFC 8842 §5.5): re-offers from either side keep ICE credentials,
 * fingerprint, session id (version + 1) and DTLS roles, and the data channel keeps delivering.
 * A re-offer changing the DTLS roles fails only that call; one changing the fingerprint fails the
 * connection too (the peer would need a new DTLS association).
 */
class RenegotiationTest {
    private static final Logger LOG = LoggerFactory.getLogger(RenegotiationTest.class);

    /**
     * Numbered messages sent from one channel on a thread of their own, about one per
     * millisecond, and collected on the peer's channel: proves the channel works during and after
     * whatever the test does meanwhile, each message exactly once and in order.
     */
    static final class Flow implements AutoCloseable {
        final DataChannel from;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final Thread sender;
        private volatile boolean stop;
        private volatile int sent;
        private volatile Throwable error;

        Flow(DataChannel from, DataChannel to) {
            this.from = from;
            to.onMessage(m -> received.add(m.text()));
            sender = new Thread(() -> {
                try {
                    while (!stop) {
                        if (from.bufferedAmount() < 64 * 1024) {
                            from.send(Integer.toString(sent));
                            sent++;
                        }
                        LockSupport.parkNanos(1_000_000L);
                    }
                } catch (Throwable t) {
                    error = t;
                }
            }, "flow-" + from.label());
            sender.setDaemon(true);
            sender.start();
        }

        /** Waits until at least {@code n} more messages have arrived. */
        void awaitMore(int n, List<String> sink) throws InterruptedException {
            for (int i = 0; i < n; i++) {
                String s = received.poll(T, TimeUnit.SECONDS);
                if (s == null) {
                    throw new AssertionError("flow stalled after " + sink.size() + " messages (sent " + sent + ")");
                }
                sink.add(s);
            }
        }

        /** Stops sending and checks that every message sent arrived exactly once, in order. */
        List<String> finish(List<String> sink) throws InterruptedException {
            stop = true;
            try {
                sender.join(TimeUnit.SECONDS.toMillis(T));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (error != null) {
                throw new AssertionError("sender failed", error);
            }
            while (sink.size() < sent) {
                String s = received.poll(T, TimeUnit.SECONDS);
                if (s == null) {
                    throw new AssertionError("only " + sink.size() + " of " + sent + " messages arrived");
                }
                sink.add(s);
            }
            for (int i = 0; i < sink.size(); i++) {
                assertEquals(Integer.toString(i), sink.get(i), "message #" + i);
            }
            assertTrue(received.isEmpty(), "no duplicates");
            LOG.info("flow on {}: {} messages, all once and in order", from.label(), sent);
            return sink;
        }

        @Override
        public void close() {
            stop = true;
        }
    }

    /** a opens "flow-a"; returns both ends once open (a's end first). */
    static DataChannel[] channelPair(PeerConnection a, PeerConnection b, String label) throws Exception {
        BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
        b.onDataChannel(atB::add);
        DataChannel ch = a.createDataChannel(label, null);
        CompletableFuture<Void> open = opened(ch);
        negotiate(a, b);
        open.get(T, TimeUnit.SECONDS);
        DataChannel remote = atB.poll(T, TimeUnit.SECONDS);
        assertTrue(remote != null, "channel announced at b");
        return new DataChannel[] {ch, remote};
    }

    static String line(SessionDescriptionInit d, String regex) {
        Matcher m = Pattern.compile(regex).matcher(d.sdp());
        assertTrue(m.find(), regex + " in " + d.sdp());
        return m.group(1);
    }

    /** One offer/answer exchange started by {@code offerer}; returns {offer, answer}. */
    static SessionDescriptionInit[] exchange(PeerConnection offerer, PeerConnection answerer) throws Exception {
        SessionDescriptionInit offer = offerer.createOffer().get(T, TimeUnit.SECONDS);
        offerer.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
        answerer.setRemoteDescription(offerer.localDescription()).get(T, TimeUnit.SECONDS);
        SessionDescriptionInit answer = answerer.createAnswer().get(T, TimeUnit.SECONDS);
        answerer.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
        offerer.setRemoteDescription(answerer.localDescription()).get(T, TimeUnit.SECONDS);
        return new SessionDescriptionInit[] {offer, answer};
    }

    static void assertIllegalState(CompletableFuture<?> f, String stateName) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains(stateName), e.getCause().getMessage());
    }

    @Test
    void signalingStatesAndOutOfOrderCalls() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build());
             PeerConnection c = new PeerConnection(loopback().build())) {
            List<SignalingState> atA = new CopyOnWriteArrayList<>();
            List<SignalingState> atB = new CopyOnWriteArrayList<>();
            a.onSignalingStateChange(atA::add);
            b.onSignalingStateChange(atB::add);
            assertEquals(SignalingState.STABLE, a.signalingState());
            // W3C InvalidStateError cases, named by state.
            assertIllegalState(a.createAnswer(), "stable");
            SessionDescriptionInit cOffer = c.createOffer().get(T, TimeUnit.SECONDS);
            SessionDescriptionInit asAnswer = new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, cOffer.sdp());
            assertIllegalState(a.setRemoteDescription(asAnswer), "stable");
            assertIllegalState(a.setLocalDescription(asAnswer), "stable");

            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            assertEquals(SignalingState.HAVE_LOCAL_OFFER, a.signalingState());
            assertIllegalState(a.setRemoteDescription(cOffer), "have-local-offer");
            assertIllegalState(a.createAnswer(), "have-local-offer");
            // An offer we did not create (unknown ICE credentials) is refused.
            assertCause(IllegalStateException.class, a.setLocalDescription(cOffer));

            b.setRemoteDescription(offer).get(T, TimeUnit.SECONDS);
            assertEquals(SignalingState.HAVE_REMOTE_OFFER, b.signalingState());
            assertIllegalState(b.createOffer(), "have-remote-offer");
            assertIllegalState(b.setRemoteDescription(asAnswer), "have-remote-offer");
            SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
            b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
            a.setRemoteDescription(answer).get(T, TimeUnit.SECONDS);
            assertEquals(SignalingState.STABLE, a.signalingState());
            assertEquals(SignalingState.STABLE, b.signalingState());
            awaitSize(atA, 2);
            awaitSize(atB, 2);
            assertEquals(List.of(SignalingState.HAVE_LOCAL_OFFER, SignalingState.STABLE), atA);
            assertEquals(List.of(SignalingState.HAVE_REMOTE_OFFER, SignalingState.STABLE), atB);
            a.close();
            assertEquals(SignalingState.CLOSED, a.signalingState());
            assertEquals(IceConnectionState.CLOSED, a.iceConnectionState());
            assertIllegalState(a.createOffer(), "closed");
            assertEquals(2, atA.size(), "close() fires no signaling event (W3C)");
        }
    }

    static <E> void awaitSize(List<E> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, list.size(), list.toString());
    }

    @Test
    void reOffersFromBothSidesWhileMessagesFlow() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            DataChannel[] ends = channelPair(a, b, "flow-a");
            String firstOffer = a.localDescription().sdp();
            String firstAnswer = b.localDescription().sdp();
            List<String> got = new ArrayList<>();
            try (Flow flow = new Flow(ends[0], ends[1])) {
                flow.awaitMore(50, got);
                for (int round = 0; round < 2; round++) {
                    // a re-offers (it offered first), then b (it answered first).
                    for (PeerConnection[] pair : new PeerConnection[][] {{a, b}, {b, a}}) {
                        SessionDescriptionInit before = pair[0].localDescription();
                        SessionDescriptionInit[] oa = exchange(pair[0], pair[1]);
                        SessionDescriptionInit offer = oa[0];
                        SessionDescriptionInit answer = oa[1];
                        // RFC 8829 §5.2.2: same session id, version incremented; same ICE
                        // credentials and fingerprint; setup actpass; the answer keeps DTLS roles.
                        String o = "o=- (\\d+) (\\d+) ";
                        assertEquals(line(before, o), line(offer, o));
                        assertEquals(ufrag(before), ufrag(offer));
                        assertEquals(line(before, "a=ice-pwd:(\\S+)"), line(offer, "a=ice-pwd:(\\S+)"));
                        assertEquals(line(before, "a=fingerprint:(.+)"), line(offer, "a=fingerprint:(.+)"));
                        assertEquals("actpass", line(offer, "a=setup:(\\S+)"));
                        // RFC 3264 §8: "If the version in the origin line does not increment, the
                        // SDP MUST be identical to the SDP with that version number" (an unchanged
                        // re-offer may keep it, RFC 8829 §5.2.2); else it increments by one.
                        long v0 = Long.parseLong(line(before, "o=- \\d+ (\\d+) "));
                        long v1 = Long.parseLong(line(offer, "o=- \\d+ (\\d+) "));
                        if (v1 == v0) {
                            assertEquals(before.sdp(), offer.sdp(), "same version, same description");
                        } else {
                            assertEquals(v0 + 1, v1, "version incremented by one");
                        }
                        String expectedSetup = pair[1] == b ? "active" : "passive"; // b is the DTLS client
                        assertEquals(expectedSetup, line(answer, "a=setup:(\\S+)"));
                        assertEquals(SignalingState.STABLE, a.signalingState());
                        assertEquals(SignalingState.STABLE, b.signalingState());
                        assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
                        assertEquals(PeerConnectionState.CONNECTED, b.connectionState());
                        flow.awaitMore(50, got);
                    }
                }
                flow.finish(got);
            }
            assertEquals(ufrag(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, firstOffer)),
                    ufrag(a.localDescription()));
            assertEquals(ufrag(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, firstAnswer)),
                    ufrag(b.localDescription()));
        }
    }

    /**
     * A re-offer or answer that changes the DTLS roles of the live session fails that call with a
     * clear error; the connection stays up and a proper re-offer still works.
     */
    @Test
    void changedDtlsRoleFailsOnlyTheNegotiation() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            DataChannel[] ends = channelPair(a, b, "flow-a");
            List<String> got = new ArrayList<>();
            try (Flow flow = new Flow(ends[0], ends[1])) {
                flow.awaitMore(20, got);
                SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
                a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
                // a is the DTLS server; an offer insisting that a be the client (setup:active).
                SessionDescriptionInit badRole = new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER,
                        offer.sdp().replace("a=setup:actpass", "a=setup:active"));
                assertMessage(b.setRemoteDescription(badRole), "DTLS role");
                assertEquals(SignalingState.STABLE, b.signalingState());
                assertEquals(PeerConnectionState.CONNECTED, b.connectionState());
                // The proper offer goes through; an answer flipping the roles does not.
                b.setRemoteDescription(offer).get(T, TimeUnit.SECONDS);
                SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
                assertEquals("active", line(answer, "a=setup:(\\S+)"));
                SessionDescriptionInit flipped = new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER,
                        answer.sdp().replace("a=setup:active", "a=setup:passive"));
                assertMessage(b.setLocalDescription(flipped), "DTLS role");
                b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
                assertMessage(a.setRemoteDescription(flipped), "DTLS role");
                assertEquals(SignalingState.HAVE_LOCAL_OFFER, a.signalingState());
                a.setRemoteDescription(answer).get(T, TimeUnit.SECONDS);
                assertEquals(SignalingState.STABLE, a.signalingState());
                flow.awaitMore(20, got);
                flow.finish(got);
            }
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
            assertEquals(PeerConnectionState.CONNECTED, b.connectionState());
        }
    }

    /**
     * Issue 5 (decided): a re-offer whose fingerprint differs from the one the live DTLS session was
     * authenticated with means the peer has another certificate; it would need a new DTLS
     * association, so the session is over. The call fails (IllegalArgumentException) and the
     * connection fails with a readable reason; the peer sees our close_notify and ends too.
     */
    @Test
    void changedFingerprintMidSessionFailsTheConnection() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            DataChannel[] ends = channelPair(a, b, "flow-a");
            CompletableFuture<Void> aChannelClosed = PeerConnectionLoopbackTest.closed(ends[0]);
            CompletableFuture<PeerConnectionState> aEnd = new CompletableFuture<>();
            a.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.CLOSED || s == PeerConnectionState.FAILED) {
                    aEnd.complete(s);
                }
            });
            List<String> got = new ArrayList<>();
            try (Flow flow = new Flow(ends[0], ends[1])) {
                flow.awaitMore(20, got);
            }
            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            String fp = line(offer, "a=fingerprint:sha-256 (\\S+)");
            String otherFp = "AB:".repeat(31) + "AB";
            assertNotEquals(fp, otherFp);
            SessionDescriptionInit badFp = new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER,
                    offer.sdp().replace(fp, otherFp));
            assertMessage(b.setRemoteDescription(badFp), "fingerprint");
            assertEquals(PeerConnectionState.FAILED, b.connectionState());
            String why = b.failureReason().orElseThrow();
            assertTrue(why.contains("remote certificate fingerprint changed mid-session") && why.contains(fp)
                    && why.contains(otherFp), why);
            assertEquals(SignalingState.STABLE, b.signalingState(), "the failed call changed no signaling state");
            assertEquals(DataChannelState.CLOSED, ends[1].readyState());
            // b closed DTLS (close_notify): a ends as well, its channel closed.
            PeerConnectionState aState = aEnd.get(T, TimeUnit.SECONDS);
            assertTrue(aState == PeerConnectionState.CLOSED || aState == PeerConnectionState.FAILED, aState.toString());
            aChannelClosed.get(T, TimeUnit.SECONDS);
        }
    }

    static void assertMessage(CompletableFuture<?> f, String part) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains(part), e.getCause().getMessage());
    }
}
