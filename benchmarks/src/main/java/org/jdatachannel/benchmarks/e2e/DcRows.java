package org.jdatachannel.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.RtcConfiguration;

/** The data-channel rows: throughput, echo latency and set-up time, each over fresh {@link Pair}s. */
final class DcRows {
    private DcRows() {
    }

    /**
     * One timed throughput round.
     *
     * @param mbPerS payload MB/s (10^6 bytes/s) from the first send until the answerer received everything
     * @param cpuMsPerMb process CPU time (both peers, the sending thread, everything) per payload MB
     * @param allocBytesPerMb bytes allocated by all threads alive at the end, per payload MB (a lower
     *     bound: threads that ended during the round are not counted)
     * @param counters SCTP retransmission and ICE drop counters of both ends (see {@link Internals}), and
     *     for the process {@code jvm.jitMs} (JIT compile time) and {@code jvm.gcMs} (GC time) during the
     *     round, ms: diagnostics of what the process CPU includes besides the loops (-1 if unknown)
     * @param udpKernel system-wide kernel UDP error counters during the round (/proc/net/snmp)
     * @param cpuMsByThread CPU ms per thread group during the round, largest first
     * @param sctpPmtuAtStart the sender's SCTP PLPMTU (RFC 8899: the largest SCTP packet it sends, bytes)
     *     when the timed transfer began (after waiting up to 2 s for its search to reach MAX_PLPMTU); 0 if
     *     unknown
     * @param sctpPmtu the sender's PLPMTU when everything was received
     */
    record Round(double mbPerS, double cpuMsPerMb, double allocBytesPerMb, Map<String, Long> counters,
            Map<String, Long> udpKernel, Map<String, Double> cpuMsByThread, int sctpPmtuAtStart, int sctpPmtu) {
    }

    /**
     * Sends {@code totalBytes} in messages of {@code messageBytes} over {@code channels} ordered,
     * reliable channels of a fresh pair at once (each channel its share), keeping each channel's
     * {@code bufferedAmount} under a high-water mark (4 MiB for one channel, 16 MiB / 2 / n for n),
     * then closes the pair. The answerer counts received bytes without copying them.
     *
     * @param timeoutMs bound for connecting and for the transfer
     * @throws Exception if the pair does not connect or the transfer does not finish in time
     */
    static Round throughput(RtcConfiguration cfg, int messageBytes, int channels, long totalBytes, long timeoutMs)
            throws Exception {
        long perChannel = Math.max(1, totalBytes / channels / messageBytes) * messageBytes;
        long total = perChannel * channels;
        AtomicLong got = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try (Pair p = Pair.connect(cfg, channels, ch -> ch.onMessage(m -> {
            if (got.addAndGet(m.size()) >= total) {
                done.complete(null);
            }
        }), timeoutMs)) {
            long high = channels == 1 ? 4L << 20 : (8L << 20) / channels;
            long low = high / 4;
            Semaphore lowSignal = new Semaphore(0);
            for (DataChannel ch : p.channels) {
                ch.setBufferedAmountLowThreshold(low);
                ch.onBufferedAmountLow(lowSignal::release);
            }
            byte[] payload = new byte[messageBytes];
            long[] sent = new long[channels];
            // a long-lived connection sends at the size PLPMTUD found: time the transfer once the
            // sender's search reached its maximum (two round trips after SCTP is up over loopback), not
            // the first few packets of a fresh pair (at most 2 s; sctpPmtuAtStart tells if it had not)
            Internals.awaitPathMtuSearch(p.a, 2000);
            int pmtu0 = Internals.sctpPathMtu(p.a);
            Map<String, Long> udp0 = Meter.udpCounters();
            Meter.ThreadSnapshot s0 = Meter.ThreadSnapshot.take();
            long jit0 = Meter.jitMillis();
            long gc0 = Meter.gcMillis();
            long cpu0 = Meter.processCpuNanos();
            long t0 = System.nanoTime();
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            int finished = 0;
            while (finished < channels) {
                boolean progressed = false;
                finished = 0;
                for (int i = 0; i < channels; i++) {
                    if (sent[i] >= perChannel) {
                        finished++;
                        continue;
                    }
                    DataChannel ch = p.channels.get(i);
                    if (ch.bufferedAmount() + messageBytes <= high) {
                        ch.send(payload);
                        sent[i] += messageBytes;
                        progressed = true;
                    }
                }
                if (!progressed && finished < channels) {
                    lowSignal.drainPermits();
                    boolean below = false;
                    for (int i = 0; i < channels && !below; i++) {
                        below = sent[i] < perChannel && p.channels.get(i).bufferedAmount() + messageBytes <= high;
                    }
                    if (!below) {
                        lowSignal.tryAcquire(20, TimeUnit.MILLISECONDS);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException("sending did not finish in " + timeoutMs + " ms");
                    }
                }
            }
            try {
                done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new TimeoutException("received " + got.get() + " of " + total + " bytes in " + timeoutMs + " ms");
            }
            long wall = System.nanoTime() - t0;
            long cpu = Meter.processCpuNanos() - cpu0;
            long jit1 = Meter.jitMillis();
            long gc1 = Meter.gcMillis();
            Meter.ThreadSnapshot s1 = Meter.ThreadSnapshot.take();
            Map<String, Long> udp = Meter.delta(udp0, Meter.udpCounters());
            double mb = total / 1e6;
            Map<String, Long> counters = Internals.sum(Internals.counters(p.a), Internals.counters(p.b));
            counters.put("jvm.jitMs", jit0 < 0 || jit1 < 0 ? -1 : jit1 - jit0);
            counters.put("jvm.gcMs", gc0 < 0 || gc1 < 0 ? -1 : gc1 - gc0);
            return new Round(mb / (wall / 1e9), cpu / 1e6 / mb, s0.allocatedSince(s1) / mb, counters, udp,
                    s0.cpuMsByGroup(s1, 6), pmtu0, Internals.sctpPathMtu(p.a));
        }
    }

