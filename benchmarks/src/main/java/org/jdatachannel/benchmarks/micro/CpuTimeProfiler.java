package org.jdatachannel.benchmarks.micro;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler reporting CPU time per operation, a figure a shared, loaded machine disturbs far
 * less than the wall-clock score (other processes delay the benchmark but do not add to its CPU
 * time). Use it with {@code -prof org.jdatachannel.benchmarks.micro.CpuTimeProfiler}. Per
 * iteration it reports:
 * <ul>
 * <li>{@code cpu.worker}: CPU nanoseconds of JMH's worker threads (the benchmark code itself) per
 *     operation;</li>
 * <li>{@code cpu.process}: CPU nanoseconds of the whole forked JVM per operation (adds garbage
 *     collection, JIT compilation and JMH's own threads; close to {@code cpu.worker} once warm,
 *     higher for allocation-heavy operations).</li>
 * </ul>
 * Both divide by the operations JMH measured in that iteration. Thread CPU time must be supported
 * ({@link ThreadMXBean#isThreadCpuTimeSupported()}); otherwise {@code cpu.worker} is NaN.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private Map<Long, Long> workerCpuBefore = new HashMap<>();
    private long processCpuBefore;

    @Override
    public String getDescription() {
        return "CPU time per operation (benchmark threads and whole JVM)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        workerCpuBefore = workerCpu();
        processCpuBefore = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long process = os.getProcessCpuTime() - processCpuBefore;
        Map<Long, Long> after = workerCpu();
        long worker = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            worker += e.getValue() - workerCpuBefore.getOrDefault(e.getKey(), 0L);
        }
        long ops = result.getMetadata().getMeasuredOps();
        double perOp = ops > 0 ? 1.0 / ops : Double.NaN;
        double workerPerOp = threads.isThreadCpuTimeSupported() ? worker * perOp : Double.NaN;
        return List.of(new ScalarResult("cpu.worker", workerPerOp, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.process", process * perOp, "ns/op", AggregationPolicy.AVG));
    }

    /** CPU time of JMH's worker threads by thread id, ns. */
    private Map<Long, Long> workerCpu() {
        Map<Long, Long> m = new HashMap<>();
        if (!threads.isThreadCpuTimeSupported()) {
            return m;
        }
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().contains("jmh-worker")) {
                long cpu = threads.getThreadCpuTime(t.getThreadId());
                if (cpu >= 0) {
                    m.put(t.getThreadId(), cpu);
                }
            }
        }
        return m;
    }
}
