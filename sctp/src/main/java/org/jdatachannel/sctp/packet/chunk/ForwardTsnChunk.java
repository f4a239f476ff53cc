package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Ssn;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * FORWARD TSN (type 192), RFC 3758 §3.2: tells the receiver to move its cumulative TSN ack point
 * forward, skipping abandoned messages.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 192  |  Flags = 0x00 |        Length = Variable      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      New Cumulative TSN                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Stream-1              |       Stream Sequence-1       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               /
 * /                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Stream-N              |       Stream Sequence-N       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param newCumulativeTsn the TSN the receiver's cumulative ack point moves to
 * @param skipped the (stream, largest skipped SSN) pairs for ordered streams
 */
public record ForwardTsnChunk(Tsn newCumulativeTsn, List<SkippedStream> skipped) implements Chunk {
    /** Chunk type. */
    public static final int TYPE = 192;

    /**
     * One skipped ordered stream.
     *
     * @param streamId stream identifier 0..65535
     * @param ssn the largest SSN skipped on it, 0..65535
     */
    public record SkippedStream(StreamId streamId, Ssn ssn) {
        /** Convenience constructor from raw values 0..65535. */
        public SkippedStream(int streamId, int ssn) {
            this(new StreamId(streamId), new Ssn(ssn));
        }
    }

    /** Copies the list. */
    public ForwardTsnChunk {
        skipped = List.copyOf(skipped);
    }

    /** Convenience constructor from a raw TSN. */
    public ForwardTsnChunk(int newCumulativeTsn, List<SkippedStream> skipped) {
        this(new Tsn(newCumulativeTsn), skipped);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is shorter than 4 bytes or not 4 + 4n bytes
     */
    public static ForwardTsnChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        int n = v.remaining();
        if (n < 4 || n % 4 != 0) {
            throw new PacketParseException("FORWARD TSN: value length " + n + " is not 4 + 4n");
        }
        int p = v.position();
        List<SkippedStream> s = new ArrayList<>();
        for (int off = 4; off < n; off += 4) {
            s.add(new SkippedStream(v.getShort(p + off) & 0xffff, v.getShort(p + off + 2) & 0xffff));
        }
        return new ForwardTsnChunk(v.getInt(p), s);
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 4 + 4 * skipped.size();
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(newCumulativeTsn.value());
        for (SkippedStream s : skipped) {
            out.putShort((short) s.streamId().value()).putShort((short) s.ssn().value());
        }
    }

    @Override
    public String toString() {
        return "FORWARD_TSN(cum=" + newCumulativeTsn + ", " + skipped + ")";
    }
}
