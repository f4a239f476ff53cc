package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidatePairState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hostile STUN on a started agent's host port (issue 5: "STUN with bad MESSAGE-INTEGRITY or wrong
 * username: ignored, no state created"). A raw UDP socket on 127.0.0.1 (a "stranger": no
 * candidate of the agent names it) sends Binding requests with an unknown username fragment, a
 * wrong or missing MESSAGE-INTEGRITY, truncated and garbage STUN, and forged Binding responses.
 * The agent must create no remote (peer-reflexive) candidate and no pair, keep its state, accept
 * no data from the stranger, and answer at most once per request, only with 400 or 401 and never
 * with more bytes than it got (no amplification). A valid request from another socket then does
 * create a peer-reflexive candidate, pair and success response: the counters this test watches
 * do move when a check is genuine.
 *
 * <p>RFC 8489 §9.1.3 (paraphrased): a request without MESSAGE-INTEGRITY or USERNAME is answered
 * 400 (Bad Request); one whose USERNAME is not valid, or whose MESSAGE-INTEGRITY does not match,
 * 401 (Unauthorized). RFC 8445 §7.3.1.3: a peer-reflexive candidate is learned only from a
 * request that passed those checks. RFC 8489 §6.3 / §7.3: a message that is not valid STUN, or a
 * response matching no outstanding transaction, is discarded silently.
 */
class StunHostileInputTest {
    private static final Logger LOG = LoggerFactory.getLogger(StunHostileInputTest.class);
    private static final Predicate<InetAddress> IPV4_LOOPBACK =
            a -> a instanceof Inet4Address && a.isLoopbackAddress();
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final String PEER_UFRAG = "peerUfrag";
    private static final String PEER_PWD = "peerPassword0123456789abcd";
    /** How long the sockets wait for a reply that should (or may) come; bounded, never a sleep. */
    private static final int REPLY_WAIT_MS = 1500;

    private IceAgent agent;
    private InetSocketAddress target;
    /** Plays the signalled peer: its address is the agent's only remote candidate. */
    private DatagramSocket peer;
    private final Random random = new Random();

    @BeforeAll
    static void logging() {
        IceLogging.install();
    }

    @BeforeEach
    void startAgent() throws IOException {
        agent = new IceAgent(IceConfig.builder().controlling(false).addressFilter(IPV4_LOOPBACK).build());
        agent.gather();
        target = agent.localSocketAddresses().get(0);
        peer = new DatagramSocket(new InetSocketAddress(LO, 0));
        agent.setRemoteCredentials(PEER_UFRAG, PEER_PWD);
        agent.addRemoteCandidate(IceCandidate.host("1", 2130706431L, "127.0.0.1", peer.getLocalPort()));
        agent.start();
    }

    @AfterEach
    void close() {
        agent.close();
        peer.close();
    }

    private byte[] txid() {
        byte[] t = new byte[12];
        random.nextBytes(t);
        return t;
    }

    private String ourUsername() {
        // RFC 8445 §7.2.2: USERNAME of a check = receiver's ufrag ":" sender's ufrag.
        return agent.localUfrag() + ":" + PEER_UFRAG;
    }

    private StunBytes.Builder check(byte[] txid, String username) {
        return StunBytes.message(StunBytes.BINDING_REQUEST, txid).username(username).priority(1845501695L)
                .controlling(0x1122334455667788L);
    }

    private record Snapshot(int remoteCandidates, int pairs, IceState state) {
    }

    private Snapshot snapshot() {
        return new Snapshot(agent.remoteCandidateCount(), agent.checkListSize(), agent.state());
    }

