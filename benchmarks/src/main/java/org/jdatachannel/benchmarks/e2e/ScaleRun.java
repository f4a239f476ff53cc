package org.jdatachannel.benchmarks.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;

/**
 * The scale row: {@code pcs} peer connections in this JVM, as {@code pcs / 2} Java⇄Java pairs over
 * 127.0.0.1 (both ends count), each pair's offerer sending one {@code messageBytes} binary message per
 * {@code intervalMs} (pairs staggered over the interval) that the answerer echoes. After all pairs
 * connected (at most {@code connectConcurrency} set-ups at a time) and a warm-up, it measures a steady
 * window: process CPU per connection, echoes sent/returned and their RTT, then heap after GC, live
 * threads, file descriptors and RSS; it notes what broke (connect failures, OutOfMemoryError, thread
 * creation refused) instead of throwing.
 *
 * <p>The harness runs it in a child JVM ({@code main}, with {@code -Xms512m -Xmx512m} by default) so
 * the heap is the one the issue fixes and a failure cannot take the harness down; the smoke test runs
 * it in-process with a few connections.
 */
public final class ScaleRun {
    private ScaleRun() {
    }

    /**
     * Parameters.
     *
     * @param pcs peer connections, even, 2..100,000
     * @param warmupSeconds echoing before the window, s
     * @param steadySeconds the measured window, s (&gt;= 1)
     * @param messageBytes echoed message size, 8..65536 bytes
     * @param intervalMs each pair sends one message per this many ms
     * @param connectConcurrency set-ups in flight at once
     * @param timeoutMs bound per set-up step, ms
     * @param loopThreads 0: every connection has its own event-loop thread (the default); n &gt; 0: all
     *     connections share an {@code EventLoopGroup} of n threads ({@code RtcConfiguration.eventLoopGroup})
     */
    public record Config(int pcs, int warmupSeconds, int steadySeconds, int messageBytes, int intervalMs,
            int connectConcurrency, long timeoutMs, int loopThreads) {
        /** @throws IllegalArgumentException naming the bad value */
        public Config {
            if (pcs < 2 || pcs % 2 != 0 || pcs > 100_000 || warmupSeconds < 0 || steadySeconds < 1 || messageBytes < 8
                    || messageBytes > 65536 || intervalMs < 1 || connectConcurrency < 1 || timeoutMs < 1
                    || loopThreads < 0 || loopThreads > 256) {
                throw new IllegalArgumentException("bad scale configuration " + this);
            }
        }
    }

    /**
     * Outcome.
     *
     * @param config parameters
     * @param maxHeapBytes the JVM's maximum heap (-Xmx), bytes
     * @param pairsConnected pairs whose channel opened
     * @param setupFailures pairs that did not connect
     * @param firstErrors the first few failures (set-up, echo, closing)
     * @param broke what broke, null if nothing did: the first fatal condition during set-up
     *     (OutOfMemoryError, thread creation refused, set-ups that failed), then connections not
     *     CONNECTED at the end of the window
     * @param connectWallS wall time to connect all pairs, s
     * @param setupMs set-up time per pair (new PeerConnection to channel open) under that load, ms
     * @param echoesSent echoes sent from the start of the warm-up to the end of the window
     * @param echoesReturned of those, returned (within a 5 s grace after the window)
     * @param echoRttMs RTT of the echoes sent inside the window, ms
     * @param cpuMsPerPcPerS process CPU ms per second of window per connection
     * @param processCpuPercentOfOneCore process CPU during the window, % of one core
     * @param heapBeforeBytes heap after GC before the first connection, bytes
     * @param heapAfterGcStartBytes heap after GC at the start of the window, bytes
     * @param heapAfterGcEndBytes heap after GC at the end of the window, bytes
     * @param heapPerPcBytes (end - before) / connections connected, bytes
     * @param threadsBefore live threads before the first connection
     * @param threads live threads at the end of the window
     * @param threadsPerPc (threads - threadsBefore) / connections connected
     * @param threadsByGroup live threads at the end by name group (digits replaced by '#'), the 12 largest
     * @param fdsBefore open file descriptors before the first connection
     * @param fds open file descriptors at the end of the window
     * @param rssBytes resident set size at the end of the window, bytes
     * @param notConnectedAtEnd connections not CONNECTED at the end of the window
     * @param loadAverage 1/5/15-minute load average at the end of the window
     * @param limits process limits (max processes, open files, cgroup pids.max, ...)
     * @param heapHistogramTop the 20 largest classes of the live heap at the end of the window
     *     ({@code GC.class_histogram}: rank, instances, bytes, class), empty if unavailable
     * @param cpuMsPerSByThreadGroup CPU ms per second of window by thread-name group (all connections
     *     together; threads that ended during the window are missing), the 8 largest
     */
    public record Result(Config config, long maxHeapBytes, int pairsConnected, int setupFailures,
            List<String> firstErrors, String broke, double connectWallS, Stats.Dist setupMs, long echoesSent,
            long echoesReturned, Stats.Dist echoRttMs, double cpuMsPerPcPerS, double processCpuPercentOfOneCore,
            long heapBeforeBytes, long heapAfterGcStartBytes, long heapAfterGcEndBytes, long heapPerPcBytes,
            int threadsBefore, int threads, double threadsPerPc, Map<String, Integer> threadsByGroup, long fdsBefore,
            long fds, long rssBytes, int notConnectedAtEnd, double[] loadAverage, Map<String, String> limits,
            List<String> heapHistogramTop, Map<String, Double> cpuMsPerSByThreadGroup) {
    }

