package org.jdatachannel.benchmarks.micro;

import java.util.concurrent.TimeUnit;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.rx.DataTracker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SACK generation by {@link DataTracker} (RFC 9260 §6.2, §6.7):
 * <ul>
 * <li>{@link #inOrder}: the steady state of a loss-free transfer: two packets with one DATA chunk
 *     each arrive in TSN order (duplicate and window checks, {@code observe}, {@code packetWithData}),
 *     then the SACK that §6.2's every-second-packet rule asks for is built;</li>
 * <li>{@link #withGaps}: building a SACK while TSNs above the cumulative TSN are held in
 *     {@code gaps} runs of two TSNs, one missing TSN before each (as after scattered losses);
 *     {@code createSack} leaves that state unchanged, so every operation builds the same SACK.
 *     64 is {@link DataTracker#MAX_GAP_BLOCKS}; 128 held runs measure the cost of walking past the
 *     reported ones.</li>
 * </ul>
 * Score: SACKs per microsecond; with {@code -prof gc}, bytes allocated per SACK.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xbatch")
public class SackBenchmark {
    /** Advertised receive window used for every SACK, bytes. */
    static final long A_RWND = 1 << 20;

    /** A tracker receiving in order, TSNs crossing the 32-bit wrap. */
    @State(Scope.Thread)
    public static class InOrder {
        DataTracker tracker;
        int next;

        /** A fresh tracker just below the TSN wrap. */
        @Setup
        public void setUp() {
            next = 0xFFFF_F000;
            tracker = new DataTracker(next);
        }

        void receive() {
            long u = tracker.unwrap(next);
            if (!tracker.isDuplicate(u) && !tracker.isTooFarAhead(u)) {
                tracker.observe(u);
            }
            tracker.packetWithData();
            next++;
        }
    }

    /** A tracker holding {@code gaps} runs above its cumulative TSN. */
    @State(Scope.Thread)
    public static class Gaps {
        @Param({"1", "16", "64", "128"})
        public int gaps;

        DataTracker tracker;

        /** Cumulative TSN 1000, then runs {1002,1003}, {1005,1006}, ... */
        @Setup
        public void setUp() {
            tracker = new DataTracker(1000);
            tracker.observe(tracker.unwrap(1000));
            for (int i = 0; i < gaps; i++) {
                int first = 1002 + 3 * i;
                tracker.observe(tracker.unwrap(first));
                tracker.observe(tracker.unwrap(first + 1));
            }
        }
    }

    /** @return the SACK due after two in-order packets */
    @Benchmark
    public SackChunk inOrder(InOrder s) {
        s.receive();
        s.receive();
        return s.tracker.createSack(A_RWND);
    }

    /** @return a SACK reporting up to 64 gap ack blocks */
    @Benchmark
    public SackChunk withGaps(Gaps s) {
        return s.tracker.createSack(A_RWND);
    }
}
