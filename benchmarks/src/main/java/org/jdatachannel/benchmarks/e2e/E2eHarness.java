package org.jdatachannel.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.PeerConnection;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.dtls.DtlsCertificate;
import org.jdatachannel.internal.PathMtu;

/**
 * The end-to-end harness (issue 6): in one run on one machine, raw UDP over loopback as the physical
 * reference, then Java⇄Java data channels over 127.0.0.1 (two {@link PeerConnection}s in this JVM):
 * throughput (64 KiB and 1 KiB messages on one ordered reliable channel, 64 KiB on 4 channels at once),
 * 1 KiB echo latency, set-up time (new PeerConnection to channel open) with a per-phase timeline, and
 * scale (100 and 1,000 connections echoing one message per second, each size in a child JVM with a
 * 512 MiB heap). Prints a table and writes JSON.
 *
 * <p>Figures: MB = 10^6 bytes; CPU is process CPU time (all threads of both peers and the harness;
 * user + system), robust on a shared machine where wall-clock MB/s is not; allocation is counted per
 * thread by the JVM ({@code ThreadMXBean.getThreadAllocatedBytes}). Throughput rows are the median of
 * {@code --rounds} timed rounds (each on a fresh pair) after 5 to 8 untimed warm-up rounds (the same rule
 * for every row, see {@link #warmedUp}), with the spread. Every
 * row records the load average when it started; rows started above {@code --max-load} are flagged.
 *
 * <p>Run (from the repository root; nothing installed):
 * <pre>
 * mvn -B -o -q -pl benchmarks -am package -DskipTests
 * java -Xms1g -Xmx1g -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" \
 *     org.jdatachannel.benchmarks.e2e.E2eHarness [--quick] [--only udp,throughput,echo,setup,scale] [--out FILE]
 * </pre>
 * Options: see {@link Options#parse}. Network: sends only to 127.0.0.1 (ICE gathers 127.0.0.1 alone).
 */
public final class E2eHarness {
    /** Rows, in the order they run. */
    public static final List<String> ROWS = List.of("udp", "throughput", "echo", "setup", "scale");
    private static final long MIB = 1024 * 1024;

    private E2eHarness() {
    }

    /** Fewest untimed warm-up rounds before a throughput row's timed rounds. */
    static final int MIN_WARMUP_ROUNDS = 5;
    /** Most untimed warm-up rounds of a throughput row, stable or not. */
    static final int MAX_WARMUP_ROUNDS = 8;

    /**
     * The warm-up rule of every throughput row: warm-up ends after round {@code warm} when at least
     * {@value #MIN_WARMUP_ROUNDS} rounds ran and this round's CPU ms/MB is within 10 % of the previous
     * round's (two consecutive rounds agree: the JIT has little left to compile for this kind), or
     * after {@value #MAX_WARMUP_ROUNDS} rounds in any case.
     *
     * @param warm the number of warm-up rounds run so far, including this one, &gt;= 1
     * @param previousCpuMsPerMb the previous warm-up round's CPU ms/MB, NaN for the first round
     * @param cpuMsPerMb this round's CPU ms/MB
     * @return true if the timed rounds may start
     */
    static boolean warmedUp(int warm, double previousCpuMsPerMb, double cpuMsPerMb) {
        if (warm >= MAX_WARMUP_ROUNDS) {
            return true;
        }
        return warm >= MIN_WARMUP_ROUNDS && Math.abs(cpuMsPerMb - previousCpuMsPerMb) <= 0.10 * previousCpuMsPerMb;
    }

    /** @return a configuration whose ICE gathers 127.0.0.1 only (the network rule of this harness) */
    public static RtcConfiguration loopbackConfig() {
        return RtcConfiguration.builder().iceAddressFilter(a -> a.getHostAddress().equals("127.0.0.1"))
                .busyPollMicros(BUSY_POLL_MICROS).build();
    }

    /**
     * {@link RtcConfiguration.Builder#busyPollMicros(int)} of every row's connections: the system
     * property {@code e2e.busyPollMicros} ({@code java -De2e.busyPollMicros=50 ...}), else the library's
     * default.
     */
    static final int BUSY_POLL_MICROS = Integer.getInteger("e2e.busyPollMicros", RtcConfiguration.DEFAULT_BUSY_POLL_MICROS);

    /**
     * busyPollMicros of the echo row's two extra measurements, µs, when {@link #BUSY_POLL_MICROS} is 0:
     * about one hop on loopback (issue 6, session 4: 20 µs windows were shorter than a hop and only
     * cost CPU; 5 µs did nothing).
     */
    static final int ECHO_BUSY_POLL_MICROS = 50;

    /**
     * Default most warm-up set-ups per set-up row ({@code --setup-warmup}). Issue 6, session 5: after 100
     * warm-ups the JIT still spent 16-24 of a set-up's 26-38 process CPU ms compiling set-up code, and
     * whichever row ran first was 3-5 ms slower; the JIT time per set-up fell below 5 ms after ~1,600
     * set-ups (30-40 s on the 2-core machine).
     */
    static final int DEFAULT_SETUP_WARMUP = 2500;

