package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.PadChunk;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.timer.Timer;
import org.junit.jupiter.api.Test;

/**
 * The RFC 8899 §5.2 state machine of {@link PathMtuDiscovery} on its own, transition by transition
 * (Figure 5), with a virtual clock: every state with every event that leaves or keeps it.
 */
class PathMtuDiscoveryStateTest {
    private static final int BASE = 1191;
    private static final long PROBE_TIMER = 1000;
    private static final long RAISE_TIMER = 600_000;

    private long now = 1000;
    private final PathMtuDiscovery d = new PathMtuDiscovery(BASE, 16000, PROBE_TIMER, RAISE_TIMER, new SplittableRandom(7));

    /** Sends the due probe and checks its shape. */
    private List<Chunk> probe(int expectedSize) {
        List<Chunk> p = d.pollProbe(now);
        assertEquals(2, p.size());
        HeartbeatRequestChunk hb = assertInstanceOf(HeartbeatRequestChunk.class, p.get(0));
        PadChunk pad = assertInstanceOf(PadChunk.class, p.get(1));
        int size = 12 + Tlv.padded(hb.serializedLength()) + Tlv.padded(pad.serializedLength());
        assertEquals(expectedSize, size, "the probe packet is exactly the probed size");
        assertNull(d.pollProbe(now), "at most one probe outstanding");
        return p;
    }

    /** The peer's answer: the HEARTBEAT's parameters echoed, without the PAD; true if it carries our magic. */
    private boolean ack(List<Chunk> probe) {
        return ackResult(probe) != PathMtuDiscovery.NOT_OURS;
    }

    private int ackResult(List<Chunk> probe) {
        return d.onHeartbeatAck(new HeartbeatAckChunk(((HeartbeatRequestChunk) probe.get(0)).parameters()), now);
    }

    /** Lets the PROBE_TIMER of the outstanding probe expire. */
    private void expire() {
        now = d.expiry();
        d.handleTimeout(now);
    }

    /** Fails the size being probed: MAX_PROBES probes, each expiring. */
    private void fail(int size) {
        for (int i = 0; i < PathMtuDiscovery.MAX_PROBES; i++) {
            probe(size);
            expire();
        }
    }

    @Test
    void disabledUntilStartedAndWhenMaxLeavesNoRoom() {
        assertEquals(PlpmtudState.DISABLED, d.state());
        assertNull(d.pollProbe(now));
        assertEquals(Timer.NEVER, d.expiry());
        PathMtuDiscovery off = new PathMtuDiscovery(BASE, 0, PROBE_TIMER, RAISE_TIMER, new SplittableRandom(1));
        off.start();
        assertEquals(PlpmtudState.DISABLED, off.state());
        PathMtuDiscovery tight = new PathMtuDiscovery(BASE, 1191, PROBE_TIMER, RAISE_TIMER, new SplittableRandom(1));
        tight.start();
        assertEquals(PlpmtudState.DISABLED, tight.state(), "1191 rounds down to the base packet size 1188");
        assertEquals(BASE, off.plpmtu());
    }

    @Test
    void baseThenMaxFirstThenSearchComplete() {
        d.start();
        assertEquals(PlpmtudState.BASE, d.state());
        List<Chunk> p = probe(1188);
        assertEquals(now + PROBE_TIMER, d.expiry());
        now += 20;
        assertTrue(ack(p));
        assertEquals(PlpmtudState.SEARCHING, d.state());
        assertEquals(BASE, d.plpmtu(), "BASE_PLPMTU confirmed, nothing larger yet");
        p = probe(16000);
        now += 20;
        assertTrue(ack(p));
        assertEquals(16000, d.plpmtu());
        assertEquals(PlpmtudState.SEARCH_COMPLETE, d.state());
        assertEquals(Timer.NEVER, d.expiry(), "at MAX_PLPMTU neither PROBE_TIMER nor PMTU_RAISE_TIMER runs");
        assertNull(d.pollProbe(now), "no CONFIRMATION_TIMER probes in SEARCH_COMPLETE (RFC 8899 §6.2.1.3)");
        assertEquals(2, d.probesSent());
        assertEquals(2, d.probesAcked());
    }

    @Test
    void aLostProbeIsRepeatedWithANewNonceAndOnlyItsAnswerCounts() {
        d.start();
        List<Chunk> first = probe(1188);
        expire();
        assertEquals(PlpmtudState.BASE, d.state());
        List<Chunk> second = probe(1188);
        assertEquals(PathMtuDiscovery.IGNORED, ackResult(first), "our magic");
        assertEquals(PlpmtudState.BASE, d.state(), "an answer to the expired probe (old nonce) confirms nothing");
        assertEquals(PathMtuDiscovery.ANSWERED, ackResult(second));
        assertEquals(PlpmtudState.SEARCHING, d.state());
        assertEquals(PathMtuDiscovery.IGNORED, ackResult(second), "a duplicate still carries our magic");
        assertEquals(1, d.probesAcked(), "but confirms nothing twice");
    }

