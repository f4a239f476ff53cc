package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.jdatachannel.sctp.sim.GilbertElliott;
import org.jdatachannel.sctp.sim.Link;
import org.jdatachannel.sctp.sim.MessageLedger;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reliable channels over a lossy, reordering, duplicating link (issue 3): at random loss 0, 1, 5, 10
 * and 30 % and with bursty Gilbert-Elliott loss, both sides send messages of 1 byte to 256 KiB on
 * several streams. Every message must arrive exactly once, in order per stream for ordered
 * channels, byte-identical (SHA-256), and the transfer must finish (no stall) within a generous
 * virtual-time bound. Both associations use the RFC 9260 defaults except RTO.Min 100 ms / RTO.Initial
 * 200 ms (the link's RTT is 40 ms). Seeds are fixed per case and logged; {@code -Dnetsim.seed=N}
 * overrides them.
 */
class LossMatrixTest {
    private static final Logger LOG = LoggerFactory.getLogger(LossMatrixTest.class);
    static final int MAX_MESSAGE = 256 * 1024;

    static SctpOptions options() {
        return SctpOptions.builder().maxSendMessageSize(MAX_MESSAGE).maxReceiveMessageSize(MAX_MESSAGE)
                .minRtoMs(100).initialRtoMs(200).build();
    }

    /**
     * The impaired network of these tests, per direction: 20 ms one-way delay, 100 Mbit/s bottleneck
     * with a 2 MiB queue (larger than the 1 MiB receive window, so no tail drop), up to 3 ms jitter
     * (packets sent less than 3 ms apart get reordered), 2 % of packets held back 15 ms more, 2 %
     * duplicated; plus the case's random or bursty loss.
     */
    static void impair(NetSim sim, double loss, GilbertElliott burst) {
        sim.both(l -> l.delay(20).jitter(3).reorder(0.02, 15).duplicate(0.02).bandwidth(100_000_000, 2 << 20)
                .mtu(options().mtu()).failOnOversize(true).loss(loss).burstLoss(burst));
    }

    static Stream<Arguments> cases() {
        GilbertElliott ge = GilbertElliott.ofMeanLoss(0.05, 8, 0.5); // 5 % mean, bursts of ~8 packets losing half
        return Stream.of(
                Arguments.of("0%", 0.0, null, false, 101, 6_000_000, 60_000L),
                Arguments.of("1%", 0.01, null, false, 102, 6_000_000, 120_000L),
                Arguments.of("5%", 0.05, null, false, 103, 4_000_000, 300_000L),
                Arguments.of("10%", 0.10, null, false, 104, 3_000_000, 600_000L),
                Arguments.of("30%", 0.30, null, false, 105, 600_000, 1_800_000L),
                Arguments.of("burst5%", 0.0, ge, false, 106, 4_000_000, 300_000L),
                Arguments.of("0%", 0.0, null, true, 111, 6_000_000, 60_000L),
                Arguments.of("1%", 0.01, null, true, 112, 6_000_000, 120_000L),
                Arguments.of("10%", 0.10, null, true, 114, 3_000_000, 600_000L),
                Arguments.of("30%", 0.30, null, true, 115, 600_000, 1_800_000L),
                Arguments.of("burst5%", 0.0, ge, true, 116, 4_000_000, 300_000L));
    }

    /**
     * @param budget bytes A sends (B sends a quarter of that back), in messages of 1 B .. 256 KiB
     * @param boundMs virtual time within which everything must have arrived
     */
    @ParameterizedTest(name = "{0} loss, unordered={3}")
    @MethodSource("cases")
    void everyMessageExactlyOnceInOrderIntact(String name, double loss, GilbertElliott burst, boolean unordered,
            long seed, long budget, long boundMs) {
        run(loss, burst, unordered, seed, budget, boundMs, false);
    }

    /**
     * One case of the matrix.
     *
     * @param batched deliver the packets arriving at one virtual instant as one input batch
     *     ({@link NetSim#batchArrivals}; SackCoalescingTest)
     */
    static void run(double loss, GilbertElliott burst, boolean unordered, long seed, long budget, long boundMs,
            boolean batched) {
        String name = burst != null ? "burst" : loss * 100 + "%";
        NetSim sim = new NetSim(seed, options(), options());
        sim.batchArrivals = batched || sim.batchArrivals;
        LOG.info("case {} unordered={} batched={} seed={}", name, unordered, sim.batchArrivals, sim.seed);
        assertTrue(sim.connect(true), "connect");
        impair(sim, loss, burst);
        MessageLedger toB = new MessageLedger(sim.seed);
        MessageLedger toA = new MessageLedger(~sim.seed);
        toB.receiveAt(sim.b);
        toA.receiveAt(sim.a);
        SendOptions so = unordered ? SendOptions.RELIABLE_UNORDERED : SendOptions.RELIABLE_ORDERED;
        // A: streams 0..3, B: streams 1 and 7; interleaved, in slices so that both queues stay busy
        long start = sim.now;
        long aBytes = 0;
        long bBytes = 0;
        int i = 0;
        while (aBytes < budget || bBytes < budget / 4) {
            if (aBytes < budget) {
                byte[] p = toB.payload(toB.logUniformSize(1, MAX_MESSAGE));
                int stream = i % 4;
                sim.a.assoc.send(stream, 53, p, so, sim.now);
                toB.sent(stream, p, so);
                aBytes += p.length;
            }
            if (bBytes < budget / 4 && i % 3 == 0) {
                byte[] p = toA.payload(toA.logUniformSize(1, MAX_MESSAGE));
                int stream = i % 2 == 0 ? 1 : 7;
                sim.b.assoc.send(stream, 51, p, so, sim.now);
                toA.sent(stream, p, so);
                bBytes += p.length;
            }
            i++;
            if (i % 16 == 0) {
                sim.runFor(10);
            }
        }
        boolean done = sim.runUntil(() -> toB.receivedCount() >= toB.sentCount() && toA.receivedCount() >= toA.sentCount()
                || sim.a.closed != null || sim.b.closed != null, start + boundMs);
        long took = sim.now - start;
        LOG.info("case {} unordered={}: {} + {} messages, {} + {} bytes in {} ms virtual\n{}", name, unordered,
                toB.sentCount(), toA.sentCount(), toB.sentBytes(), toA.sentBytes(), took, sim.stats());
        assertNull(sim.a.closed, "A closed: seed " + sim.seed);
        assertNull(sim.b.closed, "B closed: seed " + sim.seed);
        assertTrue(done, "stalled: seed " + sim.seed + ", after " + took + " ms B has " + toB.receivedCount() + "/"
                + toB.sentCount() + ", A has " + toA.receivedCount() + "/" + toA.sentCount() + "; A " + sim.a.assoc.debugState()
                + "; B " + sim.b.assoc.debugState() + "\n" + sim.stats());
        // let late duplicates and retransmissions arrive: still exactly once
        sim.runFor(5_000);
        assertNull(toB.checkComplete(), "A->B, seed " + sim.seed);
        assertNull(toA.checkComplete(), "B->A, seed " + sim.seed);
        assertEquals(toB.sentCount(), toB.receivedCount(), "A->B message count, seed " + sim.seed);
        assertEquals(toA.sentCount(), toA.receivedCount(), "B->A message count, seed " + sim.seed);
        assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount(), "internal errors");
        // the network really was as bad as configured
        if (loss > 0 || burst != null) {
            assertTrue(sim.ab.dropped(Link.Drop.RANDOM) + sim.ab.dropped(Link.Drop.BURST) > 0, "A->B lost nothing");
            assertTrue(sim.ab.dataRetransmissions() > 0, "A never retransmitted");
        }
        assertTrue(sim.ab.duplicated() > 0 && sim.ab.reordered() > 0, "duplication and reordering happened");
        assertEquals(0, sim.ab.dropped(Link.Drop.QUEUE) + sim.ab.dropped(Link.Drop.MTU), "no queue or MTU drops");
    }
}