    /**
     * Run parameters.
     *
     * @param only rows to run, a subset of {@link #ROWS}
     * @param out JSON output file, null for none
     * @param rounds timed rounds per throughput row (median reported), &gt;= 1
     * @param transferBytes bytes per throughput round
     * @param udpBytes bytes per raw UDP throughput round
     * @param socketBuffer SO_SNDBUF/SO_RCVBUF of the raw UDP sockets, bytes
     * @param echoWarmup echoes (and UDP ping-pongs) before recording, per echo row
     * @param echoSamples echoes (and UDP ping-pongs) recorded
     * @param setupWarmup most pairs connected before each set-up row records (the warm-up ends earlier once
     *     the set-up code is compiled: {@link DcRows#setup}'s rule)
     * @param setupCount pairs recorded per set-up row
     * @param scalePcs connection counts of the scale rows (even numbers)
     * @param scaleWarmupSeconds echoing before each scale window, s
     * @param scaleSteadySeconds scale window, s
     * @param scaleHeap -Xms/-Xmx of the scale child JVM (e.g. "512m")
     * @param scaleJvmArgs further arguments of the scale child JVM
     * @param scaleInProcess run the scale rows in this JVM (tests) instead of a child JVM
     * @param maxLoad rows starting at a 1-minute load average above this are flagged
     * @param timeoutMs bound for one set-up or one transfer, ms
     * @param throughputKinds throughput rows as "MESSAGEBYTESxCHANNELS" or "MESSAGEBYTESxCHANNELS@PACKET" (the
     *     row's {@link RtcConfiguration.Builder#sctpMaxPacketSize(int)}, e.g. 1191: fixed 1191-byte packets;
     *     default 65536x1, 65536x1@1191, 65536x1@16384, 1024x1, 65536x4)
     * @param scaleLoopThreads 0: an event loop per connection in the scale rows (default); n: an
     *     EventLoopGroup of n threads shared by all their connections
     * @param sctpMaxPacket {@link RtcConfiguration.Builder#sctpMaxPacketSize(int)} of both peers of every row
     *     run in this JVM (0: automatic, the library's default; 1191: no path MTU discovery); a throughput
     *     kind's {@code @PACKET} overrides it for that row. The scale rows' child JVM keeps the library
     *     default ({@code --scale-in-process} rows use it)
     */
    public record Options(Set<String> only, Path out, int rounds, long transferBytes, long udpBytes, int socketBuffer,
            int echoWarmup, int echoSamples, int setupWarmup, int setupCount, List<Integer> scalePcs,
            int scaleWarmupSeconds, int scaleSteadySeconds, String scaleHeap, List<String> scaleJvmArgs,
            boolean scaleInProcess, double maxLoad, long timeoutMs, List<String> throughputKinds,
            int scaleLoopThreads, int sctpMaxPacket) {

        /** @return the full run's defaults */
        public static Options defaults() {
            return new Options(new LinkedHashSet<>(ROWS), Path.of("benchmarks/target/e2e.json"), 3, 64 * MIB,
                    64 * MIB, 4 << 20, 20_000, 5000, DEFAULT_SETUP_WARMUP, 100, List.of(100, 1000), 10, 60, "512m", List.of(), false, 4.0,
                    120_000, List.of("65536x1", "65536x1@1191", "65536x1@16384", "1024x1", "65536x4"), 0, 0);
        }

        /**
         * Parses the command line: {@code --quick} (8 MiB rounds, 200/1000 echoes, 20 set-ups,
         * scale 100 only with a 2 s warm-up and 10 s window), {@code --only ROW,...}, {@code --out FILE},
         * {@code --rounds N}, {@code --mib N} (per throughput round), {@code --udp-mib N},
         * {@code --socket-buffer BYTES}, {@code --echo-samples N} (also sets the warm-up to N/5),
         * {@code --echo-warmup N} (echoes and ping-pongs before recording; default 20,000: the C2 JIT
         * compiles a once-per-message path only after ~10,000 calls), {@code --setup-count N} (pairs recorded per
         * set-up row), {@code --setup-warmup N} (most pairs connected before each set-up row records, in
         * blocks of {@value DcRows#WARMUP_BLOCK} until a block's JIT time per set-up is below
         * {@value DcRows#WARM_JIT_MS_PER_SETUP} ms; default {@value #DEFAULT_SETUP_WARMUP}: the JIT compiles
         * the set-up code for 1,500 set-ups and more),
         * {@code --scale N,...}, {@code --scale-warmup-s S}, {@code --scale-steady-s S},
         * {@code --scale-heap SIZE}, {@code --scale-jvm-arg ARG} (repeatable),
         * {@code --scale-in-process}, {@code --max-load L}, {@code --timeout-s S},
         * {@code --tput 65536x1,65536x1@1191,65536x1@16384,1024x1,65536x4} (throughput rows: message bytes x channels, and
         * with {@code @N} that row's largest SCTP packet, see {@code --sctp-max-packet}),
         * {@code --sctp-max-packet N} (both peers' {@link RtcConfiguration.Builder#sctpMaxPacketSize(int)}: 0
         * automatic path MTU discovery, the default; 1191 fixed 1191-byte packets; else a cap),
         * {@code --scale-loop-threads N} (scale rows on a shared EventLoopGroup of N threads; 0 = one loop per connection). Options apply in
         * order, so {@code --quick --rounds 5} keeps 5 rounds.
         *
         * @throws IllegalArgumentException naming the bad option or value
         */
        public static Options parse(String... args) {
            Options o = defaults();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--quick")) {
                    o = new Options(o.only, o.out, o.rounds, 8 * MIB, 16 * MIB, o.socketBuffer, 200, 1000, 2, 20,
                            List.of(100), 2, 10, o.scaleHeap, o.scaleJvmArgs, o.scaleInProcess, o.maxLoad, o.timeoutMs, o.throughputKinds, o.scaleLoopThreads, o.sctpMaxPacket);
                    continue;
                }
                if (a.equals("--scale-in-process")) {
                    o = new Options(o.only, o.out, o.rounds, o.transferBytes, o.udpBytes, o.socketBuffer, o.echoWarmup,
                            o.echoSamples, o.setupWarmup, o.setupCount, o.scalePcs, o.scaleWarmupSeconds,
                            o.scaleSteadySeconds, o.scaleHeap, o.scaleJvmArgs, true, o.maxLoad, o.timeoutMs, o.throughputKinds, o.scaleLoopThreads, o.sctpMaxPacket);
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                try {
                    o = switch (a) {
                        case "--only" -> {
                            Set<String> s = new LinkedHashSet<>();
                            for (String r : v.split(",")) {
                                if (!ROWS.contains(r.trim())) {
                                    throw new IllegalArgumentException("unknown row '" + r + "' in --only (rows: "
                                            + String.join(",", ROWS) + ")");
                                }
                                s.add(r.trim());
                            }
                            yield o.with(s, null);
                        }
                        case "--out" -> new Options(o.only, Path.of(v), o.rounds, o.transferBytes, o.udpBytes,
                                o.socketBuffer, o.echoWarmup, o.echoSamples, o.setupWarmup, o.setupCount, o.scalePcs,
                                o.scaleWarmupSeconds, o.scaleSteadySeconds, o.scaleHeap, o.scaleJvmArgs,
                                o.scaleInProcess, o.maxLoad, o.timeoutMs, o.throughputKinds, o.scaleLoopThreads, o.sctpMaxPacket);
                        case "--rounds" -> o.withInts(a, Integer.parseInt(v), 1);
                        case "--mib" -> o.withInts(a, Integer.parseInt(v), 2);
                        case "--udp-mib" -> o.withInts(a, Integer.parseInt(v), 3);
                        case "--socket-buffer" -> o.withInts(a, Integer.parseInt(v), 4);
                        case "--echo-samples" -> o.withInts(a, Integer.parseInt(v), 5);
                        case "--echo-warmup" -> o.withInts(a, Integer.parseInt(v), 11);
                        case "--setup-count" -> o.withInts(a, Integer.parseInt(v), 6);
                        case "--setup-warmup" -> o.withInts(a, Integer.parseInt(v), 12);
                        case "--scale-warmup-s" -> o.withInts(a, Integer.parseInt(v), 7);
                        case "--scale-steady-s" -> o.withInts(a, Integer.parseInt(v), 8);
                        case "--timeout-s" -> o.withInts(a, Integer.parseInt(v), 9);
                        case "--scale-loop-threads" -> o.withInts(a, Integer.parseInt(v), 10);
                        case "--sctp-max-packet" -> o.withInts(a, packetSize(a, Integer.parseInt(v)), 13);
                        case "--tput" -> {
                            List<String> l = new ArrayList<>();
                            for (String t : v.split(",")) {
                                int[] k = kind(t.trim());
                                l.add(k[0] + "x" + k[1] + (k[2] >= 0 ? "@" + k[2] : ""));
                            }
                            yield new Options(o.only, o.out, o.rounds, o.transferBytes, o.udpBytes, o.socketBuffer,
                                    o.echoWarmup, o.echoSamples, o.setupWarmup, o.setupCount, o.scalePcs,
                                    o.scaleWarmupSeconds, o.scaleSteadySeconds, o.scaleHeap, o.scaleJvmArgs,
                                    o.scaleInProcess, o.maxLoad, o.timeoutMs, List.copyOf(l), o.scaleLoopThreads, o.sctpMaxPacket);
                        }
                        case "--scale" -> {
                            List<Integer> l = new ArrayList<>();
                            for (String n : v.split(",")) {
                                int k = Integer.parseInt(n.trim());
                                if (k < 2 || k % 2 != 0) {
                                    throw new IllegalArgumentException("--scale wants even counts >= 2, got " + k);
                                }
                                l.add(k);
                            }
                            yield new Options(o.only, o.out, o.rounds, o.transferBytes, o.udpBytes, o.socketBuffer,
                                    o.echoWarmup, o.echoSamples, o.setupWarmup, o.setupCount, List.copyOf(l),
                                    o.scaleWarmupSeconds, o.scaleSteadySeconds, o.scaleHeap, o.scaleJvmArgs,
                                    o.scaleInProcess, o.maxLoad, o.timeoutMs, o.throughputKinds, o.scaleLoopThreads, o.sctpMaxPacket);
                        }
                        case "--scale-heap" -> {
                            if (!v.matches("[0-9]+[kmgKMG]?")) {
                                throw new IllegalArgumentException("--scale-heap wants a size like 512m, got " + v);
                            }
                            yield new Options(o.only, o.out, o.rounds, o.transferBytes, o.udpBytes, o.socketBuffer,
                                    o.echoWarmup, o.echoSamples, o.setupWarmup, o.setupCount, o.scalePcs,
                                    o.scaleWarmupSeconds, o.scaleSteadySeconds, v, o.scaleJvmArgs, o.scaleInProcess,
                                    o.maxLoad, o.timeoutMs, o.throughputKinds, o.scaleLoopThreads, o.sctpMaxPacket);
                        }
                        case "--scale-jvm-arg" -> {
                            List<String> l = new ArrayList<>(o.scaleJvmArgs);
                            l.add(v);
                            yield new Options(o.only, o.out, o.rounds, o.transferBytes, o.udpBytes, o.socketBuffer,
                                    o.echoWarmup, o.echoSamples, o.setupWarmup, o.setupCount, o.scalePcs,
                                    o.scaleWarmupSeconds, o.scaleSteadySeconds, o.scaleHeap, List.copyOf(l),
                                    o.scaleInProcess, o.maxLoad, o.timeoutMs, o.throughputKinds, o.scaleLoopThreads, o.sctpMaxPacket);
                        }
                        case "--max-load" -> new Options(o.only, o.out, o.rounds, o.transferBytes, o.udpBytes,
                                o.socketBuffer, o.echoWarmup, o.echoSamples, o.setupWarmup, o.setupCount, o.scalePcs,
                                o.scaleWarmupSeconds, o.scaleSteadySeconds, o.scaleHeap, o.scaleJvmArgs,
                                o.scaleInProcess, Double.parseDouble(v), o.timeoutMs, o.throughputKinds, o.scaleLoopThreads, o.sctpMaxPacket);
                        default -> throw new IllegalArgumentException("unknown option " + a);
                    };
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("option " + a + " wants a number, got '" + v + "'");
                }
            }
            return o;
        }

