package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.RenegotiationTest.channelPair;
import static org.jdatachannel.RenegotiationTest.exchange;
import static org.jdatachannel.TrickleIceTest.ufrag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICE restart on a live session (W3C webrtc-pc restartIce(), RFC 8445 §9, RFC 8839 §4.4.1.1.1):
 * new credentials in the next offer, a new ICE agent, DTLS and SCTP moved over to it when it
 * connects, the old agent's sockets and threads released; an ordered reliable channel delivers
 * every message exactly once and in order across the restart, whichever side restarts.
 */
class IceRestartTest {
    private static final Logger LOG = LoggerFactory.getLogger(IceRestartTest.class);

    /** True if nothing is bound on {@code a} any more (we can bind it ourselves). */
    static boolean released(InetSocketAddress a) {
        try (DatagramSocket s = new DatagramSocket(a)) {
            return true;
        } catch (SocketException e) {
            return false;
        }
    }

    static boolean readerAlive(InetSocketAddress a) {
        String name = "jdc-ice-rx-" + a;
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().equals(name));
    }

    /** Waits (bounded) until the sockets are unbound and their reader threads have ended. */
    static void awaitReleased(List<InetSocketAddress> sockets) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        for (InetSocketAddress s : sockets) {
            while ((readerAlive(s) || !released(s)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(readerAlive(s), "reader thread of " + s + " still alive");
            assertTrue(released(s), s + " still bound");
        }
    }

    /**
     * restartIce() and an unapplied restart offer, then a plain re-offer from the peer: the answer
     * keeps the current credentials (the peer did not restart) and closes the agent of the
     * unapplied restart offer (its sockets are released at once, not at the next restart or close);
     * our next offer still restarts, with another new generation.
     */
    @org.junit.jupiter.api.Test
    void pendingRestartSurvivesAPlainReOfferFromThePeer() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            DataChannel[] ends = channelPair(a, b, "ordered");
            String ufragA = ufrag(a.localDescription());
            List<InetSocketAddress> old = a.iceSocketAddresses();
            a.restartIce();
            SessionDescriptionInit unapplied = a.createOffer().get(T, TimeUnit.SECONDS);
            assertNotEquals(ufragA, ufrag(unapplied));
            List<InetSocketAddress> abandoned = new ArrayList<>(a.iceSocketAddresses());
            abandoned.removeAll(old);
            assertFalse(abandoned.isEmpty());
            SessionDescriptionInit[] oa = exchange(b, a);
            assertEquals(ufragA, ufrag(oa[1]), "the answer to a plain re-offer keeps our credentials");
            awaitReleased(abandoned);
            SessionDescriptionInit[] restart = exchange(a, b);
            assertNotEquals(ufragA, ufrag(restart[0]), "restartIce() still applies");
            assertNotEquals(ufrag(unapplied), ufrag(restart[0]), "a new generation for the restart");
            java.util.concurrent.BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            ends[0].send("after the restart");
            assertEquals("after the restart", PeerConnectionLoopbackTest.take(q).text());
            awaitReleased(old);
        }
    }

    @ParameterizedTest(name = "restarted by the offerer: {0}")
    @ValueSource(booleans = {true, false})
    void restartWhileMessagesFlowKeepsTheChannel(boolean byOfferer) throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            DataChannel[] ends = channelPair(a, b, "ordered");
            List<IceConnectionState> iceA = new CopyOnWriteArrayList<>();
            List<PeerConnectionState> connA = new CopyOnWriteArrayList<>();
            a.onIceConnectionStateChange(iceA::add);
            a.onConnectionStateChange(connA::add);
            PeerConnection restarter = byOfferer ? a : b;
            PeerConnection other = byOfferer ? b : a;
            List<InetSocketAddress> oldA = a.iceSocketAddresses();
            List<InetSocketAddress> oldB = b.iceSocketAddresses();
            String oldUfragR = ufrag(restarter.localDescription());
            String oldUfragO = ufrag(other.localDescription());
            List<String> got = new ArrayList<>();
            List<String> back = new ArrayList<>();
            try (RenegotiationTest.Flow flow = new RenegotiationTest.Flow(ends[0], ends[1]);
                 RenegotiationTest.Flow reverse = new RenegotiationTest.Flow(ends[1], ends[0])) {
                flow.awaitMore(50, got);
                reverse.awaitMore(50, back);
                restarter.restartIce();
                TrickleIceTest.Trickle trickle = new TrickleIceTest.Trickle(restarter);
                SessionDescriptionInit[] oa = exchange(restarter, other);
                // The new generation is gathered and trickled like the first one.
                List<IceCandidateInit> fresh = trickle.all();
                for (IceCandidateInit c : fresh) {
                    assertEquals(ufrag(oa[0]), c.usernameFragment(), c.toString());
                }
                assertEquals(List.of(IceGatheringState.GATHERING, IceGatheringState.COMPLETE), trickle.gathering);
                // RFC 8839 §4.4.1.1.1: new ice-ufrag and ice-pwd in the restart offer; the answer
                // to it has new credentials too.
                assertNotEquals(oldUfragR, ufrag(oa[0]));
                assertNotEquals(oldUfragO, ufrag(oa[1]));
                // The old agents go away once the new ones have connected and DTLS moved over.
                awaitReleased(oldA);
                awaitReleased(oldB);
                assertTrue(a.iceSocketAddresses().size() > oldA.size(), "a new agent bound new sockets");
                flow.awaitMore(100, got);
                reverse.awaitMore(100, back);
                flow.finish(got);
                reverse.finish(back);
            }
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
            assertEquals(PeerConnectionState.CONNECTED, b.connectionState());
            assertTrue(a.iceConnectionState() == IceConnectionState.CONNECTED
                    || a.iceConnectionState() == IceConnectionState.COMPLETED, a.iceConnectionState().toString());
            assertFalse(connA.contains(PeerConnectionState.FAILED), connA.toString());
            assertFalse(iceA.contains(IceConnectionState.FAILED), iceA.toString());
            // A second restart in the other direction works as well.
            other.restartIce();
            List<InetSocketAddress> before = other.iceSocketAddresses();
            exchange(other, restarter);
            awaitReleased(before);
            java.util.concurrent.BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            ends[0].send("after two restarts");
            assertEquals("after two restarts", PeerConnectionLoopbackTest.take(q).text());
            LOG.info("restart test done ({} then {})", byOfferer ? "offerer" : "answerer", byOfferer ? "answerer" : "offerer");
            Set<InetSocketAddress> all = new HashSet<>(a.iceSocketAddresses());
            all.addAll(b.iceSocketAddresses());
            a.close();
            b.close();
            awaitReleased(new ArrayList<>(all));
            assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
            assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
        }
    }

    /**
     * The peer restarts ICE and trickles the new generation's candidates before its answer
     * reaches us (cli's interop.html posts them in parallel): they are held for that ufrag and
     * given to the new ICE agent when the answer with that ufrag is set (the answer itself here
     * carries no candidates, so they are the only way to learn the peer's addresses).
     */
    @org.junit.jupiter.api.Test
    void candidatesOfTheNewGenerationBeforeItsAnswerAreHeldAndUsed() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            DataChannel[] ends = channelPair(a, b, "ordered");
            List<InetSocketAddress> old = a.iceSocketAddresses();
            a.restartIce();
            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            String answer = b.localDescription().sdp();
            String bUfrag = ufrag(b.localDescription());
            List<String> candidates = new ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("a=(candidate:[^\\r\\n]*)").matcher(answer);
            while (m.find()) {
                candidates.add(m.group(1));
            }
            assertFalse(candidates.isEmpty(), answer);
            for (String c : candidates) {
                a.addIceCandidate(new IceCandidateInit(c, "0", 0, bUfrag)).get(T, TimeUnit.SECONDS);
            }
            a.addIceCandidate(new IceCandidateInit("", "0", 0, bUfrag)).get(T, TimeUnit.SECONDS);
            String bare = answer.replaceAll("a=candidate:[^\\r\\n]*\\r?\\n", "")
                    .replaceAll("a=end-of-candidates\\r?\\n", "");
            a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, bare))
                    .get(T, TimeUnit.SECONDS);
            assertEquals(candidates, a.remoteCandidatesOf(ufrag(offer)),
                    "the early candidates reach the new generation's agent");
            java.util.concurrent.BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            ends[0].send("after restart");
            DataChannelMessage got = q.poll(T, TimeUnit.SECONDS);
            assertTrue(got != null && got.text().equals("after restart"), String.valueOf(got));
            awaitReleased(old); // the new generation connected and replaced the old one
        }
    }
}
