package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.connected;
import static org.jdatachannel.PeerConnectionLoopbackTest.echoIncoming;
import static org.jdatachannel.PeerConnectionLoopbackTest.inbox;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.jdatachannel.PeerConnectionLoopbackTest.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdatachannel.sdp.SdpParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trickle ICE (RFC 8838, W3C webrtc-pc §4.4.1.6): two PeerConnections over 127.0.0.1 wired only
 * by trickled candidates: the descriptions travel without any {@code a=candidate} line, the
 * candidates one by one from {@code onIceCandidate} to {@code addIceCandidate}, before or after
 * the description they belong to.
 */
class TrickleIceTest {

    /** The description without a=candidate and a=end-of-candidates lines. */
    static SessionDescriptionInit withoutCandidates(SessionDescriptionInit d) {
        StringBuilder bare = new StringBuilder();
        for (String line : d.sdp().split("\r\n")) {
            if (!line.startsWith("a=candidate:") && !line.equals("a=end-of-candidates") && !line.isEmpty()) {
                bare.append(line).append("\r\n");
            }
        }
        assertFalse(bare.toString().contains("a=candidate"));
        return new SessionDescriptionInit(d.type(), bare.toString());
    }

    static String ufrag(SessionDescriptionInit d) {
        Matcher m = Pattern.compile("a=ice-ufrag:(\\S+)").matcher(d.sdp());
        assertTrue(m.find(), d.sdp());
        return m.group(1);
    }

    /** Collects one side's trickle events until the end-of-candidates one. */
    static final class Trickle {
        final BlockingQueue<IceCandidateInit> events = new LinkedBlockingQueue<>();
        final List<IceGatheringState> gathering = new CopyOnWriteArrayList<>();

        Trickle(PeerConnection pc) {
            pc.onIceCandidate(events::add);
            pc.onIceGatheringStateChange(gathering::add);
        }

        /** @return the candidates up to and including the end-of-candidates event */
        List<IceCandidateInit> all() throws InterruptedException {
            List<IceCandidateInit> out = new ArrayList<>();
            while (true) {
                IceCandidateInit c = events.poll(T, TimeUnit.SECONDS);
                if (c == null) {
                    throw new AssertionError("no end-of-candidates within " + T + " s; got " + out);
                }
                out.add(c);
                if (c.isEndOfCandidates()) {
                    return out;
                }
            }
        }
    }

    /**
     * @param early true: each side's candidates reach the peer before the description they belong
     *              to (held, then applied with it); false: after it
     */
    @ParameterizedTest(name = "candidates before the description: {0}")
    @ValueSource(booleans = {true, false})
    void connectsOnTrickledCandidatesOnly(boolean early) throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            Trickle ta = new Trickle(a);
            Trickle tb = new Trickle(b);
            assertEquals(IceGatheringState.NEW, a.iceGatheringState());
            echoIncoming(b, new CopyOnWriteArrayList<>());
            DataChannel ch = a.createDataChannel("trickle", null);
            CompletableFuture<Void> open = opened(ch);
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            CompletableFuture<Void> aUp = connected(a);
            CompletableFuture<Void> bUp = connected(b);

            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            assertTrue(offer.sdp().contains("a=ice-options:trickle"), offer.sdp());
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            List<IceCandidateInit> fromA = ta.all();
            assertTrue(fromA.size() >= 2, "at least one candidate and the end: " + fromA);
            for (IceCandidateInit c : fromA) {
                assertEquals("0", c.sdpMid());
                assertEquals(0, c.sdpMLineIndex());
                assertEquals(ufrag(offer), c.usernameFragment());
            }
            assertEquals(IceGatheringState.COMPLETE, a.iceGatheringState());
            assertEquals(List.of(IceGatheringState.GATHERING, IceGatheringState.COMPLETE), ta.gathering);
            // W3C: the local description is updated with the candidates and the end of gathering.
            for (IceCandidateInit c : fromA) {
                if (!c.isEndOfCandidates()) {
                    assertTrue(a.localDescription().sdp().contains("a=" + c.candidate()), a.localDescription().sdp());
                }
            }
            assertTrue(a.localDescription().sdp().contains("a=end-of-candidates"));