        /**
         * @param spec "MESSAGEBYTESxCHANNELS", e.g. "65536x1", optionally "@PACKET", e.g. "65536x1@1191"
         * @return {message bytes 1..262144, channels 1..64, the row's sctpMaxPacketSize or -1 for the
         *     run's {@link #sctpMaxPacket}}
         * @throws IllegalArgumentException if malformed or out of range
         */
        static int[] kind(String spec) {
            int at = spec.indexOf('@');
            int packet = -1;
            if (at >= 0) {
                packet = packetSize("--tput " + spec, Integer.parseInt(spec.substring(at + 1)));
                spec = spec.substring(0, at);
            }
            String[] f = spec.split("x");
            if (f.length != 2) {
                throw new IllegalArgumentException("--tput wants MESSAGEBYTESxCHANNELS like 65536x1, got '" + spec + "'");
            }
            int b = Integer.parseInt(f[0]);
            int c = Integer.parseInt(f[1]);
            if (b < 1 || b > 262144 || c < 1 || c > 64) {
                throw new IllegalArgumentException("--tput " + spec + ": message 1..262144 bytes, 1..64 channels");
            }
            return new int[] {b, c, packet};
        }

        /**
         * @return {@code v} if it is a valid {@link RtcConfiguration.Builder#sctpMaxPacketSize(int)}
         * @throws IllegalArgumentException naming the option otherwise
         */
        static int packetSize(String option, int v) {
            try {
                RtcConfiguration.builder().sctpMaxPacketSize(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage());
            }
            return v;
        }

        private Options with(Set<String> rows, Path ignored) {
            return new Options(Set.copyOf(rows), out, rounds, transferBytes, udpBytes, socketBuffer, echoWarmup,
                    echoSamples, setupWarmup, setupCount, scalePcs, scaleWarmupSeconds, scaleSteadySeconds, scaleHeap,
                    scaleJvmArgs, scaleInProcess, maxLoad, timeoutMs, throughputKinds, scaleLoopThreads, sctpMaxPacket);
        }

