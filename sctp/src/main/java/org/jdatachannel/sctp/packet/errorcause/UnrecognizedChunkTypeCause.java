package org.jdatachannel.sctp.packet.errorcause;

import org.jdatachannel.sctp.packet.Tlv;

/**
 * Unrecognized Chunk Type (cause code 6), RFC 9260 §3.3.10.6. The value is the unrecognized chunk (header included).
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 6     |      Cause Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                    unrecognizedChunk                                /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param unrecognizedChunk the raw bytes (not copied; treat as read-only)
 */
public record UnrecognizedChunkTypeCause(byte[] unrecognizedChunk) implements ErrorCause, TextCause {
    /** Cause code. */
    public static final int CODE = 6;

    /** Builds the cause from a UTF-8 text (for human-readable reasons). */
    public static UnrecognizedChunkTypeCause ofText(String text) {
        return new UnrecognizedChunkTypeCause(TextCause.utf8(text));
    }

    /** @return the value bytes: the same array as {@link #unrecognizedChunk()} (not copied) */
    @Override
    public byte[] value() {
        return unrecognizedChunk;
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public String toString() {
        return "Unrecognized Chunk Type(" + Tlv.hex(unrecognizedChunk) + ")";
    }
}
