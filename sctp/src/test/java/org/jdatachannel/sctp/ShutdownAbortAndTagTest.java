package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.AbortChunk;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.ReConfigChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownAckChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownCompleteChunk;
import org.jdatachannel.sctp.packet.errorcause.ErrorCause;
import org.jdatachannel.sctp.packet.errorcause.InvalidStreamIdentifierCause;
import org.jdatachannel.sctp.packet.errorcause.NoUserDataCause;
import org.jdatachannel.sctp.packet.errorcause.ProtocolViolationCause;
import org.jdatachannel.sctp.packet.errorcause.StaleCookieCause;
import org.jdatachannel.sctp.packet.errorcause.UserInitiatedAbortCause;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.packet.parameter.OutgoingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.Tsn;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/**
 * RFC 9260 §9 SHUTDOWN (data drained first, T2-shutdown, T5-shutdown-guard, user send refused) and
 * ABORT (causes, readable reasons), §8.5 / §8.5.1 verification tag rules and §8.4 out-of-the-blue
 * packets.
 */
class ShutdownAbortAndTagTest {

    static List<Chunk> chunks(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static boolean has(byte[] p, Class<? extends Chunk> type) {
        return chunks(p).stream().anyMatch(type::isInstance);
    }

    @Test
    void sendAfterShutdownStartsIsRefusedWithAClearMessage() {
        NetSim sim = new NetSim(601);
        assertTrue(sim.connect(false));
        sim.b.assoc.send(0, 51, new byte[50_000], SendOptions.RELIABLE_ORDERED, sim.now); // keeps B in SHUTDOWN-RECEIVED a while
        sim.a.assoc.shutdown(sim.now);
        IllegalStateException local = assertThrows(IllegalStateException.class,
                () -> sim.a.assoc.send(0, 51, new byte[1], SendOptions.RELIABLE_ORDERED, sim.now));
        assertEquals("cannot send: the association is shutting down (shutdown() was called)", local.getMessage());
        assertTrue(sim.runUntil(() -> sim.b.assoc.state() == AssociationState.SHUTDOWN_RECEIVED, sim.now + 5000));
        IllegalStateException remote = assertThrows(IllegalStateException.class,
                () -> sim.b.assoc.send(0, 51, new byte[1], SendOptions.RELIABLE_ORDERED, sim.now));
        assertEquals("cannot send: the association is shutting down (the peer sent SHUTDOWN)", remote.getMessage());
        assertTrue(sim.runUntil(() -> sim.a.closed != null && sim.b.closed != null, sim.now + 30_000));
        assertEquals(1, sim.a.messages.size(), "B's queued message was drained before its SHUTDOWN ACK");
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> sim.a.assoc.send(0, 51, new byte[1], SendOptions.RELIABLE_ORDERED, sim.now));
        assertEquals("cannot send: the association is closed", closed.getMessage());
    }

    @Test
    void bothSidesDrainTheirDataUnderLossBeforeTheShutdownCompletes() {
        for (long seed = 610; seed < 616; seed++) {
            NetSim sim = new NetSim(seed);
            assertTrue(sim.connect(true));
            sim.loss = 0.1;
            sim.jitterMs = 5;
            for (int i = 0; i < 30; i++) {
                sim.a.assoc.send(i % 3, 51, payload(i, 4000), SendOptions.RELIABLE_ORDERED, sim.now);
                sim.b.assoc.send(i % 2, 53, payload(i, 9000), SendOptions.RELIABLE_ORDERED, sim.now);
            }
            // A asks first: A drains in SHUTDOWN-PENDING, B drains in SHUTDOWN-RECEIVED (§9.2)
            sim.a.assoc.shutdown(sim.now);
            final NetSim s = sim;
            assertTrue(sim.runUntil(() -> s.a.closed != null && s.b.closed != null, sim.now + 600_000), "seed " + seed);
            assertFalse(sim.a.closed.aborted(), "seed " + seed + ": " + sim.a.closed);
            assertFalse(sim.b.closed.aborted(), "seed " + seed + ": " + sim.b.closed);
            assertEquals(30, sim.a.messages.size(), "seed " + seed);
            assertEquals(30, sim.b.messages.size(), "seed " + seed);
            for (int stream = 0; stream < 3; stream++) {
                final int st = stream;
                List<Integer> order = sim.b.messages.stream().filter(m -> m.streamId() == st).map(m -> (int) m.payload()[0]).toList();
                for (int k = 1; k < order.size(); k++) {
                    assertTrue(order.get(k) > order.get(k - 1), "in order on stream " + st + ": " + order);
                }
            }
        }
    }

