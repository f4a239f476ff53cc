package org.jdatachannel.sctp.packet.errorcause;

import org.jdatachannel.sctp.packet.Tlv;

/**
 * Unrecognized Parameters (cause code 8), RFC 9260 §3.3.10.8. The value is the unrecognized parameter TLVs.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 8     |      Cause Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                    unrecognizedParameters                                /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param unrecognizedParameters the raw bytes (not copied; treat as read-only)
 */
public record UnrecognizedParametersCause(byte[] unrecognizedParameters) implements ErrorCause, TextCause {
    /** Cause code. */
    public static final int CODE = 8;

    /** Builds the cause from a UTF-8 text (for human-readable reasons). */
    public static UnrecognizedParametersCause ofText(String text) {
        return new UnrecognizedParametersCause(TextCause.utf8(text));
    }

    /** @return the value bytes: the same array as {@link #unrecognizedParameters()} (not copied) */
    @Override
    public byte[] value() {
        return unrecognizedParameters;
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public String toString() {
        return "Unrecognized Parameters(" + Tlv.hex(unrecognizedParameters) + ")";
    }
}
