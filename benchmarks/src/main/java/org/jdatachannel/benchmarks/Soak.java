package org.jdatachannel.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.IceConnectionState;
import org.jdatachannel.PeerConnection;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;

/**
 * Connection soak: {@code --cycles} times (default 10,000), two {@link PeerConnection}s in this JVM
 * connect over 127.0.0.1 (offer/answer, ICE, DTLS with a fresh certificate each, SCTP), the offerer
 * opens a channel, sends one binary message of {@code --message-bytes} random bytes, the answerer
 * echoes it, the offerer checks it byte for byte, and both connections are closed (alternately the
 * offerer and the answerer first). Cycles run one after another.
 *
 * <p>Before the first cycle and every {@code --every} cycles (default 500) it samples, after
 * {@link System#gc()}: live JVM threads, open file descriptors ({@code /proc/self/fd}, else the
 * platform MXBean) and heap used after the collection. Thread counts are taken after a bounded
 * settle (at most 5 s) for threads that are ending; idle pool workers are counted apart. The
 * baseline is the first sample at or after {@code --warmup} cycles (default 500: class loading, JIT
 * and library-wide pools are done by then);
 * the run fails (exit status 1) if the last sample exceeds the baseline by more than the tolerances
 * ({@code --thread-tolerance}, default 4, for threads other than idle thread-pool workers;
 * {@code --pool-thread-tolerance}, default 32, for all threads, since ice4j's JVM-wide cached pools
 * keep idle workers for a while after bursts; {@code --fd-tolerance} descriptors, default 8;
 * {@code --heap-tolerance-mib} MiB, default 16; the last sample is taken after a quiet period of
 * at most {@code --quiesce-s}, default 70 s, in which idle pool workers may end), if more than
 * {@code --max-failures} cycles failed (default 0), or if a closed connection still had threads alive
 * ({@link PeerConnection#liveThreads()}) after close returned.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -o -q -pl benchmarks -am package -DskipTests
 * java -Xmx256m -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" \
 *     org.jdatachannel.benchmarks.Soak [--cycles 10000] [--every 500] [--out benchmarks/target/soak.json]
 * </pre>
 * It prints a table (one row per sample) and writes the samples, per-phase latency percentiles and
 * the verdict as JSON. Network: loopback only (ICE gathers 127.0.0.1 alone).
 */
public final class Soak {
    private static final long MIB = 1024 * 1024;
    /** Cycles failing after which the run stops early (a broken build should not run for hours). */
    private static final int ABORT_AFTER_FAILURES = 20;
    /** A cycle whose connect phase takes this long (ms) is logged and listed (diagnostics, no verdict). */
    static final long SLOW_CONNECT_MS = 2000;

    private Soak() {
    }

    /**
     * Run parameters.
     *
     * @param cycles connect/echo/close cycles, &gt;= 1
     * @param every sample every this many cycles, &gt;= 1
     * @param warmup cycles before the baseline sample (the first sample at or after it), &gt;= 0
     * @param messageBytes size of the echoed message, 1..65536 bytes
     * @param threadTolerance allowed growth of threads other than idle pool workers over the baseline
     * @param poolThreadTolerance allowed growth of all live threads (idle pool workers included)
     * @param fdTolerance allowed growth of open file descriptors over the baseline
     * @param heapToleranceBytes allowed growth of heap used after GC over the baseline, bytes
     * @param timeoutSeconds limit per phase (connect+open, echo) of one cycle, s
     * @param maxFailures cycles allowed to fail (timeout, wrong echo, FAILED) before the verdict fails
     * @param seed seed of the message contents
     * @param quiesceSeconds after the last cycle, wait at most this long (s) for the live thread count
     *     to come back to the baseline before the final sample (idle workers of cached thread pools
     *     end after 60 s without a task); 0 = final sample at once
     */
    public record Config(int cycles, int every, int warmup, int messageBytes, int threadTolerance,
            int poolThreadTolerance, int fdTolerance, long heapToleranceBytes, int timeoutSeconds, int maxFailures,
            long seed, int quiesceSeconds) {
        /** @throws IllegalArgumentException naming the bad value */
        public Config {
            if (cycles < 1 || every < 1 || warmup < 0 || messageBytes < 1 || messageBytes > 65536
                    || threadTolerance < 0 || poolThreadTolerance < 0 || fdTolerance < 0 || heapToleranceBytes < 0
                    || timeoutSeconds < 1 || maxFailures < 0 || quiesceSeconds < 0) {
                throw new IllegalArgumentException("bad soak configuration " + this);
            }
        }

        /** The defaults of the command line: 10,000 cycles, samples every 500, 1 KiB messages. */
        public static Config defaults() {
            return new Config(10_000, 500, 500, 1024, 4, 32, 8, 16 * MIB, 30, 0, 1, 70);
        }
    }