    @Test
    void baseUnconfirmedMaxProbesTimesIsErrorAndAnAckLeavesIt() {
        d.start();
        fail(1188);
        assertEquals(PlpmtudState.ERROR, d.state());
        assertEquals(BASE, d.plpmtu());
        // ERROR: one probe of BASE_PLPMTU after 2, 4, 8 ... PROBE_TIMERs, each waiting one PROBE_TIMER
        for (int round = 0; round < 3; round++) {
            assertNull(d.pollProbe(now), "no probe during the back-off");
            assertEquals(now + (PROBE_TIMER << (round + 1)), d.expiry(), "round " + round);
            now = d.expiry();
            d.handleTimeout(now);
            probe(1188);
            expire();
            assertEquals(PlpmtudState.ERROR, d.state());
            assertEquals(BASE, d.plpmtu(), "never below BASE_PLPMTU");
        }
        now = d.expiry();
        d.handleTimeout(now);
        List<Chunk> p = probe(1188);
        assertTrue(ack(p));
        assertEquals(PlpmtudState.SEARCHING, d.state());
    }

    @Test
    void binarySearchBetweenConfirmedAndFailedDownToTheGranularity() {
        int pathMtu = 5000;
        d.start();
        assertTrue(ack(probe(1188)));
        List<Integer> probed = new ArrayList<>();
        while (d.state() == PlpmtudState.SEARCHING) {
            List<Chunk> p = d.pollProbe(now);
            int size = 12 + Tlv.padded(p.get(0).serializedLength()) + Tlv.padded(p.get(1).serializedLength());
            probed.add(size);
            if (size <= pathMtu) {
                now += 20;
                assertTrue(ack(p));
            } else {
                expire();
            }
            assertTrue(probed.size() < 100, "search ends");
        }
        assertEquals(PlpmtudState.SEARCH_COMPLETE, d.state());
        assertTrue(d.plpmtu() <= pathMtu && d.plpmtu() > pathMtu - PathMtuDiscovery.SEARCH_GRANULARITY, "" + d.plpmtu());
        assertEquals(16000, probed.get(0), "MAX_PLPMTU first");
        for (int s : probed) {
            assertEquals(0, s % 4, "packet sizes are multiples of 4: " + s);
        }
        // the PMTU_RAISE_TIMER runs and searches again: the smallest size that failed first, not
        // MAX_PLPMTU; failing again, it completes the search at once (MAX_PROBES probes per raise)
        int smallestFailed = probed.stream().filter(x -> x > pathMtu).min(Integer::compare).orElseThrow();
        assertTrue(smallestFailed - d.plpmtu() <= PathMtuDiscovery.SEARCH_GRANULARITY, "" + smallestFailed);
        int plpmtu = d.plpmtu();
        for (int raise = 0; raise < 3; raise++) {
            assertEquals(now + RAISE_TIMER, d.expiry());
            now = d.expiry();
            d.handleTimeout(now);
            assertEquals(PlpmtudState.SEARCHING, d.state());
            fail(smallestFailed);
            assertEquals(PlpmtudState.SEARCH_COMPLETE, d.state(), "raise " + raise);
            assertEquals(plpmtu, d.plpmtu());
        }
        // the path grew: the failed size confirmed, then MAX_PLPMTU
        now = d.expiry();
        d.handleTimeout(now);
        assertTrue(ack(probe(smallestFailed)));
        assertEquals(smallestFailed, d.plpmtu());
        assertTrue(ack(probe(16000)));
        assertEquals(PlpmtudState.SEARCH_COMPLETE, d.state());
    }

    @Test
    void twoT3ExpiriesAfterLargeDataWithoutProgressAreABlackHole() {
        d.start();
        assertTrue(ack(probe(1188)));
        assertTrue(ack(probe(16000)));
        assertEquals(16000, d.plpmtu());
        // small packets only: no black hole whatever T3 does
        d.dataPacketSent(1000);
        assertFalse(d.t3Expired(now));
        assertFalse(d.t3Expired(now));
        // large DATA, then T3 twice without the cumulative TSN advancing
        d.dataPacketSent(16000);
        assertFalse(d.t3Expired(now));
        d.cumulativeTsnAdvanced(); // progress: start over
        d.dataPacketSent(16000);
        assertFalse(d.t3Expired(now));
        assertTrue(d.t3Expired(now));
        assertEquals(BASE, d.plpmtu());
        assertEquals(PlpmtudState.BASE, d.state());
        assertEquals(1, d.blackHoles());
        // at BASE_PLPMTU there is nothing to fall back from
        d.dataPacketSent(1188);
        assertFalse(d.t3Expired(now));
        assertFalse(d.t3Expired(now));
        // and discovery starts over: BASE, then MAX_PLPMTU
        assertTrue(ack(probe(1188)));
        probe(16000);
    }