            if (early) {
                for (IceCandidateInit c : fromA) {
                    b.addIceCandidate(c).get(T, TimeUnit.SECONDS);
                }
            }
            b.setRemoteDescription(withoutCandidates(a.localDescription())).get(T, TimeUnit.SECONDS);
            if (!early) {
                for (IceCandidateInit c : fromA) {
                    b.addIceCandidate(c).get(T, TimeUnit.SECONDS);
                }
            }
            SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
            b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
            List<IceCandidateInit> fromB = tb.all();
            assertEquals(IceGatheringState.COMPLETE, b.iceGatheringState());
            if (early) {
                for (IceCandidateInit c : fromB) {
                    a.addIceCandidate(c).get(T, TimeUnit.SECONDS);
                }
            }
            a.setRemoteDescription(withoutCandidates(b.localDescription())).get(T, TimeUnit.SECONDS);
            if (!early) {
                for (IceCandidateInit c : fromB) {
                    a.addIceCandidate(c).get(T, TimeUnit.SECONDS);
                }
            }
            aUp.get(T, TimeUnit.SECONDS);
            bUp.get(T, TimeUnit.SECONDS);
            open.get(T, TimeUnit.SECONDS);
            ch.send("via trickle only");
            assertEquals("via trickle only", take(q).text());
            assertTrue(ta.events.isEmpty() && tb.events.isEmpty(), "one end-of-candidates per side");
        }
    }

    /**
     * Randomized delivery (seed logged): each side's description and trickled candidates reach the
     * peer in a random order, the description with or without its own candidates (duplicates are
     * harmless); the end-of-candidates event too. Every round connects and carries a message.
     */
    @Test
    void randomDeliveryOrderConnects() throws Exception {
        long seed = System.nanoTime();
        org.slf4j.LoggerFactory.getLogger(TrickleIceTest.class).info("randomDeliveryOrderConnects seed {}", seed);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        for (int round = 0; round < 3; round++) {
            try (PeerConnection a = new PeerConnection(loopback().build());
                 PeerConnection b = new PeerConnection(loopback().build())) {
                Trickle ta = new Trickle(a);
                Trickle tb = new Trickle(b);
                echoIncoming(b, new CopyOnWriteArrayList<>());
                DataChannel ch = a.createDataChannel("random-" + round, null);
                CompletableFuture<Void> open = opened(ch);
                BlockingQueue<DataChannelMessage> q = inbox(ch);
                a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
                deliver(rnd, a.localDescription(), ta.all(), b);
                b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
                deliver(rnd, b.localDescription(), tb.all(), a);
                open.get(T, TimeUnit.SECONDS);
                ch.send("round " + round);
                assertEquals("round " + round, take(q).text(), "seed " + seed);
            }
        }
    }

    /** Applies {@code d} and {@code candidates} to {@code to} in a random order. */
    private static void deliver(java.util.SplittableRandom rnd, SessionDescriptionInit d,
                                List<IceCandidateInit> candidates, PeerConnection to) throws Exception {
        List<Object> items = new ArrayList<>(candidates);
        items.add(rnd.nextBoolean() ? d : withoutCandidates(d));
        for (int i = items.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Object t = items.get(i);
            items.set(i, items.get(j));
            items.set(j, t);
        }
        for (Object o : items) {
            if (o instanceof SessionDescriptionInit s) {
                to.setRemoteDescription(s).get(T, TimeUnit.SECONDS);
            } else {
                to.addIceCandidate((IceCandidateInit) o).get(T, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void addIceCandidateChecksItsArguments() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            a.setRemoteDescription(withoutCandidates(b.localDescription())).get(T, TimeUnit.SECONDS);
            String line = "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host";
            // W3C TypeError: neither sdpMid nor sdpMLineIndex.
            assertCause(IllegalArgumentException.class, a.addIceCandidate(new IceCandidateInit(line, null, null, null)));
            // W3C OperationError: no such section.
            assertCause(IllegalArgumentException.class, a.addIceCandidate(new IceCandidateInit(line, "7", null, null)));
            assertCause(IllegalArgumentException.class, a.addIceCandidate(new IceCandidateInit(line, null, 3, null)));
            // RFC 8839 §5.1 grammar.
            assertCause(SdpParseException.class, a.addIceCandidate(new IceCandidateInit("candidate:x", "0", 0, null)));
            assertCause(IllegalArgumentException.class, a.addIceCandidate((IceCandidateInit) null));
            assertCause(IllegalArgumentException.class, a.addIceCandidate((String) null));
            assertThrows(IllegalArgumentException.class, () -> new IceCandidateInit(null, "0", 0, null));
            assertThrows(IllegalArgumentException.class, () -> new IceCandidateInit(line, "0", -1, null));
            // Accepted: by mid, by index, end of candidates, and an older generation (ignored).
            a.addIceCandidate(new IceCandidateInit(line, "0", null, null)).get(T, TimeUnit.SECONDS);
            a.addIceCandidate(new IceCandidateInit(line, null, 0, ufrag(b.localDescription()))).get(T, TimeUnit.SECONDS);
            a.addIceCandidate(new IceCandidateInit(line, "0", 0, "old-generation")).get(T, TimeUnit.SECONDS);
            a.addIceCandidate(new IceCandidateInit("", "0", 0, null)).get(T, TimeUnit.SECONDS);
            a.addIceCandidate("a=" + line).get(T, TimeUnit.SECONDS);
            a.addIceCandidate("").get(T, TimeUnit.SECONDS);
        }
    }

    /**
     * A remote offer with an audio section first (rejected by our answer), BUNDLEd with the data
     * section as browsers do: candidates trickled for the audio mid or index (browsers trickle for
     * the first bundled section) are accepted; an unknown mid or an index beyond the sections fails.
     */
    @Test
    void candidatesForABundledSectionAreAccepted() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            String sdp = withoutCandidates(a.localDescription()).sdp();
            String audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:audio0\r\n"
                    + "a=rtpmap:111 opus/48000/2\r\n";
            sdp = sdp.replace("a=group:BUNDLE 0", "a=group:BUNDLE audio0 0").replace("m=application", audio + "m=application");
            assertTrue(sdp.contains("a=group:BUNDLE audio0 0"), sdp);
            b.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp)).get(T, TimeUnit.SECONDS);
            SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
            assertTrue(answer.sdp().contains("m=audio 0 "), answer.sdp());
            String line = "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host";
            b.addIceCandidate(new IceCandidateInit(line, "audio0", 0, null)).get(T, TimeUnit.SECONDS);
            b.addIceCandidate(new IceCandidateInit(line, null, 0, null)).get(T, TimeUnit.SECONDS);
            b.addIceCandidate(new IceCandidateInit(line, null, 1, null)).get(T, TimeUnit.SECONDS);
            assertCause(IllegalArgumentException.class, b.addIceCandidate(new IceCandidateInit(line, "video0", null, null)));
            assertCause(IllegalArgumentException.class, b.addIceCandidate(new IceCandidateInit(line, null, 2, null)));
        }
    }

    /** At most 100 candidates are held before the remote description; more fail, not grow memory. */
    @Test
    void heldCandidatesAreBounded() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build())) {
            for (int i = 0; i < 100; i++) {
                a.addIceCandidate(new IceCandidateInit("candidate:" + i + " 1 udp 2130706431 127.0.0.1 " + (1000 + i)
                        + " typ host", "0", 0, null)).get(T, TimeUnit.SECONDS);
            }
            assertCause(IllegalStateException.class, a.addIceCandidate(
                    new IceCandidateInit("candidate:x 1 udp 2130706431 127.0.0.1 999 typ host", "0", 0, null)));
        }
    }

    static void assertCause(Class<? extends Throwable> type, CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS));
        assertInstanceOf(type, e.getCause(), String.valueOf(e.getCause()));
    }
}