    /**
     * One resource sample.
     *
     * @param cycle cycles completed (successfully or not) when sampled
     * @param elapsedMs wall time since the run started, ms
     * @param liveThreads live JVM threads
     * @param idlePoolThreads of those, thread-pool workers waiting for a task
     *     ({@code ThreadPoolExecutor.getTask}): ice4j's JVM-wide cached pools keep idle workers
     *     for a while after a burst, so their number follows recent load, not leaks
     * @param openFds open file descriptors of the process, -1 if unknown
     * @param heapUsedAfterGcBytes heap in use right after {@link System#gc()}, bytes
     * @param threadsByName live threads grouped by name with digits removed (diagnostics)
     */
    public record Sample(int cycle, long elapsedMs, int liveThreads, int idlePoolThreads, long openFds,
            long heapUsedAfterGcBytes, Map<String, Integer> threadsByName) {
        /** @return live threads that are not idle pool workers */
        public int busyThreads() {
            return liveThreads - idlePoolThreads;
        }
    }

    /**
     * Latency percentiles of one phase over all successful cycles, ms.
     *
     * @param p50 median
     * @param p95 95th percentile
     * @param p99 99th percentile
     * @param max maximum
     */
    public record Percentiles(double p50, double p95, double p99, double max) {
        static Percentiles of(double[] values, int n) {
            if (n == 0) {
                return new Percentiles(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            double[] v = Arrays.copyOf(values, n);
            Arrays.sort(v);
            return new Percentiles(at(v, 0.50), at(v, 0.95), at(v, 0.99), v[n - 1]);
        }

        private static double at(double[] sorted, double q) {
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
        }
    }

    /**
     * Outcome of a run.
     *
     * @param config the parameters
     * @param started start time (ISO-8601 UTC)
     * @param cyclesRun cycles attempted
     * @param failures cycles that failed
     * @param firstErrors the first few failure messages
     * @param cyclesWithThreadsLeft cycles after which a closed connection still listed live threads
     * @param slowCycles the first 20 cycles whose connect phase took 2 s or more, with the time ICE and
     *     the connection became CONNECTED
     * @param samples resource samples, first before any cycle
     * @param baselineCycle cycle of the baseline sample, -1 if none
     * @param quiesced the sample taken after the quiet period (null if none); the verdict compares it,
     *     else the last sample, with the baseline
     * @param quiesceMs how long the quiet period lasted, ms
     * @param connectMs offer to channel open, ms
     * @param echoMs send to echo received, ms
     * @param closeMs both close() calls, ms
     * @param cycleMs whole cycle, ms
     * @param violations what exceeded a tolerance (empty when ok)
     * @param ok no violation
     */
    public record Report(Config config, String started, int cyclesRun, int failures, List<String> firstErrors,
            int cyclesWithThreadsLeft, List<String> slowCycles, List<Sample> samples, int baselineCycle,
            Sample quiesced, long quiesceMs, Percentiles connectMs,
            Percentiles echoMs, Percentiles closeMs, Percentiles cycleMs, List<String> violations, boolean ok) {
    }

    /**
     * Runs the soak on the calling thread.
     *
     * @param c the parameters
     * @param out where the table goes (one row per sample)
     * @return the report (never throws for a failing cycle; those are counted)
     */
    public static Report run(Config c, PrintStream out) {
        String started = Instant.now().toString();
        long t0 = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(c.seed);
        RtcConfiguration cfg = RtcConfiguration.builder()
                .iceAddressFilter(a -> a.getHostAddress().equals("127.0.0.1"))
                .build();
        double[] connect = new double[c.cycles];
        double[] echo = new double[c.cycles];
        double[] close = new double[c.cycles];
        double[] whole = new double[c.cycles];
        int ok = 0;
        int failures = 0;
        int threadsLeft = 0;
        List<String> errors = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        Sample baseline = null;
        out.printf(Locale.ROOT, "soak: %d cycles, sample every %d, baseline at >= %d, %d-byte echo, seed %d%n", c.cycles,
                c.every, c.warmup, c.messageBytes, c.seed);
        String head = String.format(Locale.ROOT, "%7s %8s %8s %8s %6s %6s %9s %11s %11s %11s %6s%n", "cycle", "wall s",
                "cycles/s", "threads", "idle", "fds", "heap MiB", "connect p50", "echo p50", "close p50", "fails");
        out.print(head);
        samples.add(sample(0, t0, null));
        print(out, samples.get(0), t0, 0, connect, echo, close, 0, 0, failures);
        int run = 0;
        int lastSampleOk = 0;
        for (int n = 1; n <= c.cycles; n++) {
            run = n;
            long[] phases = new long[6];
            try {
                boolean clean = cycle(n, c, cfg, rnd, phases);
                connect[ok] = phases[0] / 1e6;
                echo[ok] = phases[1] / 1e6;
                close[ok] = phases[2] / 1e6;
                whole[ok] = phases[3] / 1e6;
                ok++;
                if (phases[0] / 1_000_000 >= SLOW_CONNECT_MS) {
                    String msg = String.format(Locale.ROOT, "cycle %d: connect %d ms (offerer ICE connected at %d ms, "
                            + "connection (DTLS) connected at %d ms, channel open at %d ms)", n, phases[0] / 1_000_000,
                            phases[4] / 1_000_000, phases[5] / 1_000_000, phases[0] / 1_000_000);
                    if (slow.size() < 20) {
                        slow.add(msg);
                    }
                    out.println("SLOW " + msg);
                }
                if (!clean) {
                    threadsLeft++;
                }
            } catch (Exception e) {
                failures++;
                String msg = "cycle " + n + ": " + e;
                if (errors.size() < 10) {
                    errors.add(msg);
                }
                out.println("FAIL " + msg);
            }
            if (n % c.every == 0 || n == c.cycles || failures > ABORT_AFTER_FAILURES) {
                Sample s = sample(n, t0, baseline);
                samples.add(s);
                if (baseline == null && n >= c.warmup) {
                    baseline = s;
                }
                print(out, s, t0, n, connect, echo, close, lastSampleOk, ok, failures);
                lastSampleOk = ok;
            }
            if (failures > ABORT_AFTER_FAILURES) {
                out.println("stopping: more than " + ABORT_AFTER_FAILURES + " cycles failed");
                break;
            }
        }
        Sample quiesced = null;
        long quiesceMs = 0;
        if (baseline != null && c.quiesceSeconds > 0) {
            long q0 = System.nanoTime();
            long deadline = q0 + TimeUnit.SECONDS.toNanos(c.quiesceSeconds);
            while (ManagementFactory.getThreadMXBean().getThreadCount() > baseline.liveThreads
                    && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            quiesceMs = (System.nanoTime() - q0) / 1_000_000;
            quiesced = sample(run, t0, baseline);
            out.printf(Locale.ROOT, "after a quiet period of %.1f s (threads back to the baseline's %d, or %d s):%n",
                    quiesceMs / 1000.0, baseline.liveThreads, c.quiesceSeconds);
            print(out, quiesced, t0, run, connect, echo, close, ok, ok, failures);
        }
        List<String> violations = new ArrayList<>();
        if (baseline != null) {
            violations.addAll(growth(baseline, quiesced != null ? quiesced : samples.get(samples.size() - 1), c));
        } else {
            violations.add("no baseline: the run ended before " + c.warmup + " cycles");
        }
        if (failures > c.maxFailures) {
            violations.add(failures + " cycles failed (allowed " + c.maxFailures + "), first: " + errors);
        }
        if (threadsLeft > 0) {
            violations.add(threadsLeft + " cycles left threads of a closed connection alive after close()");
        }
        return new Report(c, started, run, failures, errors, threadsLeft, slow, samples,
                baseline == null ? -1 : baseline.cycle, quiesced, quiesceMs, Percentiles.of(connect, ok),
                Percentiles.of(echo, ok), Percentiles.of(close, ok), Percentiles.of(whole, ok), violations,
                violations.isEmpty());
    }

    /**
     * What grew beyond the tolerances between two samples.
     *
     * @return one readable line per resource that grew too much; empty if none
     */
    static List<String> growth(Sample baseline, Sample last, Config c) {
        List<String> v = new ArrayList<>();
        int db = last.busyThreads() - baseline.busyThreads();
        if (db > c.threadTolerance) {
            v.add(String.format(Locale.ROOT, "threads other than idle pool workers grew by %d (%d at cycle %d -> %d at "
                    + "cycle %d, tolerance %d), by name: %s", db, baseline.busyThreads(), baseline.cycle,
                    last.busyThreads(), last.cycle, c.threadTolerance,
                    diff(baseline.threadsByName, last.threadsByName)));
        }
        int dt = last.liveThreads - baseline.liveThreads;
        if (dt > c.poolThreadTolerance) {
            v.add(String.format(Locale.ROOT, "live threads grew by %d (%d at cycle %d -> %d at cycle %d, tolerance %d), "
                    + "by name: %s", dt, baseline.liveThreads, baseline.cycle, last.liveThreads, last.cycle,
                    c.poolThreadTolerance, diff(baseline.threadsByName, last.threadsByName)));
        }
        if (baseline.openFds >= 0 && last.openFds >= 0 && last.openFds - baseline.openFds > c.fdTolerance) {
            v.add(String.format(Locale.ROOT, "open file descriptors grew by %d (%d at cycle %d -> %d at cycle %d, "
                    + "tolerance %d)", last.openFds - baseline.openFds, baseline.openFds, baseline.cycle,
                    last.openFds, last.cycle, c.fdTolerance));
        }
        long dh = last.heapUsedAfterGcBytes - baseline.heapUsedAfterGcBytes;
        if (dh > c.heapToleranceBytes) {
            v.add(String.format(Locale.ROOT, "heap used after GC grew by %.1f MiB (%.1f at cycle %d -> %.1f at cycle "
                    + "%d, tolerance %.1f)", dh / (double) MIB, baseline.heapUsedAfterGcBytes / (double) MIB,
                    baseline.cycle, last.heapUsedAfterGcBytes / (double) MIB, last.cycle,
                    c.heapToleranceBytes / (double) MIB));
        }
        return v;
    }

    private static Map<String, Integer> diff(Map<String, Integer> before, Map<String, Integer> after) {
        Map<String, Integer> d = new TreeMap<>();
        for (Map.Entry<String, Integer> e : after.entrySet()) {
            int delta = e.getValue() - before.getOrDefault(e.getKey(), 0);
            if (delta != 0) {
                d.put(e.getKey(), delta);
            }
        }
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                d.put(e.getKey(), -e.getValue());
            }
        }
        return d;
    }

