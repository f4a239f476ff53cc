package org.jdatachannel.sctp.packet.errorcause;

import org.jdatachannel.sctp.packet.Tlv;

/**
 * User-Initiated Abort (cause code 12), RFC 9260 §3.3.10.12. The value is the upper layer's abort reason.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 12     |      Cause Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                    reason                                /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param reason the raw bytes (not copied; treat as read-only)
 */
public record UserInitiatedAbortCause(byte[] reason) implements ErrorCause, TextCause {
    /** Cause code. */
    public static final int CODE = 12;

    /** Builds the cause from a UTF-8 text (for human-readable reasons). */
    public static UserInitiatedAbortCause ofText(String text) {
        return new UserInitiatedAbortCause(TextCause.utf8(text));
    }

    /** @return the value bytes: the same array as {@link #reason()} (not copied) */
    @Override
    public byte[] value() {
        return reason;
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public String toString() {
        return "User-Initiated Abort(" + Tlv.hex(reason) + ")";
    }
}
