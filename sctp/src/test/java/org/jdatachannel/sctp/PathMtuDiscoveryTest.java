package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.PadChunk;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.sim.Filters;
import org.jdatachannel.sctp.sim.Link;
import org.jdatachannel.sctp.sim.MessageLedger;
import org.jdatachannel.sctp.sim.NetSim;
import org.jdatachannel.sctp.sim.SimPacket;
import org.junit.jupiter.api.Test;

/**
 * Datagram PLPMTUD (RFC 8899 §5, §6.2) on the simulated network: probes of HEARTBEAT + PAD, the
 * search, black holes, a peer without PLPMTUD, restarts, forged acknowledgements, and PLPMTUD off.
 * A link's {@code mtu} drops larger packets silently, as a path without ICMP would.
 */
class PathMtuDiscoveryTest {

    private static final int BASE = 1191;
    /**
     * The most probes of one search from BASE_PLPMTU to 16000: BASE, then MAX_PLPMTU and a binary
     * search over 1191..16000 that halves the gap down to 32 bytes (9 more sizes), each failed size
     * probed MAX_PROBES times.
     */
    private static final int MAX_SEARCH_PROBES = 1 + 10 * PathMtuDiscovery.MAX_PROBES;

    static SctpOptions opts(int maxPlpmtu, long probeTimerMs) {
        return SctpOptions.builder().maxPlpmtu(maxPlpmtu).probeTimerMs(probeTimerMs).build();
    }

    /** Queues {@code count} reliable ordered messages of {@code size} bytes from A on streams 0..2. */
    static MessageLedger send(NetSim sim, int count, int size) {
        MessageLedger ledger = new MessageLedger(sim.seed);
        ledger.receiveAt(sim.b);
        for (int i = 0; i < count; i++) {
            byte[] p = ledger.payload(size);
            sim.a.assoc.send(i % 3, 53, p, SendOptions.RELIABLE_ORDERED, sim.now);
            ledger.sent(i % 3, p, SendOptions.RELIABLE_ORDERED);
        }
        return ledger;
    }

    static void assertDelivered(NetSim sim, MessageLedger ledger, long boundMs) {
        boolean done = sim.runUntil(() -> ledger.receivedCount() >= ledger.sentCount() || sim.a.closed != null,
                sim.now + boundMs);
        assertNull(sim.a.closed, "A closed, seed " + sim.seed);
        assertTrue(done, "stalled at " + ledger.receivedCount() + "/" + ledger.sentCount() + ", seed " + sim.seed
                + "; A " + sim.a.assoc.debugState() + "\n" + sim.stats());
        sim.runFor(2_000);
        assertNull(ledger.checkComplete(), "seed " + sim.seed);
        assertEquals(ledger.sentCount(), ledger.receivedCount(), "exactly once");
        assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
    }

    static boolean isProbe(SimPacket p) {
        return p.has(PadChunk.class) && p.has(HeartbeatRequestChunk.class);
    }

    @Test
    void withoutAnMtuLimitTheMaximumIsReachedInTwoRoundTripsAndCarriesTheTransfer() {
        NetSim sim = new NetSim(8801, opts(16000, 20_000), opts(16000, 20_000));
        List<Integer> probeSizes = new ArrayList<>();
        AtomicLong dataBytes = new AtomicLong();
        AtomicLong dataBytesInLargePackets = new AtomicLong();
        sim.ab.dropIf(Filters.observe(p -> {
            if (isProbe(p)) {
                probeSizes.add(p.size());
                assertEquals(2, p.chunks().size(), "a probe is HEARTBEAT + PAD only: " + p);
            } else if (p.has(DataChunk.class)) {
                assertTrue(p.size() <= sim.a.assoc.pathMtu(), p.size() + " > PLPMTU " + sim.a.assoc.pathMtu());
                dataBytes.addAndGet(p.size());
                if (p.size() > 8000) {
                    dataBytesInLargePackets.addAndGet(p.size());
                }
            }
        }));
        assertTrue(sim.connect(false));
        long established = sim.now;
        assertEquals(PlpmtudState.BASE, sim.a.assoc.plpmtudState());
        // 10 ms each way: the BASE_PLPMTU probe, then MAX_PLPMTU: two round trips
        assertTrue(sim.runUntil(() -> sim.a.assoc.pathMtu() == 16000, established + 200), sim.a.assoc.toString());
        assertTrue(sim.now - established <= 45, "took " + (sim.now - established) + " ms");
        assertEquals(PlpmtudState.SEARCH_COMPLETE, sim.a.assoc.plpmtudState());
        assertEquals(List.of(1188, 16000), probeSizes, "BASE_PLPMTU (rounded down to 4), then MAX_PLPMTU");
        assertEquals(2, sim.a.assoc.plpmtuProbesAcked());
        assertTrue(sim.runUntil(() -> sim.b.assoc.pathMtu() == 16000, sim.now + 200), "B probes too");

        MessageLedger ledger = send(sim, 64, 65536); // 4 MiB
        assertDelivered(sim, ledger, 60_000);
        assertEquals(2, sim.a.assoc.plpmtuProbesSent(), "no probe in SEARCH_COMPLETE");
        assertTrue(dataBytesInLargePackets.get() >= 0.95 * dataBytes.get(),
                dataBytesInLargePackets + " of " + dataBytes + " DATA packet bytes in packets above 8000 bytes");
        assertEquals(0, sim.ab.dropped() + sim.ba.dropped());
    }