    /**
     * One cycle. {@code phases} receives the connect, echo, close and whole-cycle durations, then the
     * times from the start of the cycle until the offerer's ICE and connection state became
     * CONNECTED (-1 if never), in ns.
     *
     * @return true if both connections had no live thread left after close()
     * @throws Exception if the cycle failed (timeout, FAILED connection, wrong echo)
     */
    static boolean cycle(int n, Config c, RtcConfiguration cfg, SplittableRandom rnd, long[] phases)
            throws Exception {
        long t0 = System.nanoTime();
        PeerConnection a = new PeerConnection(cfg);
        PeerConnection b = new PeerConnection(cfg);
        long t1 = t0;
        long t2 = t0;
        boolean clean;
        AtomicLong iceUp = new AtomicLong(-1);
        AtomicLong pcUp = new AtomicLong(-1);
        a.onIceConnectionStateChange(s -> {
            if (s == IceConnectionState.CONNECTED) {
                iceUp.compareAndSet(-1, System.nanoTime() - t0);
            }
        });
        try {
            CompletableFuture<Void> open = new CompletableFuture<>();
            CompletableFuture<DataChannelMessage> echoed = new CompletableFuture<>();
            for (PeerConnection pc : List.of(a, b)) {
                String who = pc == a ? "offerer" : "answerer";
                pc.onConnectionStateChange(s -> {
                    if (s == PeerConnectionState.CONNECTED && pc == a) {
                        pcUp.compareAndSet(-1, System.nanoTime() - t0);
                    }
                    if (s == PeerConnectionState.FAILED) {
                        IllegalStateException e = new IllegalStateException(who + " connection FAILED");
                        open.completeExceptionally(e);
                        echoed.completeExceptionally(e);
                    }
                });
            }
            b.onDataChannel(ch -> ch.onMessage(m -> {
                if (m.binary()) {
                    ch.send(m.data());
                } else {
                    ch.send(m.text());
                }
            }));
            DataChannel ch = a.createDataChannel("soak-" + n);
            ch.onOpen(() -> open.complete(null));
            ch.onMessage(echoed::complete);
            SessionDescriptionInit offer = get(a.createOffer(), c, "createOffer");
            get(a.setLocalDescription(offer), c, "offerer setLocalDescription");
            get(b.setRemoteDescription(a.localDescription()), c, "answerer setRemoteDescription");
            SessionDescriptionInit answer = get(b.createAnswer(), c, "createAnswer");
            get(b.setLocalDescription(answer), c, "answerer setLocalDescription");
            get(a.setRemoteDescription(b.localDescription()), c, "offerer setRemoteDescription");
            try {
                get(open, c, "channel open");
            } catch (TimeoutException e) {
                throw new TimeoutException(e.getMessage() + "; offerer ICE " + a.iceConnectionState() + " connection "
                        + a.connectionState() + ", answerer ICE " + b.iceConnectionState() + " connection "
                        + b.connectionState());
            }
            t1 = System.nanoTime();
            byte[] payload = new byte[c.messageBytes];
            rnd.nextBytes(payload);
            ch.send(payload);
            DataChannelMessage m = get(echoed, c, "echo");
            if (!m.binary() || !Arrays.equals(payload, m.bytes())) {
                throw new IllegalStateException("echo differs: sent " + payload.length + " bytes, got " + m);
            }
            t2 = System.nanoTime();
        } finally {
            if (n % 2 == 0) {
                a.close();
                b.close();
            } else {
                b.close();
                a.close();
            }
            clean = a.liveThreads().isEmpty() && b.liveThreads().isEmpty();
        }
        long t3 = System.nanoTime();
        phases[0] = t1 - t0;
        phases[1] = t2 - t1;
        phases[2] = t3 - t2;
        phases[3] = t3 - t0;
        phases[4] = iceUp.get();
        phases[5] = pcUp.get();
        return clean;
    }

