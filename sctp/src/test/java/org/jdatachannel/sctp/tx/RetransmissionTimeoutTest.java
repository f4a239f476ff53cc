package org.jdatachannel.sctp.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** RFC 9260 §6.3.1 (C1-C7, G1) and §6.3.3 E2, checked step by step on given samples. */
class RetransmissionTimeoutTest {
    private static final Logger LOG = LoggerFactory.getLogger(RetransmissionTimeoutTest.class);

    @Test
    void c1InitialRtoUntilTheFirstMeasurement() {
        RetransmissionTimeout r = new RetransmissionTimeout(1000, 400, 60000, 55);
        assertEquals(1000, r.rto(), "C1: RTO.Initial");
        assertFalse(r.hasMeasurement());
        assertEquals(0, r.srtt());
    }

    @Test
    void c2c3FormulasStepByStep() {
        RetransmissionTimeout r = new RetransmissionTimeout(1000, 1, 60000);
        // C2: SRTT = 100, RTTVAR = 50, RTO = 100 + 4 * 50 = 300
        r.observe(100);
        assertEquals(100, r.srtt());
        assertEquals(50.0, r.rttvar(), 1e-9);
        assertEquals(300, r.rto());
        // C3 with R' = 200: RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5 (old SRTT);
        // SRTT = 7/8 * 100 + 1/8 * 200 = 112.5; RTO = 112.5 + 250 = 362.5 -> 363
        r.observe(200);
        assertEquals(62.5, r.rttvar(), 1e-9);
        assertEquals(113, r.srtt());
        assertEquals(363, r.rto());
        // C3 with R' = 100: RTTVAR = 3/4 * 62.5 + 1/4 * 12.5 = 50; SRTT = 7/8 * 112.5 + 12.5 = 110.9375;
        // RTO = 110.9375 + 200 = 310.9 -> 311
        r.observe(100);
        assertEquals(50.0, r.rttvar(), 1e-9);
        assertEquals(311, r.rto());
    }

    @Test
    void g1RttvarZeroCountsAsOneMillisecond() {
        RetransmissionTimeout r = new RetransmissionTimeout(1000, 1, 60000);
        r.observe(0); // SRTT 0, RTTVAR 0 -> G = 1 ms
        assertEquals(4, r.rto());
    }

    @Test
    void c6c7ClampedToMinAndMax() {
        RetransmissionTimeout r = new RetransmissionTimeout(1000, 400, 60000);
        r.observe(1);
        assertEquals(400, r.rto(), "C6: rounded up to RTO.Min");
        RetransmissionTimeout big = new RetransmissionTimeout(1000, 400, 3000);
        big.observe(2900); // 2900 + 4 * 1450 > RTO.Max
        assertEquals(3000, big.rto(), "C7: capped at RTO.Max");
    }

    @Test
    void e2BackoffDoublesUpToMaxAndTheNextSampleRecomputes() {
        RetransmissionTimeout r = new RetransmissionTimeout(1000, 400, 10000);
        long[] expected = {2000, 4000, 8000, 10000, 10000};
        for (long e : expected) {
            r.backOff();
            assertEquals(e, r.rto());
        }
        r.observe(100); // C2 from the backed-off state: 100 + 4 * 50 = 300 -> RTO.Min
        assertEquals(400, r.rto(), "C3 recomputes from SRTT/RTTVAR, undoing the backoff");
    }

    @Test
    void rttvarFloorKeepsRtoAboveTheDelayedAckTime() {
        // A steady 20 ms path: RTTVAR decays towards 0; without the floor the RTO would be 20 ms + a
        // little (here RTO.Min = 1), below a 200 ms delayed SACK.
        RetransmissionTimeout plain = new RetransmissionTimeout(1000, 1, 60000, 0);
        RetransmissionTimeout floored = new RetransmissionTimeout(1000, 1, 60000, 55);
        for (int i = 0; i < 100; i++) {
            plain.observe(20);
            floored.observe(20);
        }
        assertTrue(plain.rto() < 30, "plain RFC formula: " + plain.rto());
        assertEquals(20 + 4 * 55, floored.rto(), "RTO = SRTT + 4 * max(RTTVAR, 55)");
        assertTrue(floored.rto() > 20 + 200, "covers a SACK delayed by 200 ms");
        assertTrue(floored.rttvar() < 1, "the stored RTTVAR still follows the RFC: " + floored.rttvar());
    }

    @Test
    void absurdSamplesAreIgnored() {
        RetransmissionTimeout r = new RetransmissionTimeout(1000, 100, 60000);
        r.observe(-5);
        r.observe(60001);
        assertFalse(r.hasMeasurement());
        assertEquals(1000, r.rto());
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionTimeout(1000, 0, 60000));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionTimeout(1000, 500, 400));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionTimeout(100, 400, 60000));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionTimeout(1000, 400, 60000, -1));
    }

    /** Property: the RTO always lies in [max(RTO.Min, SRTT + 4 * floor) - 1, RTO.Max] for random samples. */
    @Test
    void randomSamplesStayWithinBounds() {
        long seed = new SplittableRandom().nextLong();
        LOG.info("randomSamplesStayWithinBounds seed {}", seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int run = 0; run < 200; run++) {
            long min = 1 + rnd.nextInt(1000);
            long max = min + rnd.nextInt(60000);
            long floor = rnd.nextInt(300);
            RetransmissionTimeout r = new RetransmissionTimeout(min, min, max, floor);
            for (int i = 0; i < 50; i++) {
                if (rnd.nextInt(10) == 0) {
                    r.backOff();
                } else {
                    r.observe(rnd.nextInt(5000));
                }
                assertTrue(r.rto() >= min && r.rto() <= max, "seed " + seed + ": rto " + r.rto());
                if (r.hasMeasurement()) {
                    assertTrue(r.rto() >= Math.min(max, r.srtt() + 4 * floor - 1), "seed " + seed);
                }
            }
        }
    }
}
