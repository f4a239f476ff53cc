package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.Mid;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * I-FORWARD-TSN (type 194), RFC 8260 §2.3.1: FORWARD TSN for associations using I-DATA. "The
 * difference between the FORWARD-TSN and the I-FORWARD-TSN chunk is that the 16-bit Stream Sequence
 * Number (SSN) has been replaced by the 32-bit Message Identifier (MID) and the largest skipped MID can
 * also be provided for unordered messages."
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 194  | Flags = 0x00  |      Length = Variable        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       New Cumulative TSN                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       Stream Identifier       |          Reserved           |U|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Message Identifier                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                                                               /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       Stream Identifier       |          Reserved           |U|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Message Identifier                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The reserved bits "MUST be set to 0 by the sender and MUST be ignored by the receiver".
 *
 * @param newCumulativeTsn the TSN the receiver's cumulative ack point moves to
 * @param skipped per (stream, U bit) the largest skipped MID
 */
public record IForwardTsnChunk(Tsn newCumulativeTsn, List<SkippedMessage> skipped) implements Chunk {
    /** Chunk type. */
    public static final int TYPE = 194;

    /**
     * One entry: "the largest Message Identifier for ordered or unordered messages indicated by the U
     * bit that was skipped for the stream specified by the Stream Identifier".
     *
     * @param streamId stream identifier 0..65535
     * @param unordered the U bit: the MID counts unordered messages
     * @param mid the largest skipped MID
     */
    public record SkippedMessage(StreamId streamId, boolean unordered, Mid mid) {
        /** Convenience constructor from raw values (stream 0..65535). */
        public SkippedMessage(int streamId, boolean unordered, int mid) {
            this(new StreamId(streamId), unordered, new Mid(mid));
        }

        @Override
        public String toString() {
            return streamId + (unordered ? "U" : "") + ":" + mid;
        }
    }

    /** Copies the list. */
    public IForwardTsnChunk {
        skipped = List.copyOf(skipped);
    }

    /** Convenience constructor from a raw TSN. */
    public IForwardTsnChunk(int newCumulativeTsn, List<SkippedMessage> skipped) {
        this(new Tsn(newCumulativeTsn), skipped);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not 4 + 8n bytes
     */
    public static IForwardTsnChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        int n = v.remaining();
        if (n < 4 || (n - 4) % 8 != 0) {
            throw new PacketParseException("I-FORWARD-TSN: value length " + n + " is not 4 + 8n");
        }
        int p = v.position();
        List<SkippedMessage> s = new ArrayList<>();
        for (int off = 4; off < n; off += 8) {
            s.add(new SkippedMessage(v.getShort(p + off) & 0xffff, (v.getShort(p + off + 2) & 1) != 0,
                    v.getInt(p + off + 4)));
        }
        return new IForwardTsnChunk(v.getInt(p), s);
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 4 + 8 * skipped.size();
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(newCumulativeTsn.value());
        for (SkippedMessage s : skipped) {
            out.putShort((short) s.streamId().value()).putShort((short) (s.unordered() ? 1 : 0)).putInt(s.mid().value());
        }
    }

    @Override
    public String toString() {
        return "I_FORWARD_TSN(cum=" + newCumulativeTsn + ", " + skipped + ")";
    }
}