    /**
     * An echo row's result.
     *
     * @param rtt round-trip times, µs
     * @param perRoundTrip counters of both ends (see {@link Internals}: SCTP DATA/SACK packets sent,
     *     loop tasks, loop wake-ups, datagrams read, I/O rounds, timers armed) and the process CPU time
     *     ({@code processCpuUs}) over the recorded round trips, divided by their number (diagnostics)
     */
    record Echo(Stats.Dist rtt, Map<String, Double> perRoundTrip) {
    }

    /** Counters of both ends, the process CPU time (ns, key {@code processCpuNanos}) and per-thread CPU. */
    record Snap(Map<String, Long> counters, Meter.ThreadSnapshot threads) {
    }

    static Snap snapshot(Pair p) {
        Map<String, Long> m = Internals.sum(Internals.counters(p.a), Internals.counters(p.b));
        m.put("processCpuNanos", Meter.processCpuNanos());
        return new Snap(m, Meter.ThreadSnapshot.take());
    }

    static Map<String, Double> perRoundTrip(Pair p, Snap s0, int samples) {
        Map<String, Long> before = s0.counters();
        Snap s1 = snapshot(p);
        Map<String, Long> after = s1.counters();
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        Long c0 = before.get("processCpuNanos");
        Long c1 = after.get("processCpuNanos");
        if (c0 != null && c1 != null && c0 >= 0 && c1 >= 0) {
            // the whole process (both peers, the harness thread, JIT, GC), µs per round trip
            m.put("processCpuUs", Math.round(10.0 * (c1 - c0) / 1e3 / samples) / 10.0);
        }
        // the largest thread groups' CPU, µs per round trip
        s0.threads().cpuMsByGroup(s1.threads(), 4).forEach((g, ms) ->
                m.put("cpuUs[" + g + "]", Math.round(10.0 * ms * 1e3 / samples) / 10.0));
        for (String k : List.of("sctpDataPackets", "sctpSackPackets", "rx.datagrams", "rx.pushDrains",
                "rx.loopTasks", "rx.loopWakeups", "rx.ioRounds", "rx.heldDrains", "rx.sctpTimersArmed", "sctpRetransmissions", "rx.busyPolls", "rx.busyPollHits")) {
            Long a = after.get(k);
            Long b = before.get(k);
            if (a != null && b != null) {
                m.put(k, Math.round(100.0 * (a - b) / samples) / 100.0);
            }
        }
        return m;
    }

    /**
     * Echo latency over one fresh pair: the offerer sends a binary message of {@code messageBytes},
     * the answerer sends it back from its onMessage callback, the offerer waits for it before the
     * next one. Round-trip times in µs.
     *
     * @param warmup echoes not recorded
     * @param samples echoes recorded
     */
    static Echo echo(RtcConfiguration cfg, int messageBytes, int warmup, int samples, long timeoutMs)
            throws Exception {
        try (Pair p = Pair.connect(cfg, 1, ch -> ch.onMessage(m -> ch.send(m.data())), timeoutMs)) {
            AtomicReference<CompletableFuture<DataChannelMessage>> next = new AtomicReference<>();
            p.channel().onMessage(m -> next.get().complete(m));
            byte[] payload = new byte[messageBytes];
            double[] rtt = new double[samples];
            Snap before = null;
            for (int i = 0; i < warmup + samples; i++) {
                if (i == warmup) {
                    before = snapshot(p);
                }
                CompletableFuture<DataChannelMessage> f = new CompletableFuture<>();
                next.set(f);
                long t0 = System.nanoTime();
                p.channel().send(payload);
                DataChannelMessage m = Pair.get(f, timeoutMs);
                long t = System.nanoTime() - t0;
                if (m.size() != messageBytes) {
                    throw new IllegalStateException("echo of " + m.size() + " bytes, sent " + messageBytes);
                }
                if (i >= warmup) {
                    rtt[i - warmup] = t / 1e3;
                }
            }
            return new Echo(Stats.dist(rtt, samples), perRoundTrip(p, before, samples));
        }
    }