        private Options withInts(String name, int v, int which) {
            if (v < (which == 7 || which == 10 || which == 11 || which == 12 || which == 13 ? 0 : 1)
                    || which == 10 && v > 256) {
                throw new IllegalArgumentException(name + " must be positive, got " + v);
            }
            return new Options(only, out, which == 1 ? v : rounds, which == 2 ? v * MIB : transferBytes,
                    which == 3 ? v * MIB : udpBytes, which == 4 ? v : socketBuffer,
                    which == 5 ? Math.max(1, v / 5) : which == 11 ? v : echoWarmup, which == 5 ? v : echoSamples,
                    which == 12 ? v : setupWarmup, which == 6 ? v : setupCount,
                    scalePcs,
                    which == 7 ? v : scaleWarmupSeconds, which == 8 ? v : scaleSteadySeconds, scaleHeap,
                    scaleJvmArgs, scaleInProcess, maxLoad, which == 9 ? v * 1000L : timeoutMs, throughputKinds,
                    which == 10 ? v : scaleLoopThreads, which == 13 ? v : sctpMaxPacket);
        }
    }

    /** Command-line entry point; exit status 0 when every row ran, 1 when a row failed, 2 on bad options. */
    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("E2eHarness: " + e.getMessage());
            System.exit(2);
            return;
        }
        Map<String, Object> report = run(o, System.out);
        System.exit(((List<?>) report.get("errors")).isEmpty() ? 0 : 1);
    }

    /**
     * Runs the selected rows, prints progress and the final table to {@code out}, writes the JSON
     * file if {@link Options#out} is set.
     *
     * @return the report as written to JSON: {@code meta}, {@code rows} (one entry per row run), {@code errors}
     */
    public static Map<String, Object> run(Options o, PrintStream out) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> meta = new LinkedHashMap<>();
        Map<String, Object> rows = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        meta.put("started", Instant.now().toString());
        meta.put("commit", gitCommit());
        meta.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        meta.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        meta.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        meta.put("jvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        Map<String, Object> opts = mapper().convertValue(o, Map.class);
        opts.put("out", o.out == null ? null : o.out.toString());
        meta.put("options", opts);
        meta.put("loadAverageStart", Meter.loadAverage());
        meta.put("limits", Meter.limits());
        meta.put("busyPollMicros", BUSY_POLL_MICROS);
        report.put("meta", meta);
        report.put("rows", rows);
        report.put("errors", errors);
        out.printf(Locale.ROOT, "e2e harness: commit %s, %s, %d CPUs, load %s, rows %s, busy poll %d us%n",
                meta.get("commit"), meta.get("java"), Runtime.getRuntime().availableProcessors(),
                load(Meter.loadAverage()), o.only, BUSY_POLL_MICROS);
        RtcConfiguration cfg = loopbackConfig().toBuilder().sctpMaxPacketSize(o.sctpMaxPacket).build();
        double udpMbPerS = Double.NaN;
        // raw UDP MB/s by datagram size, for the sizes the throughput rows' large packets travel in
        Map<Integer, Double> rawLarge = new LinkedHashMap<>();
        Stats.Dist udpRtt = null;
        if (o.only.contains("udp")) {
            try {
                Map<String, Object> r = rowStart(o, out, "udp");
                double[] mbs = new double[o.rounds];
                double[] cpu = new double[o.rounds];
                long lost = 0;
                long count = o.udpBytes / 1200;
                RawUdp.throughput(1200, count, o.socketBuffer); // warm-up
                for (int i = 0; i < o.rounds; i++) {
                    RawUdp.Throughput t = RawUdp.throughput(1200, count, o.socketBuffer);
                    mbs[i] = t.mbPerS();
                    cpu[i] = t.cpuMsPerMb();
                    lost += t.sent() - t.received();
                }
                Stats.Median m = Stats.median(mbs);
                udpMbPerS = m.median();
                RawUdp.PingPong pp = RawUdp.pingPong(1200, o.echoWarmup, o.echoSamples);
                udpRtt = pp.rttUs();
                r.put("datagramBytes", 1200);
                r.put("socketBufferBytesAsked", o.socketBuffer);
                r.put("throughputMbPerS", m);
                r.put("cpuMsPerMb", Stats.median(cpu));
                r.put("datagramsDropped", lost);
                r.put("datagramsSent", count * o.rounds);
                r.put("pingPongRttUs", pp.rttUs());
                r.put("pingPongLost", pp.lost());
                rows.put("udp", r);
                out.printf(Locale.ROOT, "  raw UDP 1200 B: %s MB/s (%.1f CPU ms/MB, %d of %d dropped); ping-pong RTT "
                        + "p50 %.1f us p99 %.1f us%n", fmt(m), Stats.median(cpu).median(), lost, count * o.rounds,
                        pp.rttUs().p50(), pp.rttUs().p99());
                // The same at the datagram sizes of the throughput rows' large SCTP packets: PLPMTU + DTLS
                // record expansion (2048 + 37 = 2085 bytes automatically, 16384 + 37 = 16421 with
                // sctpMaxPacketSize 16384 over loopback), for the ratio at the same datagram size. The
                // first size also fills the large* fields.
                java.util.LinkedHashSet<Integer> sizes = new java.util.LinkedHashSet<>();
                for (String spec : o.throughputKinds) {
                    int packet = Options.kind(spec)[2];
                    int large = largeDatagramBytes(packet < 0 ? o.sctpMaxPacket : packet);
                    if (large > 0) {
                        sizes.add(large);
                    }
                }
                List<Map<String, Object>> larges = new ArrayList<>();
                for (int large : sizes) {
                    long n = Math.max(1, o.udpBytes / large);
                    double[] lmbs = new double[o.rounds];
                    double[] lcpu = new double[o.rounds];
                    long llost = 0;
                    RawUdp.throughput(large, n, o.socketBuffer); // warm-up
                    for (int i = 0; i < o.rounds; i++) {
                        RawUdp.Throughput t = RawUdp.throughput(large, n, o.socketBuffer);
                        lmbs[i] = t.mbPerS();
                        lcpu[i] = t.cpuMsPerMb();
                        llost += t.sent() - t.received();
                    }
                    Stats.Median lm = Stats.median(lmbs);
                    rawLarge.put(large, lm.median());
                    Map<String, Object> l = new LinkedHashMap<>();
                    l.put("datagramBytes", large);
                    l.put("throughputMbPerS", lm);
                    l.put("cpuMsPerMb", Stats.median(lcpu));
                    l.put("datagramsDropped", llost);
                    l.put("datagramsSent", n * o.rounds);
                    larges.add(l);
                    if (larges.size() == 1) {
                        r.put("largeDatagramBytes", large);
                        r.put("largeThroughputMbPerS", lm);
                        r.put("largeCpuMsPerMb", Stats.median(lcpu));
                        r.put("largeDatagramsDropped", llost);
                        r.put("largeDatagramsSent", n * o.rounds);
                    }
                    out.printf(Locale.ROOT, "  raw UDP %d B: %s MB/s (%.1f CPU ms/MB, %d of %d dropped)%n", large, fmt(lm),
                            Stats.median(lcpu).median(), llost, n * o.rounds);
                }
                r.put("largeSizes", larges);
            } catch (Exception e) {
                fail(errors, out, "udp", e);
            }
        }
        List<Map<String, Object>> tput = new ArrayList<>();
        if (o.only.contains("throughput")) {
            int[][] kinds = o.throughputKinds.stream().map(Options::kind).toArray(int[][]::new);
            for (int[] k : kinds) {
                String name = String.format(Locale.ROOT, "%s x%d", k[0] % 1024 == 0 ? k[0] / 1024 + " KiB" : k[0] + " B", k[1])
                        + packetName(k[2]);
                RtcConfiguration rowCfg = k[2] < 0 ? cfg : cfg.toBuilder().sctpMaxPacketSize(k[2]).build();
                try {
                    Map<String, Object> r = rowStart(o, out, "throughput " + name);
                    // warm-up, the same rule for every row (warmedUp): untimed rounds until two consecutive
                    // ones agree on CPU ms/MB, at least MIN_WARMUP_ROUNDS. Each kind has its own
                    // once-per-message and per-packet code to compile (1 KiB messages: 64 times the
                    // messages of 64 KiB ones; 4 channels: the round-robin scheduler), which a single
                    // warm-up round left to the JIT in the timed rounds (140-530 ms in a 1 KiB round)
                    int warm = 0;
                    double prev = Double.NaN;
                    while (true) {
                        DcRows.Round w = DcRows.throughput(rowCfg, k[0], k[1], o.transferBytes, o.timeoutMs);
                        warm++;
                        boolean done = warmedUp(warm, prev, w.cpuMsPerMb());
                        prev = w.cpuMsPerMb();
                        out.printf(Locale.ROOT, "    warm-up %d: %.1f MB/s, %.1f CPU ms/MB%n", warm, w.mbPerS(),
                                w.cpuMsPerMb());
                        if (done) {
                            break;
                        }
                    }
                    r.put("warmupRounds", warm);
                    DcRows.Round[] rs = new DcRows.Round[o.rounds];
                    for (int i = 0; i < o.rounds; i++) {
                        rs[i] = DcRows.throughput(rowCfg, k[0], k[1], o.transferBytes, o.timeoutMs);
                        out.printf(Locale.ROOT, "    round %d: %.1f MB/s, %.1f CPU ms/MB, %.0f KB alloc/MB, sender PLPMTU %d"
                                + " (%d at the start), %s%n", i + 1, rs[i].mbPerS(), rs[i].cpuMsPerMb(),
                                rs[i].allocBytesPerMb() / 1e3, rs[i].sctpPmtu(), rs[i].sctpPmtuAtStart(), rs[i].counters());
                    }
                    Stats.Median mb = Stats.median(Arrays.stream(rs).mapToDouble(DcRows.Round::mbPerS).toArray());
                    r.put("name", name);
                    r.put("messageBytes", k[0]);
                    r.put("channels", k[1]);
                    r.put("bytesPerRound", o.transferBytes);
                    r.put("mbPerS", mb);
                    r.put("cpuMsPerMb", Stats.median(Arrays.stream(rs).mapToDouble(DcRows.Round::cpuMsPerMb).toArray()));
                    r.put("allocBytesPerMb",
                            Stats.median(Arrays.stream(rs).mapToDouble(DcRows.Round::allocBytesPerMb).toArray()));
                    r.put("ratioToRawUdp", mb.median() / udpMbPerS);
                    r.put("sctpMaxPacketSize", rowCfg.sctpMaxPacketSize());
                    // the sender's PLPMTU at the end of the rounds (the largest SCTP packet it sent then)
                    double pmtu = Stats.median(Arrays.stream(rs).mapToDouble(DcRows.Round::sctpPmtu).toArray()).median();
                    r.put("sctpPmtu", (int) pmtu);
                    // the ratio to raw UDP at the datagram size this row's packets travel in: the large
                    // raw figure once the PLPMTU rose above 1191, else the 1200-byte one
                    int rowLarge = largeDatagramBytes(k[2] < 0 ? o.sctpMaxPacket : k[2]);
                    boolean largePackets = pmtu > PathMtu.BASE && rawLarge.containsKey(rowLarge);
                    r.put("rawUdpSameSizeDatagramBytes", largePackets ? rowLarge : 1200);
                    r.put("ratioToRawUdpSameSize", mb.median() / (largePackets ? rawLarge.get(rowLarge) : udpMbPerS));
                    r.put("rounds", rs);
                    tput.add(r);
                } catch (Exception e) {
                    fail(errors, out, "throughput " + name, e);
                }
            }
            rows.put("throughput", tput);
        }
        if (o.only.contains("echo")) {
            try {
                Map<String, Object> r = rowStart(o, out, "echo");
                r.put("messageBytes", 1024);
                Stats.Dist d = echoInto(r, "", false, cfg, o, udpRtt, out, "echo 1 KiB");
                if (udpRtt != null) {
                    r.put("ratioP99ToRawUdpPingPong", d.p99() / udpRtt.p99());
                }
                echoInto(r, "FromCallback", true, cfg, o, udpRtt, out, "echo 1 KiB sent from onMessage");
                rows.put("echo", r);
                if (BUSY_POLL_MICROS == 0) {
                    // Extra rows, the two above unchanged: the same echoes with the opt-in busy polling
                    // (RtcConfiguration.Builder#busyPollMicros), so each run shows what it buys.
                    RtcConfiguration bp = cfg.toBuilder().busyPollMicros(ECHO_BUSY_POLL_MICROS).build();
                    r.put("busyPollMicros", ECHO_BUSY_POLL_MICROS);
                    echoInto(r, "BusyPoll", false, bp, o, udpRtt, out,
                            "echo 1 KiB, busyPollMicros " + ECHO_BUSY_POLL_MICROS);
                    echoInto(r, "FromCallbackBusyPoll", true, bp, o, udpRtt, out,
                            "echo 1 KiB sent from onMessage, busyPollMicros " + ECHO_BUSY_POLL_MICROS);
                }
            } catch (Exception e) {
                fail(errors, out, "echo", e);
            }
        }
        if (o.only.contains("setup")) {
            List<Map<String, Object>> setups = new ArrayList<>();
            for (boolean shared : new boolean[] {false, true}) {
                String name = shared ? "setup (shared certificate)" : "setup (certificate per connection)";
                try {
                    Map<String, Object> r = rowStart(o, out, name);
                    RtcConfiguration c = shared
                            ? cfg.toBuilder().certificate(DtlsCertificate.generate()).build() : cfg;
                    DcRows.Setup s = DcRows.setup(c, o.setupWarmup, o.setupCount, o.timeoutMs);
                    r.put("name", name);
                    r.put("result", s);
                    setups.add(r);
                    r.put("warmupSetUps", s.warmupSetUps());
                    out.printf(Locale.ROOT, "    warm-up %s%n", warmup(s));
                    out.printf(Locale.ROOT, "  %s: p50 %.1f ms p99 %.1f ms max %.1f ms, %d failed; phases p50 %s; %s%n",
                            name, s.total().p50(), s.total().p99(), s.total().max(), s.failures(), phases(s),
                            perSetup(s));
                } catch (Exception e) {
                    fail(errors, out, name, e);
                }
            }
            rows.put("setup", setups);
        }
        if (o.only.contains("scale")) {
            List<Object> scale = new ArrayList<>();
            for (int pcs : o.scalePcs) {
                try {
                    Map<String, Object> r = rowStart(o, out, "scale " + pcs);
                    ScaleRun.Config sc = new ScaleRun.Config(pcs, o.scaleWarmupSeconds, o.scaleSteadySeconds, 1024,
                            1000, 4, 30_000, o.scaleLoopThreads);
                    JsonNode res;
                    if (o.scaleInProcess) {
                        res = new ObjectMapper().valueToTree(ScaleRun.run(sc, cfg, out));
                    } else {
                        res = scaleInChild(o, sc, out);
                    }
                    r.put("inProcess", o.scaleInProcess);
                    r.put("heap", o.scaleInProcess ? null : o.scaleHeap);
                    r.put("result", res);
                    scale.add(r);
                } catch (Exception e) {
                    fail(errors, out, "scale " + pcs, e);
                }
            }
            rows.put("scale", scale);
        }
        meta.put("loadAverageEnd", Meter.loadAverage());
        meta.put("finished", Instant.now().toString());
        table(report, out);
        if (o.out != null) {
            Path parent = o.out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            mapper().writeValue(o.out.toFile(), report);
            out.println("JSON: " + o.out);
        }
        return report;
    }

    /** @return the throughput row name's suffix for a {@code @PACKET} kind ("" without one) */
    static String packetName(int packet) {
        if (packet < 0) {
            return "";
        }
        if (packet == PathMtu.BASE) {
            return ", " + PathMtu.BASE + "-byte packets";
        }
        return packet == 0 ? ", automatic packet size" : ", packets <= " + packet + " B";
    }

    /**
     * @param sctpMaxPacket the run's {@link RtcConfiguration.Builder#sctpMaxPacketSize(int)}
     * @return bytes of the UDP datagram that carries a largest SCTP packet over loopback (PathMtu's rule:
     *     min(DTLS plaintext limit, loopback MTU - IP - UDP - DTLS record expansion), capped by
     *     {@code sctpMaxPacket} or, for 0, by the automatic 2048; plus the DTLS record expansion: 2085
     *     for 0, 16421 for 16384 with a 65536-byte loopback MTU),
     *     or 0 when the packets stay at 1191 bytes
     */
    static int largeDatagramBytes(int sctpMaxPacket) {
        int rule;
        try {
            rule = PathMtu.maxPlpmtu(PathMtu.DTLS_MAX_PLAINTEXT, PathMtu.interfaceMtu(
                    java.net.InetAddress.getByName("127.0.0.1")), false, PathMtu.DTLS_AES_GCM_EXPANSION);
        } catch (java.net.UnknownHostException e) {
            return 0;
        }
        int pl = PathMtu.apply(sctpMaxPacket, rule);
        return pl == 0 ? 0 : pl + PathMtu.DTLS_AES_GCM_EXPANSION;
    }

    static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * Measures one echo variant and puts it into the echo row under keys named by {@code key}:
     * {@code perRoundTrip<key>}, {@code rtt<key>Us} and, with a raw ping-pong,
     * {@code ratioP50<key>ToRawUdpPingPong}; prints it as {@code label}.
     *
     * @param fromCallback true: each next message sent from onMessage ({@link DcRows#echoFromCallback})
     * @return the round-trip times, µs
     */
    private static Stats.Dist echoInto(Map<String, Object> r, String key, boolean fromCallback, RtcConfiguration cfg,
            Options o, Stats.Dist udpRtt, PrintStream out, String label) throws Exception {
        DcRows.Echo e = fromCallback
                ? DcRows.echoFromCallback(cfg, 1024, o.echoWarmup, o.echoSamples, o.timeoutMs)
                : DcRows.echo(cfg, 1024, o.echoWarmup, o.echoSamples, o.timeoutMs);
        Stats.Dist d = e.rtt();
        r.put("perRoundTrip" + key, e.perRoundTrip());
        r.put("rtt" + key + "Us", d);
        if (udpRtt != null) {
            r.put("ratioP50" + key + "ToRawUdpPingPong", d.p50() / udpRtt.p50());
        }
        out.printf(Locale.ROOT, "  %s: RTT p50 %.1f us p99 %.1f us max %.1f us; per round trip %s%n", label, d.p50(),
                d.p99(), d.max(), e.perRoundTrip());
        return d;
    }

    private static Map<String, Object> rowStart(Options o, PrintStream out, String name) {
        double[] l = Meter.loadAverage();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("loadAverage", l);
        r.put("loaded", l[0] > o.maxLoad);
        out.printf(Locale.ROOT, "%s (load %s)%s%n", name, load(l),
                l[0] > o.maxLoad ? " -- LOADED: 1-minute load above " + o.maxLoad + ", figures are unreliable" : "");
        return r;
    }

    private static void fail(List<String> errors, PrintStream out, String row, Exception e) {
        errors.add(row + ": " + e);
        out.println("  FAILED " + row + ": " + e);
    }

    /** @return the set-up row's per-set-up CPU/JIT/GC diagnostics, for the printed lines */
    private static String perSetup(DcRows.Setup s) {
        Map<String, Double> m = s.perSetup();
        return String.format(Locale.ROOT, "per set-up: CPU %.1f ms, JIT %.1f ms, GC %.1f ms (warm-up JIT %.1f ms)",
                m.get("cpuMs"), m.get("jitMs"), m.get("gcMs"), m.get("warmupJitMs"));
    }

    /** @return the set-up row's warm-up blocks: set-ups so far, p50 ms and JIT ms per set-up of each */
    private static String warmup(DcRows.Setup s) {
        StringBuilder b = new StringBuilder(s.warmupSetUps() + " set-ups (per block: set-ups so far, p50, JIT per set-up):");
        for (DcRows.WarmupBlock w : s.warmupBlocks()) {
            b.append(String.format(Locale.ROOT, " %d %.1f/%.1f ms;", w.setUpsSoFar(), w.p50Ms(), w.jitMsPerSetUp()));
        }
        return b.toString();
    }

    private static String phases(DcRows.Setup s) {
        StringBuilder b = new StringBuilder();
        s.phases().forEach((k, d) -> b.append(b.length() == 0 ? "" : ", ").append(k)
                .append(String.format(Locale.ROOT, " %.1f", d.p50())));
        return b.toString();
    }

    /**
     * Runs one scale row in a child JVM ({@code -Xms/-Xmx} = {@link Options#scaleHeap}, same class
     * path), relaying its output, and reads its JSON result.
     */
    static JsonNode scaleInChild(Options o, ScaleRun.Config sc, PrintStream out) throws IOException, InterruptedException {
        Path json = Files.createTempFile("e2e-scale-" + sc.pcs() + "-", ".json");
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xms" + o.scaleHeap);
            cmd.add("-Xmx" + o.scaleHeap);
            cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel="
                    + System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
            cmd.addAll(o.scaleJvmArgs);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(ScaleRun.class.getName());
            for (String[] kv : new String[][] {{"--pcs", "" + sc.pcs()}, {"--warmup-s", "" + sc.warmupSeconds()},
                    {"--steady-s", "" + sc.steadySeconds()}, {"--message-bytes", "" + sc.messageBytes()},
                    {"--interval-ms", "" + sc.intervalMs()}, {"--connect-concurrency", "" + sc.connectConcurrency()},
                    {"--timeout-ms", "" + sc.timeoutMs()}, {"--loop-threads", "" + sc.loopThreads()},
                    {"--out", json.toString()}}) {
                cmd.add(kv[0]);
                cmd.add(kv[1]);
            }
            out.println("  child JVM: " + String.join(" ", cmd.subList(0, 4)) + " ... " + ScaleRun.class.getSimpleName()
                    + " --pcs " + sc.pcs());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Deque<String> tail = new ArrayDeque<>();
            long[] lines = {0};
            Thread relay = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > 30) {
                                tail.removeFirst();
                            }
                        }
                        if (lines[0]++ < 200) {
                            out.println("  | " + line);
                        }
                    }
                } catch (IOException e) {
                    // child gone
                }
            }, "e2e-scale-relay");
            relay.setDaemon(true);
            relay.start();
            long limit = sc.warmupSeconds() + sc.steadySeconds() + 600L + sc.pcs(); // set-ups slow down as connections pile up
            if (!p.waitFor(limit, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("scale child JVM did not finish in " + limit + " s; last output: " + tail);
            }
            relay.join(5000);
            if (p.exitValue() != 0 || Files.size(json) == 0) {
                synchronized (tail) {
                    throw new IOException("scale child JVM exited with status " + p.exitValue() + "; last output: "
                            + String.join(" / ", tail));
                }
            }
            return new ObjectMapper().readTree(json.toFile());
        } finally {
            Files.deleteIfExists(json);
        }
    }

    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? s : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private static String load(double[] l) {
        return String.format(Locale.ROOT, "%.2f/%.2f/%.2f", l[0], l[1], l[2]);
    }

    private static String fmt(Stats.Median m) {
        return String.format(Locale.ROOT, "%.1f ± %.1f", m.median(), m.halfSpread());
    }

    /** Prints the summary table of a report. */
    @SuppressWarnings("unchecked")
    static void table(Map<String, Object> report, PrintStream out) {
        Map<String, Object> meta = (Map<String, Object>) report.get("meta");
        Map<String, Object> rows = (Map<String, Object>) report.get("rows");
        out.println();
        out.printf(Locale.ROOT, "== e2e summary (commit %s, load at start %s, at end %s; MB = 10^6 B; CPU = process "
                + "CPU of both peers) ==%n", meta.get("commit"), load((double[]) meta.get("loadAverageStart")),
                load((double[]) meta.get("loadAverageEnd")));
        out.printf(Locale.ROOT, "%-50s %16s %9s %10s %6s %10s %12s %s%n", "throughput", "MB/s (± spread)", "x rawUDP",
                "x raw same", "PLPMTU", "CPU ms/MB", "alloc KB/MB", "load   counters (sum of rounds)");
        Map<String, Object> udp = (Map<String, Object>) rows.get("udp");
        if (udp != null) {
            out.printf(Locale.ROOT, "%-50s %16s %9s %10s %6s %10.1f %12s %s   dropped %s of %s datagrams%n",
                    "raw UDP 1200 B, one direction", fmt((Stats.Median) udp.get("throughputMbPerS")), "1.00", "1.00", "-",
                    ((Stats.Median) udp.get("cpuMsPerMb")).median(), "-", load((double[]) udp.get("loadAverage")),
                    udp.get("datagramsDropped"), udp.get("datagramsSent"));
            for (Map<String, Object> l : (List<Map<String, Object>>) udp.getOrDefault("largeSizes", List.of())) {
                Stats.Median lm = (Stats.Median) l.get("throughputMbPerS");
                out.printf(Locale.ROOT, "%-50s %16s %9.2f %10s %6s %10.1f %12s %s   dropped %s of %s datagrams%n",
                        "raw UDP " + l.get("datagramBytes") + " B, one direction", fmt(lm),
                        lm.median() / ((Stats.Median) udp.get("throughputMbPerS")).median(), "1.00", "-",
                        ((Stats.Median) l.get("cpuMsPerMb")).median(), "-", load((double[]) udp.get("loadAverage")),
                        l.get("datagramsDropped"), l.get("datagramsSent"));
            }
        }
        for (Map<String, Object> r : (List<Map<String, Object>>) rows.getOrDefault("throughput", List.of())) {
            Map<String, Long> c = new LinkedHashMap<>();
            for (DcRows.Round x : (DcRows.Round[]) r.get("rounds")) {
                c = Internals.sum(c, x.counters());
            }
            out.printf(Locale.ROOT, "%-50s %16s %9.2f %10.2f %6d %10.1f %12.0f %s   %s%n", "DC " + r.get("name"),
                    fmt((Stats.Median) r.get("mbPerS")), (Double) r.get("ratioToRawUdp"),
                    (Double) r.get("ratioToRawUdpSameSize"), (Integer) r.get("sctpPmtu"),
                    ((Stats.Median) r.get("cpuMsPerMb")).median(), ((Stats.Median) r.get("allocBytesPerMb")).median() / 1e3,
                    load((double[]) r.get("loadAverage")), c);
        }
        out.printf(Locale.ROOT, "%-32s %10s %10s %10s %9s %s%n", "latency (RTT)", "p50 us", "p99 us", "max us",
                "p50 ratio", "load");
        if (udp != null) {
            Stats.Dist d = (Stats.Dist) udp.get("pingPongRttUs");
            out.printf(Locale.ROOT, "%-32s %10.1f %10.1f %10.1f %9s %s%n", "raw UDP ping-pong 1200 B", d.p50(), d.p99(),
                    d.max(), "1.00", load((double[]) udp.get("loadAverage")));
        }
        Map<String, Object> echo = (Map<String, Object>) rows.get("echo");
        if (echo != null) {
            Stats.Dist d = (Stats.Dist) echo.get("rttUs");
            Object ratio = echo.get("ratioP50ToRawUdpPingPong");
            out.printf(Locale.ROOT, "%-32s %10.1f %10.1f %10.1f %9s %s%n", "DC echo 1 KiB", d.p50(), d.p99(), d.max(),
                    ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", (Double) ratio),
                    load((double[]) echo.get("loadAverage")));
            Stats.Dist c = (Stats.Dist) echo.get("rttFromCallbackUs");
            Object cr = echo.get("ratioP50FromCallbackToRawUdpPingPong");
            if (c != null) {
                out.printf(Locale.ROOT, "%-32s %10.1f %10.1f %10.1f %9s %s%n", "DC echo 1 KiB from onMessage", c.p50(),
                        c.p99(), c.max(), cr == null ? "-" : String.format(Locale.ROOT, "%.2f", (Double) cr),
                        load((double[]) echo.get("loadAverage")));
            }
            String[][] extra = {
                {"rttBusyPollUs", "ratioP50BusyPollToRawUdpPingPong", "DC echo 1 KiB, busy poll %d us"},
                {"rttFromCallbackBusyPollUs", "ratioP50FromCallbackBusyPollToRawUdpPingPong",
                    "DC echo onMessage, busy poll %d us"}};
            for (String[] x : extra) {
                Stats.Dist e = (Stats.Dist) echo.get(x[0]);
                Object er = echo.get(x[1]);
                if (e != null) {
                    out.printf(Locale.ROOT, "%-32s %10.1f %10.1f %10.1f %9s %s%n",
                            String.format(Locale.ROOT, x[2], (Integer) echo.get("busyPollMicros")), e.p50(), e.p99(),
                            e.max(), er == null ? "-" : String.format(Locale.ROOT, "%.2f", (Double) er),
                            load((double[]) echo.get("loadAverage")));
                }
            }
        }
        List<Map<String, Object>> setups = (List<Map<String, Object>>) rows.get("setup");
        if (setups != null) {
            out.printf(Locale.ROOT, "%-36s %8s %8s %8s %6s  %s%n", "setup: new PC -> channel open", "p50 ms", "p99 ms",
                    "max ms", "fails", "phase p50 (ms since start): " + String.join(", ", Pair.PHASES));
            for (Map<String, Object> r : setups) {
                DcRows.Setup s = (DcRows.Setup) r.get("result");
                StringBuilder ph = new StringBuilder();
                s.phases().forEach((k, d) -> ph.append(String.format(Locale.ROOT, "%.1f ", d.p50())));
                out.printf(Locale.ROOT, "%-36s %8.1f %8.1f %8.1f %6d  %s (n=%d after %d warm-up, load %s; %s)%n",
                        r.get("name"), s.total().p50(), s.total().p99(), s.total().max(), s.failures(),
                        ph.toString().trim(), s.total().n(), s.warmupSetUps(), load((double[]) r.get("loadAverage")),
                        perSetup(s));
            }
        }
        List<Map<String, Object>> scale = (List<Map<String, Object>>) rows.get("scale");
        if (scale != null) {
            out.printf(Locale.ROOT, "%-18s %9s %11s %14s %11s %13s %6s %14s %13s %s%n", "scale (PCs)", "connected",
                    "CPU ms/s/PC", "heap MiB (GC)", "KiB/PC", "threads(/PC)", "FDs", "echo ret/sent", "RTT p50/p99 ms",
                    "broke");
            for (Map<String, Object> r : scale) {
                JsonNode n = (JsonNode) r.get("result");
                out.printf(Locale.ROOT, "%-18s %9d %11.2f %14.1f %11.1f %8d(%.2f) %6d %14s %13s %s%n",
                        n.path("config").path("pcs").asInt() + (n.path("config").path("loopThreads").asInt() > 0
                                ? " (" + n.path("config").path("loopThreads").asInt() + " loops)" : ""),
                        2 * n.path("pairsConnected").asInt(),
                        n.path("cpuMsPerPcPerS").asDouble(), n.path("heapAfterGcEndBytes").asLong() / 1048576.0,
                        n.path("heapPerPcBytes").asLong() / 1024.0, n.path("threads").asInt(),
                        n.path("threadsPerPc").asDouble(), n.path("fds").asLong(),
                        n.path("echoesReturned").asLong() + "/" + n.path("echoesSent").asLong(),
                        String.format(Locale.ROOT, "%.2f/%.2f", n.path("echoRttMs").path("p50").asDouble(),
                                n.path("echoRttMs").path("p99").asDouble()),
                        n.path("broke").isNull() || n.path("broke").isMissingNode() ? "-" : n.path("broke").asText());
            }
        }
        List<String> errors = (List<String>) report.get("errors");
        if (!errors.isEmpty()) {
            out.println("FAILED rows: " + errors);
        }
    }
}
