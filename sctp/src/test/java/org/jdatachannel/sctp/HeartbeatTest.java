package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.AbortChunk;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/** RFC 9260 §8.3 path heartbeat: interval and jitter, RTT sample, error counting, disabling. */
class HeartbeatTest {

    static List<Chunk> chunks(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static boolean has(byte[] packet, Class<? extends Chunk> type) {
        return chunks(packet).stream().anyMatch(type::isInstance);
    }

    @Test
    void idleAssociationSendsHeartbeatsEveryIntervalPlusJitteredRto() {
        NetSim sim = new NetSim(301);
        List<Long> sentAt = new ArrayList<>();
        List<Long> ackedAt = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && has(bytes, HeartbeatRequestChunk.class)) {
                sentAt.add(sim.now);
            }
            if (p == sim.b && has(bytes, HeartbeatAckChunk.class)) {
                ackedAt.add(sim.now);
            }
            return false;
        };
        assertTrue(sim.connect(false));
        long established = sim.now;
        sim.runFor(600_000);
        assertNull(sim.a.closed);
        assertNull(sim.b.closed);
        // §8.3: "once per RTO of that destination address plus the protocol parameter 'HB.interval',
        // with jittering of +/- 50% of the RTO value". The first uses RTO.Initial (1000 ms); the HEARTBEAT
        // ACK gives an RTT of 20 ms, so later ones use RTO.Min (400 ms).
        long first = sentAt.get(0) - established;
        assertTrue(first >= 30_000 + 500 && first <= 30_000 + 1500, "first heartbeat after " + first + " ms");
        Set<Long> gaps = new HashSet<>();
        for (int i = 1; i < sentAt.size(); i++) {
            long gap = sentAt.get(i) - sentAt.get(i - 1);
            assertTrue(gap >= 30_000 + 200 && gap <= 30_000 + 600, "gap " + gap + " ms between heartbeats " + i);
            gaps.add(gap);
        }
        assertTrue(sentAt.size() >= 18 && sentAt.size() <= 20, sentAt.size() + " heartbeats in 600 s");
        assertTrue(gaps.size() > 3, "jittered, not periodic: " + gaps);
        assertEquals(sentAt.size(), ackedAt.size(), "every heartbeat answered");
        // B heartbeats too, independently
        assertTrue(sim.b.packetsSent > ackedAt.size() + 1);
    }

    @Test
    void heartbeatAckGivesAnRttSampleForTheRto() {
        SctpOptions o = SctpOptions.builder().minRtoMs(10).heartbeatIntervalMs(1000).build();
        NetSim sim = new NetSim(302, o, o);
        sim.delayMs = 50;
        assertTrue(sim.connect(false));
        // no DATA was sent: the only RTT samples are heartbeats (RTT 100 ms each)
        sim.runFor(3000);
        sim.a.assoc.send(1, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.drain();
        // §6.3.1 C2/C3 after samples of exactly 100 ms: SRTT 100, RTTVAR shrinking from 50; with the
        // RTTVAR floor (SctpOptions.minRttVarianceMs, 55 ms) RTO = 100 + 4 * 55 = 320 ms.
        // Without the samples the T3-rtx timer would run with RTO.Initial (1000 ms).
        long t3 = sim.a.assoc.pollTimeout() - sim.now;
        assertTrue(t3 >= 100 && t3 <= 320, "T3-rtx uses the heartbeat-measured RTO, got " + t3 + " ms");
    }

    @Test
    void unansweredHeartbeatsCloseTheAssociationWithAReadableReason() {
        SctpOptions o = SctpOptions.builder().maxRetransmits(3).build();
        NetSim sim = new NetSim(303, o, o);
        assertTrue(sim.connect(false));
        long cut = sim.now;
        boolean[] dead = {true};
        List<Long> heartbeats = new ArrayList<>();
        List<Chunk> aborts = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && has(bytes, HeartbeatRequestChunk.class)) {
                heartbeats.add(sim.now);
            }
            if (p == sim.a && has(bytes, AbortChunk.class)) {
                aborts.add(chunks(bytes).get(0));
            }
            return dead[0]; // the peer is gone: nothing is delivered any more
        };
        assertTrue(sim.runUntil(() -> sim.a.closed != null, sim.now + 600_000));
        assertTrue(sim.a.closed.aborted());
        assertTrue(sim.a.closed.reason().contains("HEARTBEAT") && sim.a.closed.reason().contains("unreachable"),
                sim.a.closed.reason());
        // Association.Max.Retrans = 3: the fourth unanswered heartbeat exceeds it
        assertEquals(4, heartbeats.size());
        for (int i = 1; i < heartbeats.size(); i++) {
            // each unanswered heartbeat doubles the RTO (§8.3 "exponential backoff of the RTO")
            long gap = heartbeats.get(i) - heartbeats.get(i - 1);
            assertTrue(gap > 30_000, "gap " + gap);
        }
        assertEquals(1, aborts.size(), "the peer is told with ABORT");
        assertEquals(AssociationState.CLOSED, sim.a.assoc.state());
        assertEquals(Long.MAX_VALUE, sim.a.assoc.pollTimeout());
        assertTrue(sim.now - cut < 4 * 35_000, "closed after about four intervals, at " + (sim.now - cut));
    }

    @Test
    void lostHeartbeatsAreForgivenWhenALaterOneIsAnswered() {
        SctpOptions o = SctpOptions.builder().maxRetransmits(2).heartbeatIntervalMs(1000).build();
        NetSim sim = new NetSim(304, o, o);
        assertTrue(sim.connect(false));
        int[] n = {0};
        // lose two of every three heartbeats: never three misses in a row, so never closed
        sim.dropFilter = (p, bytes) -> p == sim.a && has(bytes, HeartbeatRequestChunk.class) && n[0]++ % 3 != 2;
        sim.runFor(120_000);
        assertNull(sim.a.closed);
        assertTrue(n[0] > 30, n[0] + " heartbeats");
    }

    @Test
    void ackWithWrongNonceOrTimeIsIgnored() {
        SctpOptions o = SctpOptions.builder().maxRetransmits(2).build();
        NetSim sim = new NetSim(305, o, o);
        assertTrue(sim.connect(false));
        int tagOfA = ByteBuffer.wrap(captureOne(sim)).getInt(4);
        List<byte[]> forged = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.b && has(bytes, HeartbeatAckChunk.class)) {
                HeartbeatAckChunk ack = (HeartbeatAckChunk) chunks(bytes).stream()
                        .filter(c -> c instanceof HeartbeatAckChunk).findFirst().orElseThrow();
                byte[] info = ((HeartbeatInfoParameter) ack.parameters().get(0)).info().clone();
                info[info.length - 1 - (forged.size() % 12)] ^= 1; // nonce or send time altered
                forged.add(new SctpPacket(5000, 5000, tagOfA, List.of(new HeartbeatAckChunk(
                        List.of(new HeartbeatInfoParameter(info))))).serialize());
                return true;
            }
            return false;
        };
        long end = sim.now + 600_000;
        int fed = 0;
        while (sim.a.closed == null && sim.step(end)) {
            for (; fed < forged.size(); fed++) {
                sim.a.assoc.handleInput(ByteBuffer.wrap(forged.get(fed)), sim.now);
                sim.drain();
            }
        }
        assertNotNull(sim.a.closed, "forged HEARTBEAT ACKs do not keep the association alive");
        assertTrue(sim.a.closed.reason().contains("HEARTBEAT"), sim.a.closed.reason());
        assertEquals(0, sim.a.assoc.internalErrorCount());
    }

    /** Returns one packet B sent to A (it carries A's verification tag). */
    private static byte[] captureOne(NetSim sim) {
        List<byte[]> got = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.b) {
                got.add(bytes);
            }
            return false;
        };
        sim.a.assoc.send(0, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> !got.isEmpty() && sim.a.assoc.isIdle(), sim.now + 5000));
        return got.get(0);
    }

    @Test
    void disabledHeartbeatsSendNothingButStillAnswer() {
        SctpOptions off = SctpOptions.builder().heartbeatIntervalMs(0).build();
        NetSim sim = new NetSim(306, off, SctpOptions.defaults());
        int[] fromA = {0};
        int[] acksFromA = {0};
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && has(bytes, HeartbeatRequestChunk.class)) {
                fromA[0]++;
            }
            if (p == sim.a && has(bytes, HeartbeatAckChunk.class)) {
                acksFromA[0]++;
            }
            return false;
        };
        assertTrue(sim.connect(false));
        sim.runFor(300_000);
        assertEquals(0, fromA[0]);
        assertTrue(acksFromA[0] >= 8, "B's heartbeats are answered: " + acksFromA[0]);
        assertNull(sim.b.closed);
    }

    @Test
    void noHeartbeatWhileDataIsInFlight() {
        SctpOptions o = SctpOptions.builder().heartbeatIntervalMs(100).build();
        NetSim sim = new NetSim(307, o, o);
        assertTrue(sim.connect(false));
        int[] hb = {0};
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && has(bytes, HeartbeatRequestChunk.class)) {
                hb[0]++;
            }
            return p == sim.b; // B's SACKs are lost: A keeps data outstanding (T3-rtx watches the path)
        };
        sim.a.assoc.send(0, 51, new byte[100], SendOptions.RELIABLE_ORDERED, sim.now);
        sim.runFor(3000);
        assertEquals(0, hb[0], "T3-rtx, not HEARTBEAT, probes a path with outstanding data");
        assertFalse(sim.a.assoc.isIdle());
    }

    @Test
    void optionRange() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SctpOptions.builder().heartbeatIntervalMs(50));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SctpOptions.builder().heartbeatIntervalMs(-1));
        assertEquals(30_000, SctpOptions.defaults().heartbeatIntervalMs());
        assertEquals(0, SctpOptions.builder().heartbeatIntervalMs(0).build().heartbeatIntervalMs());
    }
}
