package org.jdatachannel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CI smoke run of the {@link Soak} harness: 20 connect/echo/close cycles over 127.0.0.1 complete,
 * every closed connection released its threads, and threads, file descriptors and heap after GC
 * stay within the soak's tolerances of the baseline taken after 5 cycles (final sample after a quiet
 * period of at most 3 s). The 10,000-cycle run is a manual benchmark (benchmarks/README.md).
 * Nothing here is about speed.
 */
class SoakSmokeTest {

    @Test
    void twentyCyclesEchoAndReleaseEverything() {
        Soak.Config d = Soak.Config.defaults();
        Soak.Config c = new Soak.Config(20, 5, 5, 1024, d.threadTolerance(), d.poolThreadTolerance(), d.fdTolerance(),
                d.heapToleranceBytes(), d.timeoutSeconds(), 0, 7, 3);
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        Soak.Report r = Soak.run(c, new PrintStream(table, true, StandardCharsets.UTF_8));
        String printed = table.toString(StandardCharsets.UTF_8);
        assertEquals(20, r.cyclesRun(), printed);
        assertEquals(0, r.failures(), r.firstErrors() + "\n" + printed);
        assertEquals(0, r.cyclesWithThreadsLeft(), printed);
        // samples before the first cycle and after cycles 5, 10, 15, 20; baseline at 5
        assertEquals(List.of(0, 5, 10, 15, 20), r.samples().stream().map(Soak.Sample::cycle).toList(), printed);
        assertEquals(5, r.baselineCycle());
        // the verdict's sample, after a quiet period of at most 3 s
        assertEquals(20, r.quiesced().cycle(), printed);
        assertTrue(r.samples().get(0).openFds() > 0, "file descriptors are counted on this platform");
        assertTrue(r.ok(), r.violations() + "\n" + printed);
        assertTrue(r.connectMs().p50() > 0 && r.cycleMs().max() >= r.connectMs().max(), r.toString());
    }

    @Test
    void growthBeyondEachToleranceIsReportedWithTheThreadNamesThatGrew() {
        Soak.Config c = new Soak.Config(10, 1, 1, 16, 4, 32, 8, 16L << 20, 5, 0, 1, 0);
        // 20 threads, 10 of them idle pool workers: 10 busy
        Soak.Sample base = new Soak.Sample(1, 0, 20, 10, 40, 10L << 20, Map.of("main", 1, "loop-#", 2));
        assertEquals(List.of(), Soak.growth(base,
                new Soak.Sample(10, 9, 24, 10, 48, 26L << 20, Map.of("main", 1, "loop-#", 6)), c));
        // idle pool workers may come and go within the pool tolerance
        assertEquals(List.of(), Soak.growth(base,
                new Soak.Sample(10, 9, 52, 42, 40, 10L << 20, Map.of("main", 1, "loop-#", 2, "pool-#", 32)), c));
        List<String> v = Soak.growth(base,
                new Soak.Sample(10, 9, 25, 10, 49, (26L << 20) + 1, Map.of("main", 1, "loop-#", 7)), c);
        assertEquals(3, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("threads other than idle pool workers grew by 5"), v.get(0));
        assertTrue(v.get(0).contains("{loop-#=5}"), v.get(0));
        assertTrue(v.get(1).startsWith("open file descriptors grew by 9"), v.get(1));
        assertTrue(v.get(2).startsWith("heap used after GC grew by 16.0 MiB"), v.get(2));
        List<String> pool = Soak.growth(base,
                new Soak.Sample(10, 9, 53, 43, 40, 10L << 20, Map.of("main", 1, "loop-#", 2, "pool-#", 33)), c);
        assertEquals(1, pool.size(), pool.toString());
        assertTrue(pool.get(0).startsWith("live threads grew by 33"), pool.get(0));
        assertTrue(pool.get(0).contains("{pool-#=33}"), pool.get(0));
        // shrinking is never a violation
        assertFalse(Soak.growth(base, new Soak.Sample(10, 9, 2, 0, 4, 0, Map.of()), c).iterator().hasNext());
    }

    @Test
    void idlePoolWorkersAreRecognisedByTheirStack() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            pool.submit(() -> { }).get();
            Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (Soak.idle(all) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                all = Thread.getAllStackTraces();
            }
            assertTrue(Soak.idle(all) >= 1, "the finished worker waits in getTask");
            assertTrue(Soak.idle(all) < all.size(), "main is not an idle worker");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void percentilesAndConfigurationChecks() {
        double[] v = {5, 1, 4, 2, 3, 99};
        Soak.Percentiles p = Soak.Percentiles.of(v, 5); // only the first five count
        assertEquals(3, p.p50());
        assertEquals(5, p.p99());
        assertEquals(5, p.max());
        assertTrue(Double.isNaN(Soak.Percentiles.of(v, 0).p50()));
        assertThrows(IllegalArgumentException.class, () -> new Soak.Config(0, 1, 0, 16, 0, 0, 0, 0, 1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Soak.Config(1, 1, 0, 65537, 0, 0, 0, 0, 1, 0, 1, 0));
    }
}