    @Test
    void aBlackHoleWhileSearchingForgetsTheOutstandingProbe() {
        d.start();
        assertTrue(ack(probe(1188)));
        fail(16000);
        List<Chunk> mid = probe(8592);
        assertTrue(ack(mid));
        assertEquals(8592, d.plpmtu());
        List<Chunk> next = probe(12296);
        d.dataPacketSent(8592);
        d.t3Expired(now);
        assertTrue(d.t3Expired(now));
        assertEquals(PlpmtudState.BASE, d.state());
        assertNull(d.pollProbe(now), "the probe in flight still holds the one probe slot");
        now += 20;
        assertEquals(PathMtuDiscovery.ANSWERED, ackResult(next), "an answer to our HEARTBEAT");
        assertEquals(BASE, d.plpmtu(), "the probe sent before the black hole confirms nothing now");
        assertEquals(PlpmtudState.BASE, d.state());
        assertTrue(ack(probe(1188)), "the BASE_PLPMTU probe goes once the old one is answered");
        assertEquals(PlpmtudState.SEARCHING, d.state());
    }

    @Test
    void restartWithAProbeInFlightWaitsForItsAnswerOrItsTimer() {
        d.start();
        assertTrue(ack(probe(1188)));
        List<Chunk> max = probe(16000);
        long sentAt = now;
        d.restart(4000, true);
        assertEquals(PlpmtudState.BASE, d.state());
        assertNull(d.pollProbe(now), "no second probe within one RTT of the first");
        assertEquals(sentAt + PROBE_TIMER, d.expiry(), "the old probe's PROBE_TIMER still runs");
        // it is lost: its expiry frees the slot without counting as a failure of anything
        now = d.expiry();
        d.handleTimeout(now);
        assertEquals(PlpmtudState.BASE, d.state());
        List<Chunk> base = probe(1188);
        assertEquals(PathMtuDiscovery.IGNORED, ackResult(max), "a late answer to the old probe");
        assertEquals(PlpmtudState.BASE, d.state());
        assertTrue(ack(base));
        assertTrue(ack(probe(4000)), "the new MAX_PLPMTU");
        assertEquals(4000, d.plpmtu());
    }

    /**
     * A peer that never answers a probe (Pion drops every packet with a PAD chunk): over one hour at
     * the default timers (PROBE_TIMER 20 s, PMTU_RAISE_TIMER 600 s) 3 BASE probes, then one per back-off
     * of 40, 80, 160, 320 s and then 600 s (each plus its 20 s PROBE_TIMER): at most 3 + 4 + 6 = 13,
     * where one per PROBE_TIMER would be 180.
     */
    @Test
    void errorBacksOffToOneProbePerPmtuRaiseTimer() {
        PathMtuDiscovery e = new PathMtuDiscovery(BASE, 16000, 20_000, 600_000, new SplittableRandom(3));
        long t = 0;
        e.start();
        List<Long> sentAt = new ArrayList<>();
        while (t < 3_600_000) {
            if (e.pollProbe(t) != null) {
                sentAt.add(t);
            }
            t = e.expiry();
            assertTrue(t != Timer.NEVER, "a timer always runs");
            e.handleTimeout(t);
            assertEquals(BASE, e.plpmtu());
        }
        assertEquals(PlpmtudState.ERROR, e.state());
        assertTrue(sentAt.size() <= 13 && sentAt.size() >= 9, sentAt.size() + " probes: " + sentAt);
        assertEquals(List.of(0L, 20_000L, 40_000L, 100_000L, 200_000L, 380_000L, 720_000L, 1_340_000L),
                sentAt.subList(0, 8), "3 at PROBE_TIMER, then back-offs of 40, 80, 160, 320 and 600 s");
        assertEquals(600_000, e.errorBackoffMs(10), "capped at PMTU_RAISE_TIMER");
    }

    @Test
    void restartAndStop() {
        d.start();
        assertTrue(ack(probe(1188)));
        assertTrue(ack(probe(16000)));
        d.restart(4000, true);
        assertEquals(BASE, d.plpmtu());
        assertEquals(PlpmtudState.BASE, d.state());
        assertTrue(ack(probe(1188)));
        assertTrue(ack(probe(4000)), "the new MAX_PLPMTU first");
        assertEquals(PlpmtudState.SEARCH_COMPLETE, d.state());
        d.restart(4000, false);
        assertEquals(PlpmtudState.DISABLED, d.state(), "not established: waits for start()");
        d.start();
        assertEquals(PlpmtudState.BASE, d.state());
        d.stop();
        assertEquals(PlpmtudState.DISABLED, d.state());
        assertNull(d.pollProbe(now));
        assertEquals(Timer.NEVER, d.expiry());
    }

    @Test
    void foreignHeartbeatAcksAreNotOurs() {
        d.start();
        probe(1188);
        assertEquals(PathMtuDiscovery.NOT_OURS,
                d.onHeartbeatAck(new HeartbeatAckChunk(List.of(new HeartbeatInfoParameter(new byte[20]))), now),
                "HeartbeatHandler's (or anything else's) information is left to it");
        assertEquals(PathMtuDiscovery.NOT_OURS, d.onHeartbeatAck(new HeartbeatAckChunk(List.of()), now));
        assertEquals(PlpmtudState.BASE, d.state());
    }
}
