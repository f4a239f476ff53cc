package org.jdatachannel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Smoke test of the goodput harness: one short cell completes and delivers everything in order. */
class SctpGoodputBenchmarkTest {

    @Test
    void oneShortLossyCellDeliversEverySentByteInOrder() {
        long total = 4L * 1024 * 1024;
        SctpGoodputBenchmark.Result r = SctpGoodputBenchmark.run(new SctpGoodputBenchmark.Cell(20, 0.01, 120, total, 7));
        assertTrue(r.complete(), "not complete: " + r);
        assertTrue(r.inOrder(), "out of order: " + r);
        assertEquals(total, r.sentBytes());
        assertEquals(total, r.deliveredBytes());
        assertTrue(r.retransmissions() > 0, "1 % loss caused retransmissions");
    }

    @Test
    void renoBoundFollowsTheMathisFormula() {
        // MSS 1160 bytes (MTU 1191 rounded down to 1188, minus 12 + 16 header bytes), RTT 20 ms, p = 1 %
        assertEquals(1160 / 0.02 * 1.22 / 0.1 / 1e6, SctpGoodputBenchmark.renoBound(20, 0.01, 1191), 1e-9);
        assertEquals(null, SctpGoodputBenchmark.renoBound(20, 0, 1191));
        assertThrows(IllegalArgumentException.class,
                () -> SctpGoodputBenchmark.run(new SctpGoodputBenchmark.Cell(3, 0, 1, 0, 1)));
    }
}
