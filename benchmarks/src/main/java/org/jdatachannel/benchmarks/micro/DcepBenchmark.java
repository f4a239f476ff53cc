package org.jdatachannel.benchmarks.micro;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.dcep.ChannelType;
import org.jdatachannel.dcep.DataChannelOpen;
import org.jdatachannel.dcep.DcepMessage;
import org.jdatachannel.dcep.DcepParseException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DCEP (RFC 8832 §5.1) DATA_CHANNEL_OPEN: {@link #encodeOpen} ({@link DcepMessage#toBytes()}) and
 * {@link #parseOpen} ({@link DcepMessage#parse}, UTF-8 label and protocol checks included) of a
 * reliable ordered channel labelled {@code "chat"} with sub-protocol {@code "json"}, as a
 * browser's {@code createDataChannel("chat", {protocol: "json"})} sends it. Score: messages per
 * microsecond; with {@code -prof gc}, bytes allocated per message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xbatch")
public class DcepBenchmark {
    private DataChannelOpen open;
    private byte[] wire;

    /** The OPEN message and its bytes. */
    @Setup
    public void setUp() {
        open = new DataChannelOpen(ChannelType.RELIABLE, DataChannelOpen.PRIORITY_NORMAL, 0, "chat", "json");
        wire = open.toBytes();
    }

    /** @return the serialized OPEN */
    @Benchmark
    public byte[] encodeOpen() {
        return open.toBytes();
    }

    /** @return the parsed OPEN */
    @Benchmark
    public DcepMessage parseOpen() throws DcepParseException {
        return DcepMessage.parse(ByteBuffer.wrap(wire));
    }

    DataChannelOpen open() {
        return open;
    }
}
