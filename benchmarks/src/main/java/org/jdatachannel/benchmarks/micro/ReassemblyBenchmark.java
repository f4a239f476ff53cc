package org.jdatachannel.benchmarks.micro;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.rx.ReassemblyQueue;
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
 * {@link ReassemblyQueue#add}: one user message per operation, its fragments fed in TSN order as
 * a loss-free transfer delivers them (RFC 9260 §6.9 fragmentation at the full-packet payload of
 * {@link SctpPacketBenchmark#DATA_PAYLOAD} bytes, I-DATA at {@link SctpPacketBenchmark#IDATA_PAYLOAD}):
 * {@code ORDERED} DATA on one stream (consecutive SSNs), {@code UNORDERED} DATA, and
 * {@code IDATA_ORDERED} (RFC 8260, consecutive MIDs, FSNs from 0). Message sizes 1024 bytes (one
 * chunk, handed over without a copy) and 65536 bytes (57 fragments, copied into one array).
 *
 * <p>The chunk objects are built per operation (the receive path's parser builds them per packet
 * too) around payload arrays prepared once, so the score is the queue's own cost plus one small
 * record per fragment. Score: messages per microsecond (× message size = MB/s); with
 * {@code -prof gc}, bytes allocated per message (≥ the message size for fragmented messages:
 * the reassembled array).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xbatch")
public class ReassemblyBenchmark {
    /** How messages are delivered. */
    public enum Delivery { ORDERED, UNORDERED, IDATA_ORDERED }

    @Param({"ORDERED", "UNORDERED", "IDATA_ORDERED"})
    public Delivery delivery;

    @Param({"1024", "65536"})
    public int messageSize;

    private ReassemblyQueue queue;
    private byte[][] parts;
    private long tsn;
    private int ssn;
    private int mid;
    private long deliveredBytes;
    private int deliveredMessages;
    private final ReassemblyQueue.Sink sink = (stream, ppid, payload, unordered) -> {
        deliveredBytes += payload.length;
        deliveredMessages++;
    };

    /** Splits the message into fragment payloads and creates an empty queue. */
    @Setup
    public void setUp() {
        boolean idata = delivery == Delivery.IDATA_ORDERED;
        int frag = idata ? SctpPacketBenchmark.IDATA_PAYLOAD : SctpPacketBenchmark.DATA_PAYLOAD;
        int n = (messageSize + frag - 1) / frag;
        parts = new byte[n][];
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < n; i++) {
            parts[i] = new byte[Math.min(frag, messageSize - i * frag)];
            rnd.nextBytes(parts[i]);
        }
        queue = new ReassemblyQueue(256 * 1024, idata);
        tsn = 0xFFFF_FF00L; // crosses the 32-bit TSN wrap early in the run
        ssn = 0;
        mid = 0;
    }

    /** @return messages delivered so far (one more per call) */
    @Benchmark
    public int message() {
        int n = parts.length;
        for (int i = 0; i < n; i++) {
            boolean b = i == 0;
            boolean e = i == n - 1;
            if (delivery == Delivery.IDATA_ORDERED) {
                queue.add(tsn, new IDataChunk((int) tsn, 1, mid, i, b ? 51 : 0, parts[i], false, b, e), sink);
            } else {
                boolean u = delivery == Delivery.UNORDERED;
                queue.add(tsn, new DataChunk((int) tsn, 1, u ? 0 : ssn, 53, parts[i], u, b, e), sink);
            }
            tsn++;
        }
        ssn = (ssn + 1) & 0xffff;
        mid++;
        return deliveredMessages;
    }

    long deliveredBytes() {
        return deliveredBytes;
    }

    int deliveredMessages() {
        return deliveredMessages;
    }

    int entries() {
        return queue.entries();
    }
}
