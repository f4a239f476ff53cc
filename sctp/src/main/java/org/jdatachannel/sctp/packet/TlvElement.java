package org.jdatachannel.sctp.packet;

import java.nio.ByteBuffer;

/**
 * What chunks (RFC 9260 §3.2), parameters (§3.2.1) and error causes (§3.3.10) share on the wire: a
 * 16-bit header word, a 16-bit length, then the value padded with zero bytes to a multiple of 4.
 * Each wire element stays its own immutable type; this interface only holds the header, length and
 * padding rules once.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Chunk Type  | Chunk  Flags  |         Chunk Length          |   (chunks)
 * |  Parameter Type / Cause Code  |   Parameter / Cause Length    |   (parameters, causes)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                        Value (+ padding)                      /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * RFC 9260 §3.2: "The Chunk Length field does not count any chunk padding"; §3.2.1: "The Parameter
 * Length field MUST NOT include any padding bytes" and "the sender MUST pad the parameter with all
 * zero bytes to make the parameter 32-bit aligned".
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface TlvElement {

    /**
     * @return the first 16 bits of the header: the parameter type or cause code (0..65535); for a
     *     chunk, the chunk type in the high byte and the chunk flags in the low byte
     */
    int headerWord();

    /** @return the value length in bytes, excluding the 4-byte header and the padding (0..65531) */
    int valueLength();

    /** Writes the value only: exactly {@link #valueLength()} bytes, no header, no padding. */
    void serializeValueTo(ByteBuffer out);

    /** @return header plus value, without padding: the Length field, 4..65535 */
    default int serializedLength() {
        return Tlv.HEADER_SIZE + valueLength();
    }

    /**
     * Writes header, value and padding (to a multiple of 4 bytes).
     *
     * @throws java.nio.BufferOverflowException if {@code out} has less than
     *     {@code Tlv.padded(serializedLength())} bytes left
     */
    default void serializeTo(ByteBuffer out) {
        serializeUnpaddedTo(out);
        Tlv.pad(out, serializedLength());
    }

    /**
     * Writes header and value without the trailing padding, as the last parameter or cause inside a
     * chunk is written (RFC 9260 §3.2: the Chunk Length "does include padding of any
     * variable-length parameter except the last parameter in the chunk").
     */
    default void serializeUnpaddedTo(ByteBuffer out) {
        out.putShort((short) headerWord());
        out.putShort((short) serializedLength());
        serializeValueTo(out);
    }

    /** @return the whole element, header and value, without padding (as quoted in error causes) */
    static byte[] unpaddedBytes(TlvElement e) {
        ByteBuffer b = ByteBuffer.allocate(e.serializedLength());
        e.serializeUnpaddedTo(b);
        return b.array();
    }
}