    @Test
    void livenessHeartbeatsGoOnBesideProbesAndTheirAcksAreNotConfusedWithProbeAcks() {
        NetSim sim = new NetSim(8811, opts(16000, 20_000), opts(16000, 20_000));
        AtomicInteger livenessHeartbeats = new AtomicInteger();
        AtomicInteger livenessAcks = new AtomicInteger();
        sim.ab.dropIf(Filters.observe(p -> {
            for (Chunk c : p.chunks()) {
                if (c instanceof HeartbeatRequestChunk hb && !isProbe(p)) {
                    byte[] info = ((HeartbeatInfoParameter) hb.parameters().get(0)).info();
                    assertEquals(HeartbeatHandler.MAGIC, ByteBuffer.wrap(info).getInt());
                    livenessHeartbeats.incrementAndGet();
                }
            }
        }));
        sim.ba.dropIf(Filters.observe(p -> {
            for (Chunk c : p.chunks()) {
                if (c instanceof HeartbeatAckChunk hba
                        && ((HeartbeatInfoParameter) hba.parameters().get(0)).info().length == HeartbeatHandler.INFO_SIZE) {
                    livenessAcks.incrementAndGet();
                }
            }
        }));
        assertTrue(sim.connect(false));
        assertTrue(sim.runUntil(() -> sim.a.assoc.pathMtu() == 16000, sim.now + 200));
        sim.runFor(300_000);
        assertNull(sim.a.closed);
        // HB.interval 30 s + RTO: about 9 in 300 s, each answered; the probes stay at 2
        assertTrue(livenessHeartbeats.get() >= 8, livenessHeartbeats + " liveness heartbeats");
        assertEquals(livenessHeartbeats.get(), livenessAcks.get());
        assertEquals(2, sim.a.assoc.plpmtuProbesSent());
        assertEquals(2, sim.a.assoc.plpmtuProbesAcked());
        assertEquals(16000, sim.a.assoc.pathMtu());
    }