    /**
     * Echo latency as an application that reacts in callbacks sees it: as {@link #echo}, but each
     * next message is sent from the offerer's onMessage callback (the connection's event-loop
     * thread), so no application thread is woken per round trip. The timestamps are taken in the
     * callback. Round-trip times in µs.
     *
     * @param warmup echoes not recorded
     * @param samples echoes recorded
     */
    static Echo echoFromCallback(RtcConfiguration cfg, int messageBytes, int warmup, int samples,
            long timeoutMs) throws Exception {
        try (Pair p = Pair.connect(cfg, 1, ch -> ch.onMessage(m -> ch.send(m.data())), timeoutMs)) {
            byte[] payload = new byte[messageBytes];
            double[] rtt = new double[samples];
            CompletableFuture<Void> done = new CompletableFuture<>();
            AtomicReference<Snap> before = new AtomicReference<>();
            long[] state = new long[2]; // [0] echoes so far, [1] send time; touched by the loop thread only
            p.channel().onMessage(m -> {
                long t = System.nanoTime() - state[1];
                int i = (int) state[0]++;
                if (m.size() != messageBytes) {
                    done.completeExceptionally(new IllegalStateException("echo of " + m.size() + " bytes, sent "
                            + messageBytes));
                    return;
                }
                if (i >= warmup) {
                    rtt[i - warmup] = t / 1e3;
                }
                if (i + 1 == warmup + samples) {
                    done.complete(null);
                    return;
                }
                if (i + 1 == warmup) {
                    before.set(snapshot(p));
                }
                state[1] = System.nanoTime();
                p.channel().send(payload);
            });
            if (warmup == 0) {
                before.set(snapshot(p));
            }
            // the first send is from this thread; every later one from the callback
            state[1] = System.nanoTime();
            p.channel().send(payload);
            Pair.get(done, timeoutMs * Math.max(1, (warmup + samples) / 1000));
            return new Echo(Stats.dist(rtt, samples), perRoundTrip(p, before.get(), samples));
        }
    }

    /**
     * Set-up time result.
     *
     * @param total new PeerConnection (both) to channel open, ms
     * @param phases per phase of {@link Pair#PHASES}: ms since the start at which it happened
     * @param failures connections that failed or timed out
     * @param firstErrors the first few failures
     * @param certificateInsideWindow whether each PeerConnection generated its certificate inside the window
     * @param perSetup diagnostics per recorded set-up (connect, record, close; averages over the recorded
     *     ones, failed ones included), ms: {@code cpuMs} process CPU (all threads: both peers, the JIT
     *     compilers, GC), {@code jitMs} JIT compile time (summed over the compiler threads), {@code gcMs}
     *     GC time, {@code wallMs} wall time; and {@code warmupJitMs}, the JIT compile time per warm-up
     *     set-up. -1 where the JVM does not say. A set-up runs code (SDP, ICE, the DTLS handshake, SCTP
     *     set-up) a few times each, so the JIT keeps compiling it for a thousand set-ups and more: a
     *     large {@code jitMs} against {@code cpuMs} means the row measured a JVM still compiling
     *     (issue 6, session 5: 13-20 of 21-33 CPU ms per set-up after 100 warm-ups on 2 cores).
     * @param warmupBlocks the warm-up, block by block ({@link #setup}'s rule), oldest first
     */
    record Setup(Stats.Dist total, Map<String, Stats.Dist> phases, int failures, List<String> firstErrors,
            boolean certificateInsideWindow, Map<String, Double> perSetup, List<WarmupBlock> warmupBlocks) {

        /** @return warm-up set-ups done before the recorded ones */
        public int warmupSetUps() {
            return warmupBlocks.isEmpty() ? 0 : warmupBlocks.get(warmupBlocks.size() - 1).setUpsSoFar();
        }
    }

    /**
     * One block of warm-up set-ups.
     *
     * @param setUpsSoFar warm-up set-ups done at the end of this block
     * @param p50Ms the block's set-up time p50 (as the row measures it), ms; NaN if all failed
     * @param jitMsPerSetUp JIT compile time during the block per set-up, ms; -1 if the JVM does not say
     */
    record WarmupBlock(int setUpsSoFar, double p50Ms, double jitMsPerSetUp) {
    }