    private static <T> T get(CompletableFuture<T> f, Config c, String what) throws Exception {
        try {
            return f.get(c.timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException(what + " not done within " + c.timeoutSeconds + " s");
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * Samples resources after a full collection. When a baseline exists, waits (at most 5 s) for the
     * thread count to come down to it, so threads that are ending are not counted as growth.
     */
    static Sample sample(int cycle, long t0, Sample baseline) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
        while (baseline != null && all.size() - idle(all) > baseline.busyThreads() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            all = Thread.getAllStackTraces();
        }
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Map<String, Integer> byName = new TreeMap<>();
        for (Thread t : all.keySet()) {
            byName.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
        return new Sample(cycle, (System.nanoTime() - t0) / 1_000_000, all.size(), idle(all), openFds(), heap,
                byName);
    }

    /** @return threads parked in {@code ThreadPoolExecutor.getTask}, i.e. pool workers without a task */
    static int idle(Map<Thread, StackTraceElement[]> threads) {
        int n = 0;
        for (StackTraceElement[] stack : threads.values()) {
            for (StackTraceElement f : stack) {
                if (f.getMethodName().equals("getTask")
                        && f.getClassName().equals("java.util.concurrent.ThreadPoolExecutor")) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /** @return open file descriptors of this process, -1 if neither /proc nor the MXBean tells */
    static long openFds() {
        Path fd = Path.of("/proc/self/fd");
        if (Files.isDirectory(fd)) {
            try (Stream<Path> s = Files.list(fd)) {
                return s.count() - 1; // the listing's own descriptor
            } catch (IOException e) {
                // fall through to the MXBean
            }
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getOpenFileDescriptorCount();
        }
        return -1;
    }

    private static void print(PrintStream out, Sample s, long t0, int cycle, double[] connect, double[] echo,
            double[] close, int from, int to, int failures) {
        double secs = s.elapsedMs / 1000.0;
        out.printf(Locale.ROOT, "%7d %8.1f %8.2f %8d %6d %6d %9.1f %11s %11s %11s %6d%n", cycle, secs,
                secs > 0 ? cycle / secs : 0.0, s.liveThreads, s.idlePoolThreads, s.openFds,
                s.heapUsedAfterGcBytes / (double) MIB,
                median(connect, from, to), median(echo, from, to), median(close, from, to), failures);
        out.flush();
    }

    private static String median(double[] v, int from, int to) {
        if (to <= from) {
            return "-";
        }
        double[] w = Arrays.copyOfRange(v, from, to);
        Arrays.sort(w);
        return String.format(Locale.ROOT, "%.1f", w[(w.length - 1) / 2]);
    }

    /**
     * @param args {@code --cycles N --every N --warmup N --message-bytes N --thread-tolerance N
     *     --pool-thread-tolerance N --fd-tolerance N --heap-tolerance-mib N --timeout-s N --max-failures N
     *     --seed N --quiesce-s N --out FILE}
     * @throws IOException if the JSON cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Config d = Config.defaults();
        Map<String, String> opt = new LinkedHashMap<>();
        opt.put("--cycles", String.valueOf(d.cycles));
        opt.put("--every", String.valueOf(d.every));
        opt.put("--warmup", null);
        opt.put("--message-bytes", String.valueOf(d.messageBytes));
        opt.put("--thread-tolerance", String.valueOf(d.threadTolerance));
        opt.put("--pool-thread-tolerance", String.valueOf(d.poolThreadTolerance));
        opt.put("--fd-tolerance", String.valueOf(d.fdTolerance));
        opt.put("--heap-tolerance-mib", String.valueOf(d.heapToleranceBytes / MIB));
        opt.put("--timeout-s", String.valueOf(d.timeoutSeconds));
        opt.put("--max-failures", String.valueOf(d.maxFailures));
        opt.put("--seed", String.valueOf(d.seed));
        opt.put("--quiesce-s", String.valueOf(d.quiesceSeconds));
        opt.put("--out", Files.isDirectory(Path.of("benchmarks/target")) ? "benchmarks/target/soak.json"
                : "target/soak.json");
        if (args.length % 2 != 0) {
            System.err.println("options come in pairs; known: " + opt.keySet());
            System.exit(2);
        }
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) {
                System.err.println("unknown option " + args[i] + "; known: " + opt.keySet());
                System.exit(2);
            }
            opt.put(args[i], args[i + 1]);
        }
        int cycles = Integer.parseInt(opt.get("--cycles"));
        int every = Integer.parseInt(opt.get("--every"));
        int warmup = opt.get("--warmup") == null ? Math.min(every, cycles) : Integer.parseInt(opt.get("--warmup"));
        Config c = new Config(cycles, every, warmup, Integer.parseInt(opt.get("--message-bytes")),
                Integer.parseInt(opt.get("--thread-tolerance")), Integer.parseInt(opt.get("--pool-thread-tolerance")),
                Integer.parseInt(opt.get("--fd-tolerance")),
                Long.parseLong(opt.get("--heap-tolerance-mib")) * MIB, Integer.parseInt(opt.get("--timeout-s")),
                Integer.parseInt(opt.get("--max-failures")), Long.parseLong(opt.get("--seed")),
                Integer.parseInt(opt.get("--quiesce-s")));
        Report r = run(c, System.out);
        System.out.printf(Locale.ROOT, "cycles %d, failed %d, connect ms p50/p95/p99/max %s, echo %s, close %s, "
                + "cycle %s%n", r.cyclesRun, r.failures, fmt(r.connectMs), fmt(r.echoMs), fmt(r.closeMs),
                fmt(r.cycleMs));
        Path out = Path.of(opt.get("--out"));
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "Soak");
        doc.put("jvm", System.getProperty("java.vm.name") + " " + Runtime.version() + ", max heap "
                + Runtime.getRuntime().maxMemory() / MIB + " MiB, " + Runtime.getRuntime().availableProcessors()
                + " CPUs");
        doc.put("report", r);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.toFile(), doc);
        System.out.println("wrote " + out);
        if (r.ok) {
            System.out.println("OK: no growth beyond the tolerances");
            System.exit(0);
        }
        for (String v : r.violations) {
            System.out.println("VIOLATION: " + v);
        }
        System.exit(1);
    }

    private static String fmt(Percentiles p) {
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f/%.1f", p.p50, p.p95, p.p99, p.max);
    }
}