    @Test
    void aNineThousandByteLinkIsFoundWithinTheGranularityWithoutLosingData() {
        NetSim sim = new NetSim(8802, opts(16000, 1000), opts(16000, 1000));
        sim.both(l -> l.mtu(9000));
        List<Integer> dropped = new ArrayList<>();
        sim.ab.dropIf(Filters.observe(p -> {
            if (p.size() > 9000) {
                assertTrue(isProbe(p), "only probes exceed the link: " + p);
                dropped.add(p.size());
            }
        }));
        assertTrue(sim.connect(false));
        // data flows while the search runs
        MessageLedger ledger = send(sim, 48, 65536);
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtudState() == PlpmtudState.SEARCH_COMPLETE, sim.now + 120_000));
        int pmtu = sim.a.assoc.pathMtu();
        assertTrue(pmtu <= 9000 && pmtu > 9000 - PathMtuDiscovery.SEARCH_GRANULARITY, "PLPMTU " + pmtu);
        long probes = sim.a.assoc.plpmtuProbesSent();
        assertTrue(probes <= MAX_SEARCH_PROBES, probes + " probes");
        assertEquals(probes, sim.a.assoc.plpmtuProbesAcked() + dropped.size(), "every probe acked or dropped by the link");
        assertDelivered(sim, ledger, 120_000);
        assertEquals(dropped.size(), sim.ab.dropped(Link.Drop.MTU), "the link dropped nothing but probes");
    }

    /**
     * Loss, duplication, reordering and jitter on a 9000-byte link, with I-DATA and zero checksums on one
     * seed out of two: probes lost or duplicated, acknowledgements late; everything arrives exactly once
     * and in order and the PLPMTU never exceeds the link.
     */
    @Test
    void lossyReorderingDuplicatingLinkStillConvergesBelowTheLinkAndDeliversEverything() {
        for (long s = 8820; s < 8826; s++) {
            long seed = s;
            boolean extensions = seed % 2 == 0;
            SctpOptions o = SctpOptions.builder().maxPlpmtu(16000).probeTimerMs(1000)
                    .enableMessageInterleaving(extensions).zeroChecksumOverDtls(extensions).build();
            NetSim sim = new NetSim(seed, o, o);
            sim.both(l -> l.mtu(9000).loss(0.03).duplicate(0.03).reorder(0.05, 30).jitter(5));
            sim.ab.dropIf(Filters.observe(p -> {
                if (p.has(DataChunk.class) || p.has(org.jdatachannel.sctp.packet.chunk.IDataChunk.class)) {
                    assertTrue(p.size() <= 9000 || p.chunks().size() == 1, "seed " + seed + ": " + p);
                }
            }));
            assertTrue(sim.connect(true), "seed " + seed);
            MessageLedger ledger = send(sim, 60, 40_000);
            assertDelivered(sim, ledger, 600_000);
            sim.runUntil(() -> sim.a.assoc.plpmtudState() == PlpmtudState.SEARCH_COMPLETE, sim.now + 300_000);
            assertTrue(sim.a.assoc.pathMtu() <= 9000, "seed " + seed + ": " + sim.a.assoc.pathMtu());
            assertTrue(sim.a.assoc.pathMtu() > BASE, "seed " + seed + ": something above BASE_PLPMTU was found");
        }
    }

    @Test
    void aLinkAtBasePlpmtuStaysThereWithoutStalling() {
        NetSim sim = new NetSim(8803, opts(16000, 1000), opts(16000, 1000));
        sim.both(l -> l.mtu(BASE));
        assertTrue(sim.connect(false));
        MessageLedger ledger = send(sim, 40, 30_000);
        assertDelivered(sim, ledger, 60_000);
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtudState() == PlpmtudState.SEARCH_COMPLETE, sim.now + 120_000));
        assertEquals(BASE, sim.a.assoc.pathMtu());
        long probes = sim.a.assoc.plpmtuProbesSent();
        assertEquals(MAX_SEARCH_PROBES, probes, "every size failed");
        // nothing more until PMTU_RAISE_TIMER (600 s)
        sim.runFor(300_000);
        assertEquals(probes, sim.a.assoc.plpmtuProbesSent());
        assertEquals(0, sim.a.assoc.plpmtuBlackHoles());
    }

    @Test
    void searchCompleteSearchesAgainAfterThePmtuRaiseTimer() {
        SctpOptions o = SctpOptions.builder().maxPlpmtu(16000).probeTimerMs(1000).pmtuRaiseTimerMs(60_000).build();
        NetSim sim = new NetSim(8804, o, o);
        sim.both(l -> l.mtu(4000));
        assertTrue(sim.connect(false));
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtudState() == PlpmtudState.SEARCH_COMPLETE, sim.now + 120_000));
        long completedAt = sim.now;
        assertTrue(sim.a.assoc.pathMtu() <= 4000 && sim.a.assoc.pathMtu() > 4000 - 32);
        sim.both(l -> l.mtu(Integer.MAX_VALUE)); // the path grew
        assertTrue(sim.runUntil(() -> sim.a.assoc.pathMtu() == 16000, completedAt + 60_000 + 5_000));
        assertTrue(sim.now >= completedAt + 60_000, "not before PMTU_RAISE_TIMER");
        assertEquals(PlpmtudState.SEARCH_COMPLETE, sim.a.assoc.plpmtudState());
    }

    @Test
    void aBlackHoleFallsBackToBaseAndSmallMessagesStillArriveExactlyOnceInOrder() {
        NetSim sim = new NetSim(8805, opts(16000, 2000), opts(16000, 2000));
        assertTrue(sim.connect(false));
        assertTrue(sim.runUntil(() -> sim.a.assoc.pathMtu() == 16000, sim.now + 1_000));
        // 1000-byte messages: many per 16000-byte packet, each chunk fits BASE_PLPMTU
        MessageLedger ledger = send(sim, 3000, 1000);
        sim.runUntil(() -> ledger.receivedCount() > 300, sim.now + 10_000);
        assertTrue(ledger.receivedCount() < 2000, "still transferring");
        sim.both(l -> l.mtu(BASE)); // the path changes to one that silently drops more than BASE
        long shrunk = sim.now;
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtuBlackHoles() > 0, shrunk + 10_000), sim.a.assoc.debugState());
        assertEquals(BASE, sim.a.assoc.pathMtu());
        assertDelivered(sim, ledger, 120_000);
        // the search after it confirms nothing larger
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtudState() == PlpmtudState.SEARCH_COMPLETE, sim.now + 200_000));
        assertEquals(BASE, sim.a.assoc.pathMtu());
    }

    /**
     * Connects, waits for the PLPMTU to reach 16000 and sends 40 messages of 64 KiB, returning while
     * between 5 and 29 of them have arrived: chunks of up to 16000 bytes are outstanding.
     */
    private static MessageLedger largeMessagesMidTransferAt16000(NetSim sim) {
        assertTrue(sim.connect(false));
        assertTrue(sim.runUntil(() -> sim.a.assoc.pathMtu() == 16000, sim.now + 1_000));
        MessageLedger ledger = send(sim, 40, 65536);
        sim.runUntil(() -> ledger.receivedCount() >= 5, sim.now + 10_000);
        assertTrue(ledger.receivedCount() < 30, "still transferring");
        return ledger;
    }

    @Test
    void chunksMadeBeforeABlackHoleAreRetransmittedAloneAboveThePlpmtuNotDropped() {
        NetSim sim = new NetSim(8806, opts(16000, 2000), opts(16000, 2000));
        MessageLedger ledger = largeMessagesMidTransferAt16000(sim);
        // A black hole for 30 s: packets above BASE_PLPMTU vanish, then the path heals (the layers
        // below may also fragment such a packet; a chunk can never be made smaller once it has a TSN)
        long from = sim.now;
        long to = from + 30_000;
        AtomicInteger oversizedAfterFallback = new AtomicInteger();
        AtomicInteger newDataAboveBase = new AtomicInteger();
        AtomicInteger lastTsnBefore = new AtomicInteger();
        sim.ab.dropIf(p -> {
            boolean fellBack = sim.a.assoc.plpmtuBlackHoles() > 0;
            for (DataChunk d : p.dataChunks()) {
                int tsn = d.tsn().value();
                if (!fellBack && tsn - lastTsnBefore.get() > 0) {
                    lastTsnBefore.set(tsn);
                } else if (fellBack && p.nowMs() < to && tsn - lastTsnBefore.get() > 0 && p.size() > BASE) {
                    newDataAboveBase.incrementAndGet(); // a chunk made after the fallback, above it
                }
            }
            if (p.nowMs() < from || p.nowMs() >= to) {
                return false;
            }
            if (fellBack && p.has(DataChunk.class) && p.size() > BASE) {
                oversizedAfterFallback.incrementAndGet();
                assertEquals(1, p.chunks().size(), "a chunk above the PLPMTU goes alone: " + p);
            }
            return p.size() > BASE;
        });
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtuBlackHoles() > 0, from + 10_000), sim.a.assoc.debugState());
        assertEquals(BASE, sim.a.assoc.pathMtu());
        sim.runUntil(() -> sim.now >= to, to);
        assertNull(sim.a.closed);
        assertTrue(oversizedAfterFallback.get() > 0, "the large chunks kept being retransmitted");
        assertEquals(0, newDataAboveBase.get());
        assertDelivered(sim, ledger, 300_000);
    }

    @Test
    void offSendsNoProbeAndTheSamePacketsAsWithoutTheOption() {
        List<Integer> sizesDefault = packetSizes(SctpOptions.defaults());
        List<Integer> sizesOff = packetSizes(SctpOptions.builder().maxPlpmtu(0).probeTimerMs(5000).build());
        assertEquals(sizesDefault, sizesOff);
        // a MAX_PLPMTU that leaves no room above BASE_PLPMTU is off too
        assertEquals(sizesDefault, packetSizes(SctpOptions.builder().maxPlpmtu(BASE).build()));
    }

    private static List<Integer> packetSizes(SctpOptions o) {
        NetSim sim = new NetSim(8807, o, o);
        sim.mtu = BASE; // fails the test on any packet above it
        List<Integer> sizes = new ArrayList<>();
        sim.both(l -> l.dropIf(Filters.observe(p -> {
            assertFalse(p.has(PadChunk.class), "PAD sent with PLPMTUD off: " + p);
            sizes.add(p.size());
        })));
        assertTrue(sim.connect(true));
        MessageLedger ledger = send(sim, 30, 50_000);
        assertDelivered(sim, ledger, 60_000);
        sim.runFor(100_000); // heartbeats
        assertEquals(PlpmtudState.DISABLED, sim.a.assoc.plpmtudState());
        assertEquals(0, sim.a.assoc.plpmtuProbesSent());
        assertEquals(BASE, sim.a.assoc.pathMtu());
        return sizes;
    }

    @Test
    void aPeerWithPlpmtudOffAnswersProbesAndIgnoresPad() {
        NetSim sim = new NetSim(8808, opts(16000, 20_000), SctpOptions.defaults());
        sim.ba.mtu(BASE).failOnOversize(true); // B never sends anything larger
        List<Integer> ackSizes = new ArrayList<>();
        sim.ba.dropIf(Filters.observe(p -> {
            assertFalse(p.has(ErrorChunk.class), "PAD is not reported as unrecognized: " + p);
            if (p.has(HeartbeatAckChunk.class)) {
                ackSizes.add(p.size());
            }
        }));
        assertTrue(sim.connect(false));
        assertTrue(sim.runUntil(() -> sim.a.assoc.pathMtu() == 16000, sim.now + 200));
        assertEquals(2, ackSizes.size());
        for (int s : ackSizes) {
            assertTrue(s < 64, "the HEARTBEAT ACK does not carry the padding: " + s + " bytes");
        }
        assertEquals(PlpmtudState.DISABLED, sim.b.assoc.plpmtudState());
        MessageLedger ledger = send(sim, 20, 65536);
        assertDelivered(sim, ledger, 60_000);
        assertEquals(BASE, sim.b.assoc.pathMtu());
    }

    @Test
    void restartGoesBackToBaseAndSearchesTheNewPath() {
        NetSim sim = new NetSim(8809, opts(16000, 1000), opts(16000, 1000));
        assertTrue(sim.connect(false));
        assertTrue(sim.runUntil(() -> sim.a.assoc.pathMtu() == 16000, sim.now + 1_000));
        sim.both(l -> l.mtu(6000));
        sim.a.assoc.restartPathMtuDiscovery(16000, sim.now);
        assertEquals(BASE, sim.a.assoc.pathMtu(), "at once");
        assertEquals(PlpmtudState.BASE, sim.a.assoc.plpmtudState());
        MessageLedger ledger = send(sim, 20, 65536);
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtudState() == PlpmtudState.SEARCH_COMPLETE, sim.now + 120_000));
        assertTrue(sim.a.assoc.pathMtu() <= 6000 && sim.a.assoc.pathMtu() > 6000 - 32, "PLPMTU " + sim.a.assoc.pathMtu());
        assertDelivered(sim, ledger, 60_000);
        // a smaller MAX_PLPMTU is searched up to, not beyond
        sim.a.assoc.restartPathMtuDiscovery(2000, sim.now);
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtudState() == PlpmtudState.SEARCH_COMPLETE, sim.now + 10_000));
        assertEquals(2000, sim.a.assoc.pathMtu());
        // 0 turns it off
        long probes = sim.a.assoc.plpmtuProbesSent();
        sim.a.assoc.restartPathMtuDiscovery(0, sim.now);
        assertEquals(BASE, sim.a.assoc.pathMtu());
        assertEquals(PlpmtudState.DISABLED, sim.a.assoc.plpmtudState());
        sim.runFor(60_000);
        assertEquals(probes, sim.a.assoc.plpmtuProbesSent());
        assertThrows(IllegalArgumentException.class, () -> sim.a.assoc.restartPathMtuDiscovery(BASE - 1, sim.now));
        assertThrows(IllegalArgumentException.class, () -> sim.a.assoc.restartPathMtuDiscovery(65536, sim.now));
    }

    @Test
    void aHeartbeatAckWithTheProbeMagicButAWrongNonceOrSizeConfirmsNothing() {
        NetSim sim = new NetSim(8810, opts(16000, 20_000), SctpOptions.defaults());
        AtomicReference<byte[]> probeInfo = new AtomicReference<>();
        AtomicInteger tagToA = new AtomicInteger();
        // every probe vanishes; its Heartbeat Information is kept for forging
        sim.ab.dropIf(p -> {
            if (!isProbe(p)) {
                return false;
            }
            HeartbeatRequestChunk hb = assertInstanceOf(HeartbeatRequestChunk.class, p.chunks().get(0));
            probeInfo.set(((HeartbeatInfoParameter) hb.parameters().get(0)).info());
            return true;
        });
        sim.ba.dropIf(Filters.observe(p -> tagToA.set(p.parsed().verificationTag().value())));
        assertTrue(sim.connect(false));
        sim.runFor(50);
        byte[] info = probeInfo.get();
        assertEquals(PathMtuDiscovery.INFO_SIZE, info.length);
        ByteBuffer b = ByteBuffer.wrap(info);
        assertEquals(PathMtuDiscovery.MAGIC, b.getInt());
        int size = b.getInt();
        long nonce = b.getLong();
        assertEquals(1188, size);
        forgeAck(sim, tagToA.get(), ByteBuffer.allocate(16).putInt(PathMtuDiscovery.MAGIC).putInt(size).putLong(nonce + 1).array());
        forgeAck(sim, tagToA.get(), ByteBuffer.allocate(16).putInt(PathMtuDiscovery.MAGIC).putInt(16000).putLong(nonce).array());
        forgeAck(sim, tagToA.get(), ByteBuffer.allocate(12).putInt(PathMtuDiscovery.MAGIC).putInt(16000).putInt(0).array());
        assertEquals(0, sim.a.assoc.plpmtuProbesAcked());
        assertEquals(PlpmtudState.BASE, sim.a.assoc.plpmtudState());
        assertEquals(BASE, sim.a.assoc.pathMtu());
        assertNull(sim.a.closed);
        assertEquals(0, sim.a.assoc.internalErrorCount());
        // the genuine echo (what the peer would send) confirms BASE_PLPMTU and moves on to MAX_PLPMTU
        forgeAck(sim, tagToA.get(), info);
        assertEquals(1, sim.a.assoc.plpmtuProbesAcked());
        assertEquals(PlpmtudState.SEARCHING, sim.a.assoc.plpmtudState());
        // a replay of it confirms nothing more
        forgeAck(sim, tagToA.get(), info);
        assertEquals(1, sim.a.assoc.plpmtuProbesAcked());
        assertEquals(BASE, sim.a.assoc.pathMtu());
    }

    /**
     * A peer that drops every packet carrying a PAD chunk (Pion does, logging a warning for each): the
     * BASE_PLPMTU probe is never answered, so PLPMTUD enters ERROR and probes again only after a back-off
     * doubling from 2 PROBE_TIMERs up to PMTU_RAISE_TIMER. Over one virtual hour at the default timers
     * (20 s, 600 s) that is 3 BASE probes, then probes 40, 80, 160, 320 s and then every 600 s apart
     * (each with its 20 s PROBE_TIMER): at most 3 + 4 + 6 = 13 (one per PROBE_TIMER would be 180).
     * Data keeps flowing at BASE_PLPMTU and nothing counts as an error.
     */
    @Test
    void aPeerDroppingEveryPacketWithPadGetsFewProbesAndDataFlowsAtBase() {
        NetSim sim = new NetSim(8812, opts(16000, 20_000), SctpOptions.defaults());
        AtomicInteger dropped = new AtomicInteger();
        sim.ab.dropIf(p -> {
            if (p.has(PadChunk.class)) {
                dropped.incrementAndGet();
                return true;
            }
            assertTrue(p.size() <= BASE, "nothing above BASE_PLPMTU but probes: " + p);
            return false;
        });
        assertTrue(sim.connect(false));
        long start = sim.now;
        for (int minute = 0; minute < 60; minute++) {
            MessageLedger ledger = send(sim, 10, 5000);
            assertDelivered(sim, ledger, 30_000);
            sim.runUntil(() -> false, start + (minute + 1) * 60_000L);
        }
        assertNull(sim.a.closed);
        assertEquals(PlpmtudState.ERROR, sim.a.assoc.plpmtudState());
        assertEquals(BASE, sim.a.assoc.pathMtu());
        long probes = sim.a.assoc.plpmtuProbesSent();
        assertEquals(probes, dropped.get());
        assertTrue(probes >= 9 && probes <= 13, probes + " probes in one hour");
        assertEquals(0, sim.a.assoc.plpmtuProbesAcked());
    }

    /**
     * An idle association with liveness heartbeats off whose probes are all lost for far longer than
     * Association.Max.Retrans x PROBE_TIMER: a lost probe never counts toward the error counter, so no
     * ABORT.
     */
    @Test
    void lostProbesNeverCountAsErrorsOnAnIdleAssociationWithoutHeartbeats() {
        SctpOptions o = SctpOptions.builder().maxPlpmtu(16000).probeTimerMs(1000).heartbeatIntervalMs(0)
                .maxRetransmits(2).build();
        NetSim sim = new NetSim(8813, o, o);
        sim.both(l -> l.dropIf(SimPacketIsProbe.INSTANCE));
        assertTrue(sim.connect(false));
        sim.runFor(100L * o.maxRetransmits() * o.probeTimerMs());
        assertNull(sim.a.closed, "lost probes aborted the association");
        assertNull(sim.b.closed);
        assertEquals(0, sim.a.assoc.errorCount());
        assertTrue(sim.a.assoc.plpmtuProbesSent() > o.maxRetransmits() + 1, "" + sim.a.assoc.plpmtuProbesSent());
        assertEquals(PlpmtudState.ERROR, sim.a.assoc.plpmtudState());
        MessageLedger ledger = send(sim, 5, 3000);
        assertDelivered(sim, ledger, 10_000);
    }

    /** Drops probes. */
    private enum SimPacketIsProbe implements java.util.function.Predicate<SimPacket> {
        INSTANCE;

        @Override
        public boolean test(SimPacket p) {
            return isProbe(p);
        }
    }

    /**
     * A 1452-byte link with MAX_PLPMTU 16000: after the search converged, each PMTU_RAISE_TIMER (600 s)
     * probes only the smallest size that failed (MAX_PROBES times) and completes at once: at most
     * 6 x 3 = 18 probes per hour, all of that one size (searching from MAX_PLPMTU each time again cost
     * about 90 per hour, each raise failing 16000 and the binary search's sizes again).
     */
    @Test
    void afterConvergenceEachPmtuRaiseTimerCostsOnlyMaxProbesProbes() {
        NetSim sim = new NetSim(8814, opts(16000, 20_000), opts(16000, 20_000));
        sim.both(l -> l.mtu(1452));
        List<Integer> probeSizes = new ArrayList<>();
        sim.ab.dropIf(Filters.observe(p -> {
            if (isProbe(p)) {
                probeSizes.add(p.size());
            }
        }));
        assertTrue(sim.connect(false));
        assertTrue(sim.runUntil(() -> sim.a.assoc.plpmtudState() == PlpmtudState.SEARCH_COMPLETE, sim.now + 1_200_000));
        int pmtu = sim.a.assoc.pathMtu();
        assertTrue(pmtu <= 1452 && pmtu > 1452 - PathMtuDiscovery.SEARCH_GRANULARITY, "PLPMTU " + pmtu);
        int converged = probeSizes.size();
        int smallestFailed = probeSizes.stream().filter(x -> x > 1452).min(Integer::compare).orElseThrow();
        sim.runFor(3_600_000);
        List<Integer> hour = probeSizes.subList(converged, probeSizes.size());
        assertTrue(hour.size() <= 6 * PathMtuDiscovery.MAX_PROBES && hour.size() >= 5 * PathMtuDiscovery.MAX_PROBES,
                hour.size() + " probes in an hour: " + hour);
        for (int size : hour) {
            assertEquals(smallestFailed, size, "only the size that failed last: " + hour);
        }
        assertEquals(pmtu, sim.a.assoc.pathMtu());
        assertNull(sim.a.closed);
    }

    /**
     * The answer to a probe is a HEARTBEAT ACK and clears the association's error counter like any
     * other (RFC 9260 §8.3): two T3-rtx expiries (DATA lost), then the probe's answer.
     */
    @Test
    void aProbesAnswerClearsTheErrorCounter() {
        NetSim sim = new NetSim(8815, opts(16000, 20_000), SctpOptions.defaults());
        AtomicReference<byte[]> probeInfo = new AtomicReference<>();
        AtomicInteger tagToA = new AtomicInteger();
        sim.ab.dropIf(p -> {
            if (isProbe(p)) {
                HeartbeatRequestChunk hb = assertInstanceOf(HeartbeatRequestChunk.class, p.chunks().get(0));
                probeInfo.set(((HeartbeatInfoParameter) hb.parameters().get(0)).info());
                return true;
            }
            return p.has(DataChunk.class);
        });
        sim.ba.dropIf(Filters.observe(p -> tagToA.set(p.parsed().verificationTag().value())));
        assertTrue(sim.connect(false));
        send(sim, 1, 500);
        assertTrue(sim.runUntil(() -> sim.a.assoc.errorCount() >= 2, sim.now + 15_000), sim.a.assoc.debugState());
        assertEquals(PlpmtudState.BASE, sim.a.assoc.plpmtudState(), "the first probe is still out");
        forgeAck(sim, tagToA.get(), probeInfo.get());
        assertEquals(1, sim.a.assoc.plpmtuProbesAcked());
        assertEquals(0, sim.a.assoc.errorCount(), "the probe's HEARTBEAT ACK cleared the error counter");
    }

    /** After SHUTDOWN or ABORT with a probe outstanding, no timer is left: pollTimeout says never. */
    @Test
    void noTimerIsLeftAfterShutdownOrAbortWithAProbeOutstanding() {
        for (boolean graceful : new boolean[] {true, false}) {
            NetSim sim = new NetSim(8816, opts(16000, 20_000), opts(16000, 20_000));
            sim.ab.dropIf(SimPacketIsProbe.INSTANCE);
            assertTrue(sim.connect(false));
            sim.runFor(50);
            assertEquals(PlpmtudState.BASE, sim.a.assoc.plpmtudState());
            assertEquals(1, sim.a.assoc.plpmtuProbesSent(), "a probe is outstanding");
            if (graceful) {
                sim.a.assoc.shutdown(sim.now);
            } else {
                sim.a.assoc.abort("test", sim.now);
            }
            assertTrue(sim.runUntil(() -> sim.a.closed != null, sim.now + 5_000));
            assertEquals(!graceful, sim.a.closed.aborted());
            assertEquals(PlpmtudState.DISABLED, sim.a.assoc.plpmtudState());
            assertEquals(Long.MAX_VALUE, sim.a.assoc.pollTimeout(), graceful ? "after SHUTDOWN" : "after ABORT");
        }
    }

    /**
     * A black hole that never heals while chunks larger than BASE_PLPMTU are outstanding: they cannot be
     * made smaller (their TSNs are fixed), so each retransmission (alone, above the PLPMTU) is lost, and
     * the association ends after Association.Max.Retrans T3-rtx expiries, as RFC 9260 foresees for a
     * peer that cannot be reached (§8.1). Small messages queued behind never made into chunks are not
     * lost silently: the Closed event reports the ABORT and its reason.
     */
    @Test
    void aBlackHoleThatNeverHealsWithLargeChunksOutstandingEndsTheAssociation() {
        NetSim sim = new NetSim(8817, opts(16000, 2000), opts(16000, 2000));
        MessageLedger ledger = largeMessagesMidTransferAt16000(sim);
        long from = sim.now;
        sim.ab.dropIf(p -> p.size() > BASE);
        // measured (seed 8817): ABORT 402 s after the path shrank, 7 of 40 messages delivered, one black
        // hole, the BASE_PLPMTU probe after it answered (which cleared the error counter once)
        assertTrue(sim.runUntil(() -> sim.a.closed != null, from + 3_600_000), sim.a.assoc.debugState());
        assertTrue(sim.a.closed.aborted());
        assertEquals("too many retransmissions (" + SctpOptions.defaults().maxRetransmits() + ")", sim.a.closed.reason());
        assertEquals(1, sim.a.assoc.plpmtuBlackHoles());
        assertEquals(BASE, sim.a.assoc.pathMtu());
        assertTrue(ledger.receivedCount() < ledger.sentCount(), "the large chunks never got through");
        // the ABORT (small) reaches B, which ends too
        assertTrue(sim.runUntil(() -> sim.b.closed != null, sim.now + 1_000));
        assertTrue(sim.b.closed.aborted());
        assertEquals(Long.MAX_VALUE, sim.a.assoc.pollTimeout());
    }

    private static void forgeAck(NetSim sim, int tag, byte[] info) {
        List<Chunk> chunks = List.of(new HeartbeatAckChunk(List.of(new HeartbeatInfoParameter(info))));
        byte[] packet = new SctpPacket(5000, 5000, tag, chunks).serialize();
        sim.a.assoc.handleInput(ByteBuffer.wrap(packet), sim.now);
        sim.drain();
    }
}