    static byte[] payload(int i, int n) {
        byte[] b = new byte[n];
        b[0] = (byte) i;
        return b;
    }

    @Test
    void t5ShutdownGuardAbortsAfterFiveTimesRtoMax() {
        // Association.Max.Retrans is high, so only the guard can end the exchange
        SctpOptions o = SctpOptions.builder().maxRetransmits(100).minRtoMs(100).initialRtoMs(200).maxRtoMs(1000).build();
        NetSim sim = new NetSim(602, o, o);
        assertTrue(sim.connect(false));
        List<Long> shutdowns = new ArrayList<>();
        List<Chunk> aborts = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && has(bytes, ShutdownChunk.class)) {
                shutdowns.add(sim.now);
            }
            if (p == sim.a && has(bytes, AbortChunk.class)) {
                aborts.add(chunks(bytes).get(0));
            }
            return p == sim.b && has(bytes, ShutdownAckChunk.class); // every SHUTDOWN ACK is lost
        };
        long start = sim.now;
        sim.a.assoc.shutdown(start);
        assertTrue(sim.runUntil(() -> sim.a.closed != null && sim.b.closed != null, start + 60_000));
        assertEquals(start + 5 * 1000, sim.now - sim.delayMs, "A gave up 5 x RTO.Max after sending SHUTDOWN");
        assertTrue(sim.a.closed.aborted());
        assertTrue(sim.a.closed.reason().contains("T5-shutdown-guard"), sim.a.closed.reason());
        assertEquals(1, aborts.size(), "§9.2: the sender SHOULD abort the association by sending an ABORT");
        assertTrue(shutdowns.size() > 4, "T2-shutdown retransmitted SHUTDOWN meanwhile: " + shutdowns);
        assertTrue(sim.b.closed.aborted(), "B (in SHUTDOWN-ACK-SENT) is ended by the ABORT");
    }

    @Test
    void t2ShutdownGivesUpAfterAssociationMaxRetrans() {
        SctpOptions o = SctpOptions.builder().maxRetransmits(2).build();
        NetSim sim = new NetSim(603, o, o);
        assertTrue(sim.connect(false));
        sim.dropFilter = (p, bytes) -> p == sim.b; // B went silent
        sim.a.assoc.shutdown(sim.now);
        assertTrue(sim.runUntil(() -> sim.a.closed != null, sim.now + 600_000));
        assertEquals("peer unreachable: no answer to SHUTDOWN after 2 retransmissions", sim.a.closed.reason());
        assertTrue(sim.a.closed.aborted());
    }

    @Test
    void abortCausesGiveReadableReasons() {
        Object[][] cases = {
            {UserInitiatedAbortCause.ofText("bye"), "aborted by peer: User-Initiated Abort \"bye\""},
            {ProtocolViolationCause.ofText("bad TSN"), "aborted by peer: Protocol Violation \"bad TSN\""},
            {new NoUserDataCause(new Tsn(7)), "aborted by peer: No User Data (TSN 7)"},
            {new InvalidStreamIdentifierCause(new StreamId(9)), "aborted by peer: Invalid Stream Identifier 9"},
        };
        long seed = 620;
        for (Object[] c : cases) {
            RobustnessTest.Pair p = new RobustnessTest.Pair(seed++);
            List<SctpOutput> out = p.feedB(p.tagOfB, List.of(new AbortChunk(false, List.of((ErrorCause) c[0]))));
            SctpOutput.Closed closed = (SctpOutput.Closed) out.stream().filter(o -> o instanceof SctpOutput.Closed)
                    .findFirst().orElseThrow();
            assertEquals(c[1], closed.reason());
            assertTrue(closed.aborted());
            assertTrue(out.stream().noneMatch(o -> o instanceof SctpOutput.SendPacket), "never answer an ABORT");
        }
        RobustnessTest.Pair p = new RobustnessTest.Pair(seed);
        List<SctpOutput> out = p.feedB(p.tagOfB, List.of(new AbortChunk(false, List.of())));
        assertEquals("aborted by peer", ((SctpOutput.Closed) out.get(0)).reason());
    }

    @Test
    void userAbortCarriesTheReasonToThePeer() {
        NetSim sim = new NetSim(604);
        assertTrue(sim.connect(false));
        sim.a.assoc.send(0, 51, new byte[30_000], SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.abort("going away", sim.now);
        assertEquals("aborted locally: going away", sim.a.closed == null ? drainClosed(sim).reason() : sim.a.closed.reason());
        assertTrue(sim.runUntil(() -> sim.b.closed != null, sim.now + 5000));
        assertEquals("aborted by peer: User-Initiated Abort \"going away\"", sim.b.closed.reason());
        assertEquals(AssociationState.CLOSED, sim.b.assoc.state());
        assertEquals(Long.MAX_VALUE, sim.a.assoc.pollTimeout());
        assertEquals(Long.MAX_VALUE, sim.b.assoc.pollTimeout());
    }

    private static SctpOutput.Closed drainClosed(NetSim sim) {
        sim.drain();
        return sim.a.closed;
    }

    @Test
    void everyChunkWithAWrongVerificationTagIsDiscarded() {
        RobustnessTest.Pair p = new RobustnessTest.Pair(605);
        int wrong = p.tagOfB + 1;
        List<List<Chunk>> bodies = List.of(
                List.of(new DataChunk(1, 0, 0, 51, new byte[] {1}, false, true, true)),
                List.of(new SackChunk(0, 100_000, List.of(), new int[0])),
                List.of(new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[] {1})))),
                List.of(new ShutdownChunk(0)),
                List.of(new ShutdownAckChunk(false)),
                List.of(new ErrorChunk(false, List.of(new StaleCookieCause(1)))),
                List.of(new ReConfigChunk(List.of(new OutgoingSsnResetRequestParameter(1, 1, 1, new int[] {0})))),
                List.of(new ForwardTsnChunk(5, List.of())),
                List.of(new CookieAckChunk(false)),
                List.of(new AbortChunk(false, List.of())),
                List.of(new ShutdownCompleteChunk(false)));
        for (List<Chunk> body : bodies) {
            // §8.5: "If the Verification Tag ... does not match the receiver's own tag ..., the receiver
            // MUST silently discard the packet"; also a T bit tag that is not the peer's
            assertTrue(p.feedB(wrong, body).isEmpty(), body.toString());
            assertTrue(p.feedB(0, body).isEmpty(), body.toString());
            assertEquals(AssociationState.ESTABLISHED, p.sim.b.assoc.state(), body.toString());
        }
        assertTrue(p.feedB(p.tagOfA, List.of(new ShutdownCompleteChunk(true))).isEmpty(),
                "§8.5.1 C: SHUTDOWN COMPLETE is ignored outside SHUTDOWN-ACK-SENT");
        assertEquals(AssociationState.ESTABLISHED, p.sim.b.assoc.state());
        assertEquals(0, p.sim.b.assoc.internalErrorCount());
    }

    @Test
    void shutdownCompleteTagAndTBitRules() {
        // §8.5.1 C: accept "if the Verification Tag field of the packet matches its own tag and the T bit
        // is not set OR if it is set to its peer's tag and the T bit is set"
        boolean[][] cases = {{false, true}, {true, false}}; // {T bit, use own tag}
        long seed = 630;
        for (boolean[] c : cases) {
            for (boolean good : new boolean[] {false, true}) {
                RobustnessTest.Pair p = shutdownAckSent(seed++);
                boolean tBit = good ? c[0] : !c[0];
                int tag = c[1] ? p.tagOfB : p.tagOfA;
                List<SctpOutput> out = p.feedB(tag, List.of(new ShutdownCompleteChunk(tBit)));
                assertEquals(good, out.stream().anyMatch(o -> o instanceof SctpOutput.Closed cl && !cl.aborted()),
                        "T=" + tBit + " own tag=" + c[1]);
            }
        }
    }

    /** B in SHUTDOWN-ACK-SENT: A's SHUTDOWN arrived, B's SHUTDOWN ACK is in flight. */
    private static RobustnessTest.Pair shutdownAckSent(long seed) {
        RobustnessTest.Pair p = new RobustnessTest.Pair(seed);
        p.sim.dropFilter = (peer, bytes) -> peer == p.sim.b && has(bytes, ShutdownAckChunk.class);
        p.sim.a.assoc.shutdown(p.sim.now);
        assertTrue(p.sim.runUntil(() -> p.sim.b.assoc.state() == AssociationState.SHUTDOWN_ACK_SENT, p.sim.now + 5000));
        return p;
    }

    @Test
    void outOfTheBluePackets() {
        // §8.4, to an association that has never existed (CLOSED, no TCB)
        int tag = 0x0badcafe;
        Object[][] cases = {
            {new ShutdownAckChunk(false), ShutdownCompleteChunk.class}, // 5: SHUTDOWN COMPLETE, T bit
            {new AbortChunk(false, List.of()), null}, // 2: silently discard
            {new ShutdownCompleteChunk(false), null}, // 6: silently discard
            {new CookieAckChunk(false), null}, // 7
            {new ErrorChunk(false, List.of(new StaleCookieCause(1))), null}, // 7
            {new DataChunk(1, 0, 0, 51, new byte[] {1}, false, true, true), AbortChunk.class}, // 8: ABORT, T bit
            {new ShutdownChunk(1), AbortChunk.class},
        };
        for (Object[] c : cases) {
            Association x = new Association(SctpOptions.defaults(), new SplittableRandom(640));
            x.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, tag, List.of((Chunk) c[0])).serialize()), 0);
            SctpOutput o = x.pollOutput();
            if (c[1] == null) {
                assertEquals(null, o, c[0].toString());
                continue;
            }
            byte[] answer = ((SctpOutput.SendPacket) o).packet();
            assertEquals(tag, ByteBuffer.wrap(answer).getInt(4), "the received tag is reflected");
            Chunk a = chunks(answer).get(0);
            assertInstanceOf((Class<?>) c[1], a);
            assertTrue(a instanceof AbortChunk ab ? ab.tBit() : ((ShutdownCompleteChunk) a).tBit(), "T bit set");
            assertEquals(AssociationState.CLOSED, x.state());
        }
    }

    @Test
    void shutdownAckInCookieStatesIsTreatedAsOutOfTheBlue() {
        // §8.5.1 E: "If the receiver is in COOKIE-ECHOED or COOKIE-WAIT state, the procedures in Section 8.4
        // SHOULD be followed"
        Association x = new Association(SctpOptions.defaults(), new SplittableRandom(641));
        x.connect(0);
        x.pollOutput(); // INIT
        x.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 77, List.of(new ShutdownAckChunk(false))).serialize()), 5);
        byte[] answer = ((SctpOutput.SendPacket) x.pollOutput()).packet();
        assertEquals(77, ByteBuffer.wrap(answer).getInt(4));
        assertTrue(((ShutdownCompleteChunk) chunks(answer).get(0)).tBit());
        assertEquals(AssociationState.COOKIE_WAIT, x.state());
        assertNotNull(x.pollTimeout() < Long.MAX_VALUE ? x : null, "T1-init still running");
    }

    static List<Chunk> sentChunks(List<SctpOutput> outs) {
        List<Chunk> l = new ArrayList<>();
        for (SctpOutput o : outs) {
            if (o instanceof SctpOutput.SendPacket sp) {
                l.addAll(chunks(sp.packet()));
            }
        }
        return l;
    }

    @Test
    void abortsWeSendCarryTheRightCause() {
        // §6.2: DATA without user data -> ABORT with "No User Data" naming the TSN
        RobustnessTest.Pair p = new RobustnessTest.Pair(650);
        List<SctpOutput> out = p.feedB(p.tagOfB, List.of(new DataChunk(12345, 0, 0, 51, new byte[0], false, true, true)));
        AbortChunk abort = (AbortChunk) sentChunks(out).stream().filter(c -> c instanceof AbortChunk).findFirst().orElseThrow();
        assertEquals(new NoUserDataCause(new Tsn(12345)), abort.causes().get(0));
        assertFalse(abort.tBit());
        SctpOutput.Closed closed = (SctpOutput.Closed) out.stream().filter(o -> o instanceof SctpOutput.Closed).findFirst().orElseThrow();
        assertTrue(closed.aborted() && closed.reason().contains("without user data"), closed.reason());
        // §6.5: DATA on a stream beyond our inbound streams -> the TSN is acknowledged and an ERROR with
        // Invalid Stream Identifier is sent; the association lives on
        SctpOptions few = SctpOptions.builder().inboundStreams(4).build();
        NetSim sim = new NetSim(651, SctpOptions.defaults(), few);
        List<byte[]> fromA = new ArrayList<>();
        sim.dropFilter = (peer, bytes) -> {
            if (peer == sim.a) {
                fromA.add(bytes);
            }
            return false;
        };
        assertTrue(sim.connect(false));
        sim.a.assoc.send(3, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 1 && sim.a.assoc.isIdle(), sim.now + 5000));
        assertThrows(IllegalArgumentException.class, () -> sim.a.assoc.send(4, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now));
        byte[] last = fromA.stream().filter(b -> has(b, DataChunk.class)).reduce((x, y) -> y).orElseThrow();
        int tagOfB = ByteBuffer.wrap(last).getInt(4);
        int nextTsn = ((DataChunk) chunks(last).stream().filter(c -> c instanceof DataChunk).findFirst().orElseThrow()).tsn().value() + 1;
        sim.b.assoc.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, tagOfB, List.of(
                new DataChunk(nextTsn, 4, 0, 51, new byte[] {2}, false, true, true))).serialize()), sim.now);
        List<SctpOutput> bOut = new ArrayList<>();
        for (SctpOutput o; (o = sim.b.assoc.pollOutput()) != null; ) {
            bOut.add(o);
        }
        ErrorChunk err = (ErrorChunk) sentChunks(bOut).stream().filter(c -> c instanceof ErrorChunk).findFirst().orElseThrow();
        assertEquals(new InvalidStreamIdentifierCause(new StreamId(4)), err.causes().get(0));
        assertTrue(bOut.stream().noneMatch(o -> o instanceof SctpOutput.Closed || o instanceof SctpOutput.MessageReceived));
        assertEquals(AssociationState.ESTABLISHED, sim.b.assoc.state());
        // INIT with 0 inbound streams -> ABORT with Invalid Mandatory Parameter (§3.3.2)
        Association fresh = new Association(SctpOptions.defaults(), new SplittableRandom(652));
        fresh.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 0, List.of(
                new org.jdatachannel.sctp.packet.chunk.InitChunk(99, 100_000, 0, 4, 1, List.of()))).serialize()), 0);
        byte[] ans = ((SctpOutput.SendPacket) fresh.pollOutput()).packet();
        AbortChunk a2 = assertInstanceOf(AbortChunk.class, chunks(ans).get(0));
        assertInstanceOf(org.jdatachannel.sctp.packet.errorcause.InvalidMandatoryParameterCause.class, a2.causes().get(0));
        assertEquals(99, ByteBuffer.wrap(ans).getInt(4));
        assertEquals(AssociationState.CLOSED, fresh.state());
    }

    @Test
    void initInShutdownAckSentIsAnsweredWithShutdownAck() {
        RobustnessTest.Pair p = shutdownAckSent(660);
        // §9.2: "... an endpoint in the SHUTDOWN-ACK-SENT state ... SHOULD discard the INIT chunk and
        // retransmit the SHUTDOWN ACK chunk"
        List<SctpOutput> out = p.feedB(0, List.of(new org.jdatachannel.sctp.packet.chunk.InitChunk(99, 100_000, 4, 4, 1, List.of())));
        List<Chunk> sent = sentChunks(out);
        assertEquals(1, sent.size());
        assertInstanceOf(ShutdownAckChunk.class, sent.get(0));
        assertEquals(AssociationState.SHUTDOWN_ACK_SENT, p.sim.b.assoc.state());
    }
}