    /**
     * Runs the scale row in this JVM and closes every connection afterwards.
     *
     * @param c parameters
     * @param cfg configuration of every connection (ICE restricted to 127.0.0.1 by the caller)
     * @param log progress lines
     * @return the result; never throws for what breaks under load (see {@link Result#broke})
     */
    public static Result run(Config c, RtcConfiguration cfg, PrintStream log) throws InterruptedException {
        AutoCloseable group = null;
        if (c.loopThreads > 0) {
            group = newEventLoopGroup(c.loopThreads);
            cfg = withEventLoopGroup(cfg, group);
        }
        try {
            return run0(c, cfg, log);
        } finally {
            if (group != null) {
                try {
                    group.close();
                } catch (Exception e) {
                    log.println("  closing the event-loop group: " + e);
                }
            }
        }
    }

    /**
     * {@code new org.jdatachannel.EventLoopGroup(threads)}, through reflection so the harness also
     * builds against a stack without it.
     *
     * @throws IllegalStateException if this stack has no EventLoopGroup
     */
    static AutoCloseable newEventLoopGroup(int threads) {
        try {
            return (AutoCloseable) Class.forName("org.jdatachannel.EventLoopGroup").getConstructor(int.class)
                    .newInstance(threads);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this build has no org.jdatachannel.EventLoopGroup(int): " + e);
        }
    }

    static RtcConfiguration withEventLoopGroup(RtcConfiguration cfg, Object group) {
        try {
            RtcConfiguration.Builder b = cfg.toBuilder();
            b.getClass().getMethod("eventLoopGroup", group.getClass()).invoke(b, group);
            return b.build();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this build has no RtcConfiguration.Builder.eventLoopGroup: " + e);
        }
    }

