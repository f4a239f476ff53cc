package org.jdatachannel.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.SctpOutput;
import org.jdatachannel.sctp.SendOptions;
import org.jdatachannel.sctp.sim.Link;
import org.jdatachannel.sctp.sim.NetSim;

/**
 * Goodput of one SCTP association over the seeded network simulator (sctp's test-jar), in virtual
 * time: A sends 64 KiB messages on one ordered, reliable stream as fast as the association takes them
 * (its send buffer is kept between 1 and 2 MiB), B receives them. Both use {@link SctpOptions}
 * defaults (MTU 1191, 1 MiB receive window, RTO.Min as configured there).
 *
 * <p>The link, per direction: one-way delay RTT/2, 1 Gbit/s bottleneck whose FIFO queue holds one
 * bandwidth-delay product (at least 64 KiB), so a window-limited sender never overflows it and a
 * loss-free link loses nothing; random loss p applied to both directions (DATA and SACK packets);
 * no jitter, reordering or duplication.
 *
 * <p>Each cell runs {@code --seconds} of virtual time (default 20); goodput is the user payload
 * delivered to B, in order, per virtual second after a warm-up of a quarter of the run (slow start
 * excluded), in MB/s (10^6 bytes). For comparison the Mathis et al. Reno bound MSS/RTT * 1.22/sqrt(p)
 * with MSS the DATA payload of a full packet (1160 bytes). Retransmissions are DATA chunks sent again
 * (counted on the link). CPU is the benchmark thread's CPU time (ThreadMXBean) per delivered MB and
 * covers both associations and the simulator.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -o -q -pl benchmarks -am package -DskipTests
 * java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" \
 *     org.jdatachannel.benchmarks.SctpGoodputBenchmark [--seconds 20] [--rtts 2,20,50,100] \
 *     [--losses 0,1,2,5] [--seed 1] [--out benchmarks/target/sctp-goodput.json]
 * </pre>
 * It prints a table and writes the results as JSON.
 */
public final class SctpGoodputBenchmark {
    /** Message size, bytes. */
    static final int MESSAGE = 64 * 1024;
    private static final long HIGH_WATER = 2L << 20;
    private static final long LOW_WATER = 1L << 20;
    private static final long GBIT = 1_000_000_000L;

    private SctpGoodputBenchmark() {
    }

    /**
     * One cell of the grid.
     *
     * @param rttMs round-trip propagation delay, ms, even, &gt;= 2
     * @param loss random loss probability per packet and direction, 0..1
     * @param seconds virtual seconds to run (time mode) or the limit (byte mode)
     * @param totalBytes 0 to send for {@code seconds}; otherwise send exactly this many bytes and run
     *     until they are delivered or {@code seconds} pass
     * @param seed simulator seed
     */
    public record Cell(long rttMs, double loss, long seconds, long totalBytes, long seed) {
    }

    /**
     * Result of one cell.
     *
     * @param rttMs RTT, ms
     * @param lossPercent loss per direction, %
     * @param goodputMBps delivered payload per virtual second after warm-up, MB/s
     * @param overallMBps delivered payload per virtual second over the whole run, MB/s
     * @param renoBoundMBps Mathis bound, MB/s, null at 0 % loss
     * @param deliveredBytes payload bytes delivered in order
     * @param sentBytes payload bytes handed to the association
     * @param dataChunks DATA chunks sent by A (first transmissions and retransmissions)
     * @param retransmissions DATA chunks sent again
     * @param queueDrops packets dropped by the bottleneck queue (A to B)
     * @param cpuMsPerMB CPU ms per delivered MB
     * @param virtualMs virtual time of the run, ms
     * @param wallMs real time of the run, ms
     * @param complete in byte mode: every byte delivered; in time mode: true
     * @param inOrder every message arrived once, in order, with its sequence number
     */
    public record Result(long rttMs, double lossPercent, double goodputMBps, double overallMBps, Double renoBoundMBps,
            long deliveredBytes, long sentBytes, long dataChunks, long retransmissions, long queueDrops,
            double cpuMsPerMB, long virtualMs, long wallMs, boolean complete, boolean inOrder) {
    }

    /** @return the Mathis bound for this RTT and loss in MB/s, or null when loss is 0 */
    static Double renoBound(long rttMs, double loss, int mtu) {
        if (loss <= 0) {
            return null;
        }
        int mss = (mtu & ~3) - 12 - 16;
        return mss / (rttMs / 1000.0) * 1.22 / Math.sqrt(loss) / 1e6;
    }

