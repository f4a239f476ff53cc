package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.Mid;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Ppid;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * I-DATA (type 64), RFC 8260 §2.1: user data that supports message interleaving. Flags as for DATA:
 * I (bit 3, RFC 7053), U (bit 2), B (bit 1), E (bit 0). The SSN is replaced by the 32-bit Message
 * Identifier, and the PPID field carries the Fragment Sequence Number on every fragment except the
 * first: "If the B bit is set, this field contains the PPID of the user message. ... In this case the
 * FSN is implicitly considered to be 0. If the B bit is not set, this field contains the FSN."
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 64   |  Res  |I|U|B|E|       Length = Variable       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                              TSN                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Stream Identifier      |           Reserved            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Message Identifier                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Payload Protocol Identifier / Fragment Sequence Number     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                           User Data                           /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The Reserved field "MUST be set to 0 by the sender and MUST be ignored by the receiver".
 *
 * @param tsn transmission sequence number (32-bit serial)
 * @param streamId stream identifier 0..65535
 * @param mid message identifier (32-bit serial, per stream and U bit)
 * @param fsn fragment sequence number (32-bit serial); 0 when {@code beginning}
 * @param ppid payload protocol identifier; meaningful only when {@code beginning} (set to 0 on
 *     non-first fragments, where the field carries the FSN)
 * @param payload the array holding the user data of this fragment at {@code payloadOffset}, length
 *     {@code payloadLength} (not copied; treat as read-only). The accessor {@link #payload()} returns
 *     exactly the fragment's bytes (a copy only when the chunk is a slice of a larger array, as on the
 *     send path). May be empty when parsed (RFC 9260 §6.2 "No User Data" applies as for DATA); never
 *     empty when sent.
 * @param unordered the U bit
 * @param beginning the B bit
 * @param end the E bit
 * @param immediateAck the I bit (RFC 7053)
 * @param payloadOffset where the fragment's bytes start in {@code payload}, &gt;= 0
 * @param payloadLength the fragment's length in bytes, 0..payload.length - payloadOffset
 */
public record IDataChunk(Tsn tsn, StreamId streamId, Mid mid, int fsn, Ppid ppid, byte[] payload, boolean unordered,
        boolean beginning, boolean end, boolean immediateAck, int payloadOffset, int payloadLength)
        implements UserDataChunk {
    /** Chunk type. */
    public static final int TYPE = 64;
    /** Header bytes in front of the user data (RFC 8260 §2.1: "The length of the I-DATA chunk header is 20 bytes"). */
    public static final int HEADER_SIZE = 20;

    /**
     * Normalizes the PPID of a non-first fragment to 0 (it is not on the wire), so that a chunk equals
     * its parsed form.
     *
     * @throws IllegalArgumentException if a first fragment (B bit) has a non-zero FSN, or a field is null
     */
    public IDataChunk {
        if (tsn == null || streamId == null || mid == null || ppid == null || payload == null) {
            throw new IllegalArgumentException("I-DATA fields must not be null");
        }
        if (payloadOffset < 0 || payloadLength < 0 || payloadOffset > payload.length - payloadLength) {
            throw new IllegalArgumentException("I-DATA payload slice " + payloadOffset + "+" + payloadLength
                    + " outside an array of " + payload.length + " bytes");
        }
        if (beginning && fsn != 0) {
            throw new IllegalArgumentException("I-DATA with the B bit has FSN 0 implicitly, not " + Integer.toUnsignedString(fsn));
        }
        if (!beginning && ppid.value() != 0) {
            ppid = new Ppid(0);
        }
    }

    /** A chunk whose payload is the whole array. */
    public IDataChunk(Tsn tsn, StreamId streamId, Mid mid, int fsn, Ppid ppid, byte[] payload, boolean unordered,
            boolean beginning, boolean end, boolean immediateAck) {
        this(tsn, streamId, mid, fsn, ppid, payload, unordered, beginning, end, immediateAck, 0,
                payload == null ? 0 : payload.length);
    }

    /** Convenience constructor from raw values (stream 0..65535), without the I bit. */
    public IDataChunk(int tsn, int streamId, int mid, int fsn, int ppid, byte[] payload, boolean unordered,
            boolean beginning, boolean end) {
        this(new Tsn(tsn), new StreamId(streamId), new Mid(mid), fsn, new Ppid(ppid), payload, unordered, beginning,
                end, false);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if shorter than the 16 fixed bytes
     */
    public static IDataChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return parse(flags, v, false);
    }

    /**
     * Parses from an exactly-sized value slice, optionally without copying the user data.
     *
     * @param borrow false to copy the user data into an array of its own (the chunk is then a value
     *     independent of {@code v}); true to let the chunk refer to {@code v}'s backing array
     *     ({@link #payloadArray()} at {@link #payloadOffset()}) when {@code v} has one: such a chunk is
     *     valid only while the caller leaves those bytes unchanged, so whoever keeps its data must copy
     *     it ({@link #payload()} does). A buffer without an accessible array is always copied.
     * @throws PacketParseException if shorter than the 16 fixed bytes
     */
    public static IDataChunk parse(int flags, ByteBuffer v, boolean borrow) throws PacketParseException {
        Tlv.expectAtLeast("I-DATA", v, 16);
        int p = v.position();
        int n = v.remaining() - 16;
        byte[] payload;
        int offset;
        if (borrow && v.hasArray()) {
            // no copy per fragment: the reassembly queue copies what it keeps straight into the message
            payload = v.array();
            offset = v.arrayOffset() + p + 16;
        } else {
            payload = new byte[n];
            v.get(p + 16, payload); // absolute bulk get: no duplicate buffer
            offset = 0;
        }
        boolean b = (flags & 2) != 0;
        int ppidOrFsn = v.getInt(p + 12);
        return new IDataChunk(new Tsn(v.getInt(p)), new StreamId(v.getShort(p + 4) & 0xffff), new Mid(v.getInt(p + 8)),
                b ? 0 : ppidOrFsn, new Ppid(b ? ppidOrFsn : 0), payload, (flags & 4) != 0, b, (flags & 1) != 0,
                (flags & 8) != 0, offset, n);
    }

    /**
     * @return the array holding this fragment's user data at {@link #payloadOffset()} (length
     *     {@link #payloadLength()}), without copying; treat as read-only. For a chunk parsed with
     *     {@code borrow} it is the received packet's buffer, valid only during the receive call.
     */
    public byte[] payloadArray() {
        return payload;
    }

    /** @return a copy with the I bit set to {@code i} */
    public IDataChunk withImmediateAck(boolean i) {
        return new IDataChunk(tsn, streamId, mid, fsn, ppid, payload, unordered, beginning, end, i, payloadOffset,
                payloadLength);
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
        return 16 + payloadLength;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(tsn.value()).putShort((short) streamId.value()).putShort((short) 0).putInt(mid.value())
                .putInt(beginning ? ppid.value() : fsn).put(payload, payloadOffset, payloadLength);
    }

    @Override
    public String toString() {
        return "I-DATA(tsn=" + tsn + ", stream=" + streamId + ", mid=" + mid
                + (beginning ? ", ppid=" + ppid : ", fsn=" + Integer.toUnsignedString(fsn)) + ", " + (unordered ? "U" : "")
                + (beginning ? "B" : "") + (end ? "E" : "") + (immediateAck ? "I" : "") + ", " + payloadLength + " bytes)";
    }
}