    /** Every datagram arriving at {@code s} until none came for {@code waitMs}. */
    private static List<byte[]> drain(DatagramSocket s, int waitMs) throws IOException {
        List<byte[]> out = new ArrayList<>();
        s.setSoTimeout(waitMs);
        byte[] buf = new byte[2048];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return out;
            }
            out.add(Arrays.copyOf(p.getData(), p.getLength()));
        }
    }

    /** The first STUN message of {@code type} arriving at {@code s} within {@code waitMs}, or null. */
    private static byte[] await(DatagramSocket s, int type, int waitMs) throws IOException {
        long end = System.nanoTime() + waitMs * 1_000_000L;
        byte[] buf = new byte[2048];
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            s.setSoTimeout((int) left);
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            byte[] m = Arrays.copyOf(p.getData(), p.getLength());
            if (m.length >= 20 && StunBytes.type(m) == type) {
                return m;
            }
        }
    }

    @Test
    void unauthenticatedBindingRequestsCreateNoStateAndGetOnly400Or401() throws Exception {
        Snapshot before = snapshot();
        assertEquals(1, before.remoteCandidates(), "the signalled peer");
        assertEquals(1, before.pairs());
        List<byte[]> hostile = new ArrayList<>();
        String wrongPwd = "not-the-password-0123456789";
        // (a) unknown username fragment (MESSAGE-INTEGRITY keyed with the real password)
        hostile.add(check(txid(), "nobody:" + PEER_UFRAG).messageIntegrity(agent.localPassword()).fingerprint().build());
        hostile.add(check(txid(), "x").messageIntegrity(agent.localPassword()).fingerprint().build());
        hostile.add(check(txid(), PEER_UFRAG + ":" + agent.localUfrag()).messageIntegrity(agent.localPassword())
                .fingerprint().build());
        // (b) right username, wrong MESSAGE-INTEGRITY: another key, a flipped bit, all zeros
        hostile.add(check(txid(), ourUsername()).messageIntegrity(wrongPwd).fingerprint().build());
        byte[] flipped = check(txid(), ourUsername()).messageIntegrity(agent.localPassword()).build();
        flipped[flipped.length - 1] ^= 1;
        hostile.add(flipped);
        hostile.add(check(txid(), ourUsername()).attr(StunBytes.MESSAGE_INTEGRITY, new byte[20]).fingerprint().build());
        // the peer's password instead of ours (a reflected key)
        hostile.add(check(txid(), ourUsername()).messageIntegrity(PEER_PWD).fingerprint().build());
        // (c) no MESSAGE-INTEGRITY; no USERNAME; neither (a bare STUN server request)
        hostile.add(check(txid(), ourUsername()).fingerprint().build());
        hostile.add(StunBytes.message(StunBytes.BINDING_REQUEST, txid()).priority(1).controlling(7)
                .messageIntegrity(agent.localPassword()).fingerprint().build());
        hostile.add(StunBytes.message(StunBytes.BINDING_REQUEST, txid()).build());
        // USE-CANDIDATE on an unauthenticated check must not nominate anything either
        hostile.add(check(txid(), ourUsername()).useCandidate().messageIntegrity(wrongPwd).fingerprint().build());
        // a genuine check cut short inside its MESSAGE-INTEGRITY (header length now lies)
        byte[] genuine = check(txid(), ourUsername()).messageIntegrity(agent.localPassword()).fingerprint().build();
        hostile.add(Arrays.copyOf(genuine, genuine.length - 14));

        Map<String, Integer> sentLength = new HashMap<>();
        Map<String, Integer> index = new HashMap<>();
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            for (byte[] m : hostile) {
                index.put(Arrays.toString(StunBytes.txid(m)), index.size());
                sentLength.put(Arrays.toString(StunBytes.txid(m)), m.length);
                stranger.send(new DatagramPacket(m, m.length, target));
            }
            List<byte[]> replies = drain(stranger, REPLY_WAIT_MS);
            for (byte[] r : replies) {
                LOG.info("request #{} ({} bytes): reply type 0x{} code {} {} bytes", index.get(Arrays.toString(StunBytes.txid(r))),
                        sentLength.get(Arrays.toString(StunBytes.txid(r))), Integer.toHexString(StunBytes.type(r)),
                        StunBytes.errorCode(r), r.length);
            }
            Map<String, Integer> repliesPerTx = new HashMap<>();
            for (byte[] r : replies) {
                assertTrue(r.length >= 20, "a reply is a STUN message");
                String tx = Arrays.toString(StunBytes.txid(r));
                int code = StunBytes.errorCode(r);
                LOG.info("reply type 0x{} code {} {} bytes", Integer.toHexString(StunBytes.type(r)), code, r.length);
                assertEquals(StunBytes.BINDING_ERROR, StunBytes.type(r), "only error responses to unauthenticated requests");
                assertTrue(code == 400 || code == 401, "error code " + code);
                Integer req = sentLength.get(tx);
                assertNotNull(req, "a reply answers one of our transactions");
                assertTrue(r.length <= req, "no amplification: " + r.length + " bytes answer " + req);
                assertEquals(1, repliesPerTx.merge(tx, 1, Integer::sum), "one reply per request");
            }
            LOG.info("{} hostile requests, {} replies, drops {}", hostile.size(), replies.size(), agent.drops());
            assertState(before, stranger);
            assertEquals(4, agent.drops().unauthenticated(), "requests without USERNAME or MESSAGE-INTEGRITY "
                    + "(and the cut one, whose attributes no longer parse) never reach ice4j");
        }
        // Control: a genuine check from another socket is answered with success and learned as a
        // peer-reflexive candidate with its pair, so the counters above do move for real checks.
        try (DatagramSocket witness = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            byte[] tx = txid();
            byte[] ok = check(tx, ourUsername()).messageIntegrity(agent.localPassword()).fingerprint().build();
            witness.send(new DatagramPacket(ok, ok.length, target));
            byte[] resp = await(witness, StunBytes.BINDING_SUCCESS, 5000);
            assertNotNull(resp, "a genuine check is answered");
            assertArrayEquals(tx, StunBytes.txid(resp));
            InetSocketAddress w = (InetSocketAddress) witness.getLocalSocketAddress();
            assertTrue(agent.acceptsDataFrom(target, w), "the witness is now a known peer");
            // ice4j keeps a peer-reflexive candidate on its pair, not in the component's list.
            assertEquals(before.pairs() + 1, agent.checkListSize(), "a pair with the peer-reflexive candidate");
            boolean prflx = false;
            for (CandidatePair p : agent.ice4jComponent().getParentStream().getCheckList()) {
                prflx |= p.getRemoteCandidate().getTransportAddress().getPort() == w.getPort()
                        && p.getRemoteCandidate().getType() == org.ice4j.ice.CandidateType.PEER_REFLEXIVE_CANDIDATE;
            }
            assertTrue(prflx, "the witness became a peer-reflexive candidate");
        }
    }

    private void assertState(Snapshot before, DatagramSocket stranger) {
        assertEquals(before, snapshot(), "no candidate, pair or state change");
        InetSocketAddress s = (InetSocketAddress) stranger.getLocalSocketAddress();
        assertFalse(agent.acceptsDataFrom(target, s), "no data accepted from the stranger");
        for (CandidatePair p : agent.ice4jComponent().getParentStream().getCheckList()) {
            assertFalse(p.getRemoteCandidate().getTransportAddress().getPort() == s.getPort(), "pair " + p);
        }
    }

    @Test
    void garbageAndTruncatedStunIsDroppedSilently() throws Exception {
        Snapshot before = snapshot();
        long seed = Long.getLong("stun.seed", System.nanoTime());
        LOG.info("garbage seed {} (replay with -Dstun.seed={})", seed, seed);
        Random r = new Random(seed);
        List<byte[]> junk = new ArrayList<>();
        byte[] genuine = check(txid(), ourUsername()).messageIntegrity(agent.localPassword()).fingerprint().build();
        for (int cut = 1; cut < 20; cut += 3) {
            junk.add(Arrays.copyOf(genuine, cut)); // shorter than the 20-byte header
        }
        byte[] badCookie = genuine.clone();
        badCookie[4] ^= 0x55; // RFC 8489 §6.3: the magic cookie must be 0x2112A442
        junk.add(badCookie);
        byte[] oddLength = genuine.clone();
        oddLength[3] = (byte) (oddLength[3] + 1); // RFC 8489 §6.3: length a multiple of 4
        junk.add(oddLength);
        byte[] longer = genuine.clone();
        longer[2] = 0x7F; // header length far past the datagram
        junk.add(longer);
        byte[] attrPastEnd = check(txid(), ourUsername()).build();
        attrPastEnd[22] = (byte) 0xFF; // USERNAME claims 65280+ bytes
        junk.add(attrPastEnd);
        byte[] badFingerprint = genuine.clone();
        badFingerprint[badFingerprint.length - 1] ^= 1; // MI intact, FINGERPRINT wrong
        junk.add(badFingerprint);
        for (int i = 0; i < 200; i++) {
            byte[] g = new byte[1 + r.nextInt(300)];
            r.nextBytes(g);
            g[0] = (byte) r.nextInt(4); // RFC 7983: the STUN range, so it goes to ice4j
            if (g.length >= 8 && r.nextBoolean()) {
                g[4] = 0x21; // give half of them the magic cookie to get further into the parser
                g[5] = 0x12;
                g[6] = (byte) 0xA4;
                g[7] = 0x42;
            }
            junk.add(g);
        }
        byte[] huge = new byte[HostSocket.MAX_STUN_DATAGRAM + 100];
        System.arraycopy(genuine, 0, huge, 0, genuine.length);
        junk.add(huge);
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            for (byte[] j : junk) {
                stranger.send(new DatagramPacket(j, j.length, target));
            }
            List<byte[]> replies = drain(stranger, REPLY_WAIT_MS);
            for (byte[] reply : replies) {
                LOG.info("reply to garbage: type 0x{} code {} {} bytes", Integer.toHexString(StunBytes.type(reply)),
                        StunBytes.errorCode(reply), reply.length);
                assertEquals(StunBytes.BINDING_ERROR, StunBytes.type(reply), "only errors, if anything");
                int code = StunBytes.errorCode(reply);
                assertTrue(code == 400 || code == 401, "error code " + code);
            }
            assertTrue(replies.size() <= 2, replies.size() + " replies to garbage (only the bad-FINGERPRINT "
                    + "and random-but-parsable messages could be answered)");
            assertState(before, stranger);
        }
        assertTrue(agent.drops().stun() >= 1, "the oversized STUN datagram was counted: " + agent.drops());
        assertAgentStillWorks();
    }

    @Test
    void forgedResponsesChangeNothing() throws Exception {
        Snapshot before = snapshot();
        // The agent's own check to the peer gives a real transaction id (what an on-path attacker sees).
        byte[] req = await(peer, StunBytes.BINDING_REQUEST, 5000);
        assertNotNull(req, "the agent checks its remote candidate");
        byte[] realTx = StunBytes.txid(req);
        InetSocketAddress peerAddr = (InetSocketAddress) peer.getLocalSocketAddress();
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            List<byte[]> forged = new ArrayList<>();
            // (e) a success response with an unknown transaction id, correctly keyed
            forged.add(StunBytes.message(StunBytes.BINDING_SUCCESS, txid()).xorMappedAddress(target)
                    .messageIntegrity(PEER_PWD).fingerprint().build());
            forged.add(StunBytes.message(StunBytes.BINDING_ERROR, txid())
                    .attr(StunBytes.ERROR_CODE, new byte[] {0, 0, 4, 87}).fingerprint().build());
            forged.add(StunBytes.message(StunBytes.BINDING_INDICATION, txid()).fingerprint().build());
            for (byte[] f : forged) {
                stranger.send(new DatagramPacket(f, f.length, target));
                peer.send(new DatagramPacket(f, f.length, target));
            }
            // The real transaction id from the stranger (RFC 8445 §7.2.5.2.1: not symmetric).
            byte[] fromStranger = StunBytes.message(StunBytes.BINDING_SUCCESS, realTx).xorMappedAddress(target)
                    .messageIntegrity(PEER_PWD).fingerprint().build();
            stranger.send(new DatagramPacket(fromStranger, fromStranger.length, target));
            assertTrue(drain(stranger, REPLY_WAIT_MS).isEmpty(), "responses and indications are never answered");
            assertState(before, stranger);
            assertFalse(agent.acceptsDataFrom(target, (InetSocketAddress) stranger.getLocalSocketAddress()));
        }
        for (CandidatePair p : agent.ice4jComponent().getParentStream().getCheckList()) {
            assertTrue(p.getState() != CandidatePairState.SUCCEEDED, "no pair succeeded: " + p);
        }
        assertTrue(agent.acceptsDataFrom(target, peerAddr), "the signalled peer's pair is still there");
    }

    /** The real transaction id with a wrong or missing MESSAGE-INTEGRITY does not make the pair succeed. */
    @Test
    void responseWithBadMessageIntegrityDoesNotValidateThePair() throws Exception {
        byte[] req = await(peer, StunBytes.BINDING_REQUEST, 5000);
        assertNotNull(req, "the agent checks its remote candidate");
        byte[] tx = StunBytes.txid(req);
        List<byte[]> bad = List.of(
                StunBytes.message(StunBytes.BINDING_SUCCESS, tx).xorMappedAddress(target).fingerprint().build(),
                StunBytes.message(StunBytes.BINDING_SUCCESS, tx).xorMappedAddress(target)
                        .messageIntegrity("wrong-password-0123456789").fingerprint().build(),
                StunBytes.message(StunBytes.BINDING_SUCCESS, tx).xorMappedAddress(target)
                        .messageIntegrity(agent.localPassword()).fingerprint().build());
        for (byte[] b : bad) {
            peer.send(new DatagramPacket(b, b.length, target));
        }
        // The agent keeps retransmitting its check (the transaction is still open) ...
        byte[] again = await(peer, StunBytes.BINDING_REQUEST, 5000);
        assertNotNull(again, "the agent still checks the peer");
        for (CandidatePair p : agent.ice4jComponent().getParentStream().getCheckList()) {
            assertTrue(p.getState() != CandidatePairState.SUCCEEDED, "forged response validated " + p);
        }
        long dropsDeadline = System.nanoTime() + 5_000_000_000L;
        while (agent.drops().unauthenticated() < 3 && System.nanoTime() < dropsDeadline) {
            await(peer, -1, 20); // bounded wait for the socket reader to get through them
        }
        assertEquals(3, agent.drops().unauthenticated(), "RFC 8489 §9.1.4: discarded as if never received");
        // ... and a genuine response (peer's password, RFC 8445 §7.2.2) to it validates the pair.
        byte[] good = StunBytes.message(StunBytes.BINDING_SUCCESS, StunBytes.txid(again)).xorMappedAddress(target)
                .messageIntegrity(PEER_PWD).fingerprint().build();
        peer.send(new DatagramPacket(good, good.length, target));
        long end = System.nanoTime() + 5_000_000_000L;
        boolean succeeded = false;
        while (!succeeded && System.nanoTime() < end) {
            for (CandidatePair p : agent.ice4jComponent().getParentStream().getCheckList()) {
                succeeded |= p.getState() == CandidatePairState.SUCCEEDED;
            }
            if (!succeeded) {
                Thread.onSpinWait();
                await(peer, -1, 20); // a bounded wait that also swallows retransmissions
            }
        }
        assertTrue(succeeded, "a genuine response validates the pair");
    }

    /**
     * Control run without {@link StunGuard}: ice4j 3.2 alone answers a Binding request that has the
     * right USERNAME but no MESSAGE-INTEGRITY with success, learns the stranger as a peer-reflexive
     * candidate and sends it checks; and it validates a pair on a response without
     * MESSAGE-INTEGRITY. This shows the tests above detect the problem, and it fails once an ice4j
     * upgrade checks MESSAGE-INTEGRITY itself (then re-evaluate whether the guard is still needed).
     */
    @Test
    void withoutTheGuardIce4jAcceptsChecksAndResponsesWithoutMessageIntegrity() throws Exception {
        agent.disableStunGuardForTest();
        Snapshot before = snapshot();
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            byte[] noMi = check(txid(), ourUsername()).fingerprint().build();
            stranger.send(new DatagramPacket(noMi, noMi.length, target));
            byte[] reply = await(stranger, StunBytes.BINDING_SUCCESS, 5000);
            assertNotNull(reply, "ice4j 3.2 answers an unauthenticated check with success (if this fails, "
                    + "ice4j now checks MESSAGE-INTEGRITY: re-evaluate StunGuard)");
            LOG.info("without the guard: {}-byte success reply to a {}-byte request", reply.length, noMi.length);
            byte[] triggered = await(stranger, StunBytes.BINDING_REQUEST, 5000);
            assertNotNull(triggered, "and sends the sender a triggered check");
            assertEquals(before.pairs() + 1, agent.checkListSize(), "a pair with the stranger");
        }
        byte[] req = await(peer, StunBytes.BINDING_REQUEST, 5000);
        assertNotNull(req);
        byte[] noMi = StunBytes.message(StunBytes.BINDING_SUCCESS, StunBytes.txid(req)).xorMappedAddress(target)
                .fingerprint().build();
        peer.send(new DatagramPacket(noMi, noMi.length, target));
        long end = System.nanoTime() + 5_000_000_000L;
        boolean succeeded = false;
        while (!succeeded && System.nanoTime() < end) {
            for (CandidatePair p : agent.ice4jComponent().getParentStream().getCheckList()) {
                succeeded |= p.getState() == CandidatePairState.SUCCEEDED;
            }
            if (!succeeded) {
                await(peer, -1, 20);
            }
        }
        assertTrue(succeeded, "ice4j 3.2 validates a pair on a response without MESSAGE-INTEGRITY");
    }

    /** After hostile input the agent still answers a genuine check. */
    private void assertAgentStillWorks() throws IOException {
        try (DatagramSocket witness = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            byte[] tx = txid();
            byte[] ok = check(tx, ourUsername()).messageIntegrity(agent.localPassword()).fingerprint().build();
            witness.send(new DatagramPacket(ok, ok.length, target));
            byte[] resp = await(witness, StunBytes.BINDING_SUCCESS, 5000);
            assertNotNull(resp, "a genuine check is still answered");
            assertArrayEquals(tx, StunBytes.txid(resp));
        }
    }
}