    /** Runs one cell on the calling thread. */
    public static Result run(Cell c) {
        if (c.rttMs < 2 || c.rttMs % 2 != 0 || c.loss < 0 || c.loss >= 1 || c.seconds < 1) {
            throw new IllegalArgumentException("bad cell " + c);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long wall0 = System.nanoTime();
        long cpu0 = mx.getCurrentThreadCpuTime();
        SctpOptions o = SctpOptions.defaults();
        NetSim sim = new NetSim(c.seed, o, o);
        long bdp = GBIT / 8 * c.rttMs / 1000;
        sim.both(l -> l.delay(c.rttMs / 2).bandwidth(GBIT, Math.max(64 * 1024, bdp)));
        if (!sim.connect(false)) {
            throw new IllegalStateException("no connection: " + sim.a.closed + " " + sim.b.closed);
        }
        sim.both(l -> l.loss(c.loss));
        long start = sim.now;
        long[] sent = {0, 0}; // bytes, messages
        long[] got = {0, 0};
        boolean[] inOrder = {true};
        Runnable fill = () -> {
            while (sim.a.assoc.bufferedAmount(0) < HIGH_WATER && (c.totalBytes == 0 || sent[0] < c.totalBytes)) {
                byte[] p = new byte[MESSAGE];
                ByteBuffer.wrap(p).putLong(0, sent[1]);
                sim.a.assoc.send(0, 53, p, SendOptions.RELIABLE_ORDERED, sim.now);
                sent[0] += p.length;
                sent[1]++;
            }
        };
        sim.a.assoc.setBufferedAmountLowThreshold(0, LOW_WATER);
        sim.a.listener = out -> {
            if (out instanceof SctpOutput.BufferedAmountLow) {
                fill.run();
            }
        };
        sim.b.discardMessages = true;
        sim.b.listener = out -> {
            if (out instanceof SctpOutput.MessageReceived m) {
                if (m.payload().length != MESSAGE || ByteBuffer.wrap(m.payload()).getLong(0) != got[1]) {
                    inOrder[0] = false;
                }
                got[0] += m.payload().length;
                got[1]++;
            }
        };
        fill.run();
        long warmupMs = c.seconds * 1000 / 4;
        long endMs = start + c.seconds * 1000;
        boolean complete = true;
        long atWarmup;
        if (c.totalBytes == 0) {
            sim.runFor(warmupMs);
            atWarmup = got[0];
            sim.runUntil(() -> sim.a.closed != null, endMs);
        } else {
            sim.runUntil(() -> sim.now >= start + warmupMs || got[0] >= c.totalBytes || sim.a.closed != null, endMs);
            atWarmup = got[0];
            complete = sim.runUntil(() -> got[0] >= c.totalBytes || sim.a.closed != null, endMs) && got[0] == c.totalBytes;
        }
        long virtual = sim.now - start;
        long afterWarmupMs = Math.max(1, sim.now - start - warmupMs);
        double cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1e6;
        long wallMs = (System.nanoTime() - wall0) / 1_000_000;
        if (sim.a.closed != null) {
            throw new IllegalStateException("association closed during the run: " + sim.a.closed + "\n" + sim.stats());
        }
        return new Result(c.rttMs, c.loss * 100, (got[0] - atWarmup) / 1e6 / (afterWarmupMs / 1000.0),
                got[0] / 1e6 / (virtual / 1000.0), renoBound(c.rttMs, c.loss, o.mtu()), got[0], sent[0],
                sim.ab.dataChunks(), sim.ab.dataRetransmissions(), sim.ab.dropped(Link.Drop.QUEUE),
                got[0] == 0 ? Double.NaN : cpuMs / (got[0] / 1e6), virtual, wallMs, complete, inOrder[0]);
    }

    private static List<Long> longs(String s) {
        List<Long> out = new ArrayList<>();
        for (String x : s.split(",")) {
            out.add(Long.parseLong(x.trim()));
        }
        return out;
    }

    /**
     * @param args {@code --seconds N --rtts a,b,.. --losses p1,p2,.. (percent) --seed N --out file}
     * @throws IOException if the JSON cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Map<String, String> opt = new LinkedHashMap<>();
        opt.put("--seconds", "20");
        opt.put("--rtts", "2,20,50,100");
        opt.put("--losses", "0,1,2,5");
        opt.put("--seed", "1");
        opt.put("--out", Files.isDirectory(Path.of("benchmarks/target")) ? "benchmarks/target/sctp-goodput.json"
                : "target/sctp-goodput.json");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + opt.keySet());
            }
            opt.put(args[i], args[i + 1]);
        }
        long seconds = Long.parseLong(opt.get("--seconds"));
        long seed = Long.parseLong(opt.get("--seed"));
        List<Result> results = new ArrayList<>();
        System.out.printf(Locale.ROOT, "SCTP goodput over the simulated link: 1 Gbit/s, queue 1 BDP, 64 KiB messages, "
                + "%d s virtual per cell, seed %d%n", seconds, seed);
        String head = String.format(Locale.ROOT, "%6s %6s %12s %12s %12s %8s %8s %10s %8s %8s%n", "RTT ms", "loss %",
                "goodput MB/s", "overall MB/s", "Reno MB/s", "rtx", "rtx %", "CPU ms/MB", "wall s", "ok");
        System.out.print(head);
        for (long rtt : longs(opt.get("--rtts"))) {
            for (String lossText : opt.get("--losses").split(",")) {
                double loss = Double.parseDouble(lossText.trim()) / 100;
                Result r = run(new Cell(rtt, loss, seconds, 0, seed));
                results.add(r);
                System.out.printf(Locale.ROOT, "%6d %6.1f %12.2f %12.2f %12s %8d %8.2f %10.1f %8.1f %8s%n", r.rttMs,
                        r.lossPercent, r.goodputMBps, r.overallMBps,
                        r.renoBoundMBps == null ? "-" : String.format(Locale.ROOT, "%.2f", r.renoBoundMBps),
                        r.retransmissions, 100.0 * r.retransmissions / Math.max(1, r.dataChunks), r.cpuMsPerMB,
                        r.wallMs / 1000.0, r.inOrder ? "yes" : "NO");
            }
        }
        Path out = Path.of(opt.get("--out"));
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "SctpGoodputBenchmark");
        doc.put("link", "1 Gbit/s per direction, FIFO queue of max(1 BDP, 64 KiB), loss on both directions");
        doc.put("messageBytes", MESSAGE);
        doc.put("secondsPerCell", seconds);
        doc.put("seed", seed);
        doc.put("results", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), doc);
        System.out.println("wrote " + out);
    }
}
