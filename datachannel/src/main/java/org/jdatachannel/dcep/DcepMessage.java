package org.jdatachannel.dcep;

import java.nio.ByteBuffer;

/**
 * A Data Channel Establishment Protocol message (RFC 8832 §5), carried in SCTP user messages with
 * PPID 50 ("WebRTC DCEP"). Immutable; thread-safe.
 *
 * <p>Every message starts with a one-byte Message Type (RFC 8832 §8.2.1): 0x03 DATA_CHANNEL_OPEN,
 * 0x02 DATA_CHANNEL_ACK. Other values are reserved or unassigned and are rejected by
 * {@link #parse(ByteBuffer)}.
 */
public sealed interface DcepMessage permits DataChannelOpen, DataChannelAck {

    /** SCTP payload protocol identifier of DCEP messages (RFC 8832 §8.1: "WebRTC DCEP", 50). */
    int PPID = 50;

    /** Message Type of DATA_CHANNEL_OPEN (RFC 8832 §8.2.1). */
    int TYPE_OPEN = 0x03;

    /** Message Type of DATA_CHANNEL_ACK (RFC 8832 §8.2.1). */
    int TYPE_ACK = 0x02;

    /**
     * Parses one DCEP message occupying exactly the bytes between the buffer's position and limit.
     * The buffer's position, limit and contents are not changed.
     *
     * @param exactSlice the whole SCTP user message, nothing more
     * @return the message
     * @throws DcepParseException if the bytes are not exactly one well-formed OPEN or ACK: empty,
     *                            unknown message or channel type, lengths that disagree with the
     *                            size, trailing bytes, or label/protocol not valid UTF-8
     */
    static DcepMessage parse(ByteBuffer exactSlice) throws DcepParseException {
        if (exactSlice == null || !exactSlice.hasRemaining()) {
            throw new DcepParseException("empty DCEP message");
        }
        ByteBuffer b = exactSlice.slice();
        int type = b.get(0) & 0xff;
        return switch (type) {
            case TYPE_OPEN -> DataChannelOpen.parseBody(b);
            case TYPE_ACK -> DataChannelAck.parseBody(b);
            default -> throw new DcepParseException(
                    "unknown DCEP message type 0x" + Integer.toHexString(type) + " (" + b.remaining() + " bytes)");
        };
    }

    /** @return the number of bytes {@link #serializeTo(ByteBuffer)} writes */
    int serializedLength();

    /**
     * Writes the message at the buffer's position and advances it.
     *
     * @param out a buffer with at least {@link #serializedLength()} bytes remaining
     * @throws java.nio.BufferOverflowException if there is not enough room
     */
    void serializeTo(ByteBuffer out);

    /** @return a new array holding the serialized message */
    default byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(serializedLength());
        serializeTo(b);
        return b.array();
    }
}