    private static Result run0(Config c, RtcConfiguration cfg, PrintStream log) throws InterruptedException {
        int pairs = c.pcs / 2;
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<String> broke = new AtomicReference<>();
        long heapBefore = Meter.heapAfterGc();
        int threadsBefore = Meter.threads();
        long fdsBefore = Meter.openFds();
        Pair[] ps = new Pair[pairs];
        double[] setup = new double[pairs];
        AtomicLong sent = new AtomicLong();
        AtomicLong returned = new AtomicLong();
        AtomicBoolean recording = new AtomicBoolean();
        double[] rtt = new double[Math.max(16, (int) Math.min(5_000_000L,
                (long) pairs * (c.steadySeconds + 2L) * 1000 / c.intervalMs + 16))];
        AtomicLong nRtt = new AtomicLong();
        log.printf(Locale.ROOT, "scale: %d connections (%d pairs), heap max %d MiB, %d set-ups at a time, %s%n", c.pcs,
                pairs, Runtime.getRuntime().maxMemory() >> 20, c.connectConcurrency,
                c.loopThreads == 0 ? "an event loop per connection" : "event-loop group of " + c.loopThreads + " threads");
        long tc0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(c.connectConcurrency, r -> {
            Thread t = new Thread(r, "e2e-scale-connect");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> fs = new ArrayList<>();
        AtomicLong connected = new AtomicLong();
        for (int i = 0; i < pairs; i++) {
            int k = i;
            fs.add(pool.submit(() -> {
                if (broke.get() != null) {
                    return;
                }
                try {
                    Pair p = Pair.connect(cfg, 1, ch -> ch.onMessage(m -> {
                        try {
                            ch.send(m.data());
                        } catch (RuntimeException e) {
                            note(errors, "echo send: " + e);
                        }
                    }), c.timeoutMs);
                    p.channel().onMessage(m -> {
                        long t = System.nanoTime() - m.data().getLong(0);
                        returned.incrementAndGet();
                        if (recording.get()) {
                            long j = nRtt.getAndIncrement();
                            if (j < rtt.length) {
                                rtt[(int) j] = t / 1e6;
                            }
                        }
                    });
                    ps[k] = p;
                    setup[k] = p.timeline.ms()[Pair.PHASES.size() - 1];
                    long n = connected.incrementAndGet();
                    if (n % 100 == 0) {
                        log.printf(Locale.ROOT, "  %d pairs connected (%.1f s)%n", n, (System.nanoTime() - tc0) / 1e9);
                    }
                } catch (Throwable e) {
                    note(errors, "pair " + k + ": " + e);
                    if (e instanceof OutOfMemoryError || String.valueOf(e.getMessage()).contains("native thread")) {
                        broke.compareAndSet(null, "pair " + k + " set-up: " + e);
                    }
                }
            }));
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                note(errors, "set-up task: " + e.getCause());
            }
        }
        pool.shutdown();
        double connectWall = (System.nanoTime() - tc0) / 1e9;
        int ok = 0;
        double[] setupOk = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (ps[i] != null) {
                setupOk[ok++] = setup[i];
            }
        }
        int failures = pairs - ok;
        if (broke.get() == null && failures > 0) {
            broke.set(failures + " of " + pairs + " pairs did not connect");
        }
        log.printf(Locale.ROOT, "  %d of %d pairs connected in %.1f s, %d threads, heap used %d MiB%n", ok, pairs,
                connectWall, Meter.threads(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20);

        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "e2e-scale-tick");
            t.setDaemon(true);
            return t;
        });
        List<ScheduledFuture<?>> ticks = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Pair p = ps[i];
            if (p == null) {
                continue;
            }
            long offsetUs = (long) i * c.intervalMs * 1000 / pairs;
            ticks.add(ticker.scheduleAtFixedRate(() -> {
                DataChannel ch = p.channel();
                if (ch.readyState() != DataChannelState.OPEN) {
                    return;
                }
                ByteBuffer b = ByteBuffer.allocate(c.messageBytes);
                b.putLong(0, System.nanoTime());
                try {
                    ch.send(b);
                    sent.incrementAndGet();
                } catch (RuntimeException e) {
                    note(errors, "send: " + e);
                }
            }, offsetUs, c.intervalMs * 1000L, TimeUnit.MICROSECONDS));
        }
        long heapStart = -1;
        long heapEnd = -1;
        double cpuPerPc = Double.NaN;
        double cpuPercent = Double.NaN;
        int threads = -1;
        long fds = -1;
        long rss = -1;
        Map<String, Integer> byGroup = Map.of();
        List<String> histogram = List.of();
        Map<String, Double> cpuByGroup = Map.of();
        int notConnected = 0;
        double[] load = Meter.loadAverage();
        try {
            Thread.sleep(c.warmupSeconds * 1000L);
            heapStart = Meter.heapAfterGc();
            log.printf(Locale.ROOT, "  window start: heap after GC %.1f MiB, %d threads, %d echoes sent, %d returned%n",
                    heapStart / 1048576.0, Meter.threads(), sent.get(), returned.get());
            recording.set(true);
            Meter.ThreadSnapshot s0 = Meter.ThreadSnapshot.take();
            long cpu0 = Meter.processCpuNanos();
            long w0 = System.nanoTime();
            Thread.sleep(c.steadySeconds * 1000L);
            long cpu = Meter.processCpuNanos() - cpu0;
            double wall = (System.nanoTime() - w0) / 1e9;
            Map<String, Double> g = new java.util.LinkedHashMap<>();
            s0.cpuMsByGroup(Meter.ThreadSnapshot.take(), 8).forEach((k, v) -> g.put(k, Math.round(v / wall * 100) / 100.0));
            cpuByGroup = g;
            recording.set(false);
            int pcs = 2 * ok;
            cpuPerPc = pcs == 0 ? Double.NaN : cpu / 1e6 / wall / pcs;
            cpuPercent = cpu / 1e7 / wall;
            load = Meter.loadAverage();
            threads = Meter.threads();
            byGroup = top(Meter.threadsByGroup(), 12);
            fds = Meter.openFds();
            rss = Meter.rssBytes();
            for (Pair p : ps) {
                if (p != null) {
                    notConnected += p.a.connectionState() == PeerConnectionState.CONNECTED ? 0 : 1;
                    notConnected += p.b.connectionState() == PeerConnectionState.CONNECTED ? 0 : 1;
                }
            }
            heapEnd = Meter.heapAfterGc();
            histogram = Meter.heapHistogram(20);
        } catch (OutOfMemoryError e) {
            broke.compareAndSet(null, "steady phase: " + e);
        } finally {
            for (ScheduledFuture<?> t : ticks) {
                t.cancel(false);
            }
            ticker.shutdown();
        }
        long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (returned.get() < sent.get() && System.nanoTime() < grace) {
            Thread.sleep(50);
        }
        if (notConnected > 0) {
            String b = broke.get();
            broke.set((b == null ? "" : b + "; ") + notConnected + " connections not CONNECTED at the end of the window");
        }
        int pcsOk = 2 * ok;
        Result r = new Result(c, Runtime.getRuntime().maxMemory(), ok, failures, List.copyOf(errors), broke.get(),
                connectWall, Stats.dist(setupOk, ok), sent.get(), returned.get(),
                Stats.dist(rtt, (int) Math.min(rtt.length, nRtt.get())), cpuPerPc, cpuPercent, heapBefore, heapStart,
                heapEnd, pcsOk == 0 || heapEnd < 0 ? -1 : (heapEnd - heapBefore) / pcsOk, threadsBefore, threads,
                pcsOk == 0 || threads < 0 ? Double.NaN : (threads - threadsBefore) / (double) pcsOk, byGroup, fdsBefore,
                fds, rss, notConnected, load, Meter.limits(), histogram, cpuByGroup);
        log.printf(Locale.ROOT, "  window: %.2f CPU ms/s per connection (%.0f %% of a core), heap after GC %.1f MiB "
                + "(%.1f KiB per connection), %d threads (%.2f per connection), %d FDs, %d/%d echoes returned%s%n",
                cpuPerPc, cpuPercent, heapEnd / 1048576.0, r.heapPerPcBytes() / 1024.0, threads, r.threadsPerPc(), fds,
                r.echoesReturned(), r.echoesSent(), r.broke() == null ? "" : ", BROKE: " + r.broke());
        long tcl = System.nanoTime();
        ExecutorService closer = Executors.newFixedThreadPool(4);
        for (Pair p : ps) {
            if (p != null) {
                closer.execute(p::close);
            }
        }
        closer.shutdown();
        closer.awaitTermination(120, TimeUnit.SECONDS);
        log.printf(Locale.ROOT, "  closed in %.1f s%n", (System.nanoTime() - tcl) / 1e9);
        return r;
    }

    private static void note(List<String> errors, String e) {
        synchronized (errors) {
            if (errors.size() < 10) {
                errors.add(e);
            }
        }
    }

    private static Map<String, Integer> top(Map<String, Integer> m, int n) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        m.entrySet().stream().sorted((x, y) -> Integer.compare(y.getValue(), x.getValue())).limit(n)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * Child-JVM entry point: {@code --pcs N --warmup-s S --steady-s S --message-bytes B --interval-ms MS
     * --connect-concurrency K --timeout-ms MS --loop-threads N --out FILE}. Writes the {@link Result} as JSON to FILE and
     * exits with status 0 (also when something broke: the result says so), 2 on bad arguments.
     */
    public static void main(String[] args) throws Exception {
        int pcs = 100;
        int warm = 10;
        int steady = 60;
        int bytes = 1024;
        int interval = 1000;
        int conc = 4;
        long timeout = 30_000;
        int loops = 0;
        String out = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String v = args[++i];
                switch (args[i - 1]) {
                    case "--pcs" -> pcs = Integer.parseInt(v);
                    case "--warmup-s" -> warm = Integer.parseInt(v);
                    case "--steady-s" -> steady = Integer.parseInt(v);
                    case "--message-bytes" -> bytes = Integer.parseInt(v);
                    case "--interval-ms" -> interval = Integer.parseInt(v);
                    case "--connect-concurrency" -> conc = Integer.parseInt(v);
                    case "--timeout-ms" -> timeout = Long.parseLong(v);
                    case "--loop-threads" -> loops = Integer.parseInt(v);
                    case "--out" -> out = v;
                    default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
                }
            }
            if (out == null) {
                throw new IllegalArgumentException("--out FILE is required");
            }
        } catch (RuntimeException e) {
            System.err.println("ScaleRun: " + e.getMessage());
            System.exit(2);
        }
        Config c = new Config(pcs, warm, steady, bytes, interval, conc, timeout, loops);
        Result r = run(c, E2eHarness.loopbackConfig(), System.out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(out).toFile(), r);
        System.out.flush();
        System.exit(0);
    }
}