    /** Warm-up set-ups per block of {@link #setup}'s warm-up rule. */
    static final int WARMUP_BLOCK = 100;

    /**
     * The warm-up ends after the first block whose JIT compile time per set-up is below this, ms.
     * Issue 6, session 5 (one JVM, 2 cores, blocks of 100): 59 ms per set-up in the first block, 21 in the
     * second (what a 100-set-up warm-up recorded), 10-15 until ~1,500 set-ups, then 1.7-5.7; the set-up
     * p50 fell from 13 to 4.4-6.5 ms meanwhile.
     */
    static final double WARM_JIT_MS_PER_SETUP = 5.0;

    /**
     * {@code count} pairs one after another: connect (one channel), record the timeline, close.
     *
     * <p>Warm-up rule: before recording, pairs are connected and closed in blocks of
     * {@link #WARMUP_BLOCK} until a block's JIT compile time per set-up is below
     * {@link #WARM_JIT_MS_PER_SETUP} (the set-up code is compiled), at most {@code warmup} set-ups in all
     * (a last block may be shorter); when the JVM does not report JIT time, one block. The blocks'
     * p50s and JIT times are returned, so the approach to the warm figure stays visible.
     *
     * @param warmup most pairs connected first and not recorded, &gt;= 0
     */
    static Setup setup(RtcConfiguration cfg, int warmup, int count, long timeoutMs) {
        long warmJit0 = Meter.jitMillis();
        List<WarmupBlock> blocks = new ArrayList<>();
        int warmed = 0;
        while (warmed < warmup) {
            int b = Math.min(WARMUP_BLOCK, warmup - warmed);
            long j0 = Meter.jitMillis();
            double[] ms = new double[b];
            int ok = 0;
            for (int i = 0; i < b; i++) {
                try (Pair p = Pair.connect(cfg, 1, ch -> { }, timeoutMs)) {
                    double[] t = p.timeline.ms();
                    ms[ok++] = t[t.length - 1];
                } catch (Exception e) {
                    // warm-up only
                }
            }
            long j1 = Meter.jitMillis();
            warmed += b;
            double jit = perEach(j0, j1, 1, b);
            blocks.add(new WarmupBlock(warmed, ok == 0 ? Double.NaN : Stats.dist(ms, ok).p50(), jit));
            if (jit < WARM_JIT_MS_PER_SETUP) {
                break; // compiled (or, at -1, the JVM does not say: one block)
            }
        }
        long warmJit1 = Meter.jitMillis();
        long cpu0 = Meter.processCpuNanos();
        long jit0 = warmJit1;
        long gc0 = Meter.gcMillis();
        long wall0 = System.nanoTime();
        double[] total = new double[count];
        double[][] phases = new double[Pair.PHASES.size()][count];
        int n = 0;
        int failures = 0;
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try (Pair p = Pair.connect(cfg, 1, ch -> { }, timeoutMs)) {
                double[] ms = p.timeline.ms();
                total[n] = ms[ms.length - 1];
                for (int k = 0; k < ms.length; k++) {
                    phases[k][n] = ms[k];
                }
                n++;
            } catch (Exception e) {
                failures++;
                if (errors.size() < 5) {
                    errors.add(e.toString());
                }
            }
        }
        long wall1 = System.nanoTime();
        long cpu1 = Meter.processCpuNanos();
        long jit1 = Meter.jitMillis();
        long gc1 = Meter.gcMillis();
        Map<String, Stats.Dist> byPhase = new java.util.LinkedHashMap<>();
        for (int k = 0; k < Pair.PHASES.size(); k++) {
            byPhase.put(Pair.PHASES.get(k), Stats.dist(phases[k], n));
        }
        Map<String, Double> perSetup = new java.util.LinkedHashMap<>();
        perSetup.put("cpuMs", perEach(cpu0, cpu1, 1e6, count));
        perSetup.put("jitMs", perEach(jit0, jit1, 1, count));
        perSetup.put("gcMs", perEach(gc0, gc1, 1, count));
        perSetup.put("wallMs", perEach(wall0, wall1, 1e6, count));
        perSetup.put("warmupJitMs", perEach(warmJit0, warmJit1, 1, warmed));
        return new Setup(Stats.dist(total, n), byPhase, failures, errors, cfg.certificate() == null, perSetup,
                List.copyOf(blocks));
    }

    /** @return (b - a) / unit / count, or -1 if a counter is unknown (-1) or count is 0 */
    private static double perEach(long a, long b, double unit, int count) {
        return a < 0 || b < 0 || count <= 0 ? -1 : (b - a) / unit / count;
    }
}
