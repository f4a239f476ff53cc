package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Ppid;
import org.jdatachannel.sctp.packet.Ssn;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * DATA (type 0), RFC 9260 §3.3.1. Flags: U (unordered, bit 2), B (beginning fragment, bit 1),
 * E (ending fragment, bit 0), I (SACK-IMMEDIATELY, bit 3, RFC 7053 §4.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 0    |  Res  |I|U|B|E|           Length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                              TSN                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Stream Identifier S      |   Stream Sequence Number n    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Payload Protocol Identifier                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                 User Data (seq n of Stream S)                 /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param tsn transmission sequence number (32-bit serial)
 * @param streamId stream identifier 0..65535
 * @param ssn stream sequence number 0..65535 (meaningless for unordered chunks)
 * @param ppid payload protocol identifier, opaque
 * @param payload the array holding the user data of this fragment at {@code payloadOffset}, length
 *     {@code payloadLength} (not copied; treat as read-only). The accessor {@link #payload()} returns
 *     exactly the fragment's bytes (a copy only when the chunk is a slice of a larger array, as on
 *     the send path, where fragments share the message's array). May be empty when parsed (RFC 9260
 *     §6.2 says to ABORT with "No User Data"); never empty when sent.
 * @param unordered the U bit
 * @param beginning the B bit
 * @param end the E bit
 * @param immediateAck the I bit (RFC 7053): the sender asks for a SACK without delay
 * @param payloadOffset where the fragment's bytes start in {@code payload}, &gt;= 0
 * @param payloadLength the fragment's length in bytes, 0..payload.length - payloadOffset
 */
public record DataChunk(Tsn tsn, StreamId streamId, Ssn ssn, Ppid ppid, byte[] payload, boolean unordered,
        boolean beginning, boolean end, boolean immediateAck, int payloadOffset, int payloadLength)
        implements UserDataChunk {
    /** Chunk type. */
    public static final int TYPE = 0;
    /** Header bytes in front of the user data (chunk header plus fixed fields). */
    public static final int HEADER_SIZE = 16;

    /**
     * Checks the slice.
     *
     * @throws IllegalArgumentException if {@code payload} is null or the slice lies outside it
     */
    public DataChunk {
        if (payload == null || payloadOffset < 0 || payloadLength < 0 || payloadOffset > payload.length - payloadLength) {
            throw new IllegalArgumentException("DATA payload slice " + payloadOffset + "+" + payloadLength
                    + " outside an array of " + (payload == null ? "null" : payload.length + " bytes"));
        }
    }

    /** A chunk whose payload is the whole array. */
    public DataChunk(Tsn tsn, StreamId streamId, Ssn ssn, Ppid ppid, byte[] payload, boolean unordered,
            boolean beginning, boolean end, boolean immediateAck) {
        this(tsn, streamId, ssn, ppid, payload, unordered, beginning, end, immediateAck, 0,
                payload == null ? 0 : payload.length);
    }

    /** A chunk without the I bit. */
    public DataChunk(Tsn tsn, StreamId streamId, Ssn ssn, Ppid ppid, byte[] payload, boolean unordered,
            boolean beginning, boolean end) {
        this(tsn, streamId, ssn, ppid, payload, unordered, beginning, end, false);
    }

    /** Convenience constructor from raw values (stream and SSN 0..65535), without the I bit. */
    public DataChunk(int tsn, int streamId, int ssn, int ppid, byte[] payload, boolean unordered, boolean beginning,
            boolean end) {
        this(new Tsn(tsn), new StreamId(streamId), new Ssn(ssn), new Ppid(ppid), payload, unordered, beginning, end,
                false);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if shorter than the 12 fixed bytes
     */
    public static DataChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        Tlv.expectAtLeast("DATA", v, 12);
        int p = v.position();
        byte[] payload = new byte[v.remaining() - 12];
        v.get(p + 12, payload); // absolute bulk get: no duplicate buffer
        return new DataChunk(new Tsn(v.getInt(p)), new StreamId(v.getShort(p + 4) & 0xffff),
                new Ssn(v.getShort(p + 6) & 0xffff), new Ppid(v.getInt(p + 8)), payload, (flags & 4) != 0,
                (flags & 2) != 0, (flags & 1) != 0, (flags & 8) != 0);
    }

    /** @return exactly this fragment's user data: the array itself unless the chunk is a slice of it */
    @Override
    public byte[] payload() {
        return payloadOffset == 0 && payloadLength == payload.length ? payload
                : java.util.Arrays.copyOfRange(payload, payloadOffset, payloadOffset + payloadLength);
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int headerSize() {
        return HEADER_SIZE;
    }

    @Override
    public int flags() {
        return (immediateAck ? 8 : 0) | (unordered ? 4 : 0) | (beginning ? 2 : 0) | (end ? 1 : 0);
    }

    @Override
    public int valueLength() {
        return 12 + payloadLength;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(tsn.value()).putShort((short) streamId.value()).putShort((short) ssn.value()).putInt(ppid.value())
                .put(payload, payloadOffset, payloadLength);
    }

    @Override
    public String toString() {
        return "DATA(tsn=" + tsn + ", stream=" + streamId + ", ssn=" + ssn + ", ppid=" + ppid + ", " + (unordered ? "U" : "")
                + (beginning ? "B" : "") + (end ? "E" : "") + (immediateAck ? "I" : "") + ", " + payloadLength + " bytes)";
    }
}
