package org.jdatachannel.benchmarks.micro;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
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
 * {@link SctpPacket#parse(ByteBuffer, boolean)} and {@link SctpPacket#serialize(boolean)} of the
 * packets a bulk transfer consists of, with the CRC32c (browsers) or a zero checksum (RFC 9653,
 * negotiated Java⇄Java):
 * <ul>
 * <li>{@code DATA}: one DATA chunk with 1160 payload bytes, a full packet at the default MTU of
 *     1191 bytes ({@code SctpOptions}): 12 + 16 + 1160 = 1188 bytes;</li>
 * <li>{@code IDATA}: one I-DATA chunk (RFC 8260) with 1156 payload bytes (1188 bytes);</li>
 * <li>{@code SACK}: a SACK without gap blocks (28 bytes), the steady-state acknowledgement;</li>
 * <li>{@code SACK_GAPS}: a SACK with 16 gap ack blocks and 2 duplicate TSNs (100 bytes), what a
 *     receiver sends under loss.</li>
 * </ul>
 * Parse includes the checksum check (skipped for a zero checksum when accepted, as on the
 * receive path) and copies the DATA payload, as the receive path does today. Score: operations
 * (packets) per microsecond; with {@code -prof gc}, bytes allocated per packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xbatch")
public class SctpPacketBenchmark {
    /** Packet shapes, see the class comment. */
    public enum Kind { DATA, IDATA, SACK, SACK_GAPS }

    /** Checksum field: a CRC32c computed and verified, or zero (RFC 9653). */
    public enum Checksum { CRC32C, ZERO }

    /** DATA payload bytes of a full packet at MTU 1191: 1191 - 12 - 16, rounded down to 4. */
    public static final int DATA_PAYLOAD = 1160;
    /** I-DATA payload bytes of a full packet at MTU 1191: 1191 - 12 - 20, rounded down to 4. */
    public static final int IDATA_PAYLOAD = 1156;

    @Param({"DATA", "IDATA", "SACK", "SACK_GAPS"})
    public Kind kind;

    @Param({"CRC32C", "ZERO"})
    public Checksum checksum;

    private SctpPacket packet;
    private byte[] wire;
    private boolean zero;

    /** Builds the packet and its wire form. */
    @Setup
    public void setUp() {
        packet = packet(kind);
        zero = checksum == Checksum.ZERO;
        wire = packet.serialize(zero);
    }

    /** @return the packet of the given shape (deterministic contents) */
    public static SctpPacket packet(Kind kind) {
        SplittableRandom rnd = new SplittableRandom(7);
        List<Chunk> chunks = new ArrayList<>();
        switch (kind) {
            case DATA -> {
                byte[] p = new byte[DATA_PAYLOAD];
                rnd.nextBytes(p);
                chunks.add(new DataChunk(1_000_000, 1, 17, 53, p, false, false, false));
            }
            case IDATA -> {
                byte[] p = new byte[IDATA_PAYLOAD];
                rnd.nextBytes(p);
                chunks.add(new IDataChunk(1_000_000, 1, 17, 3, 0, p, false, false, false));
            }
            case SACK -> chunks.add(new SackChunk(1_000_000, 1 << 20, List.of(), new int[0]));
            case SACK_GAPS -> {
                List<SackChunk.GapAckBlock> gaps = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    gaps.add(new SackChunk.GapAckBlock(2 + 3 * i, 3 + 3 * i));
                }
                chunks.add(new SackChunk(1_000_000, 900_000, gaps, new int[] {999_990, 999_995}));
            }
            default -> throw new IllegalArgumentException("kind " + kind);
        }
        return new SctpPacket(5000, 5000, 0x1234_5678, chunks);
    }

    /** @return the parsed packet */
    @Benchmark
    public SctpPacket parse() throws PacketParseException {
        return SctpPacket.parse(ByteBuffer.wrap(wire), true);
    }

    /** @return the packet's bytes */
    @Benchmark
    public byte[] serialize() {
        return packet.serialize(zero);
    }

    byte[] wire() {
        return wire;
    }

    SctpPacket packet() {
        return packet;
    }
}
