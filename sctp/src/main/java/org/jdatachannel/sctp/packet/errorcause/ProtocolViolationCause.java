package org.jdatachannel.sctp.packet.errorcause;

import org.jdatachannel.sctp.packet.Tlv;

/**
 * Protocol Violation (cause code 13), RFC 9260 §3.3.10.13. The value is implementation-specific information.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 13     |      Cause Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                    additionalInformation                                /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param additionalInformation the raw bytes (not copied; treat as read-only)
 */
public record ProtocolViolationCause(byte[] additionalInformation) implements ErrorCause, TextCause {
    /** Cause code. */
    public static final int CODE = 13;

    /** Builds the cause from a UTF-8 text (for human-readable reasons). */
    public static ProtocolViolationCause ofText(String text) {
        return new ProtocolViolationCause(TextCause.utf8(text));
    }

    /** @return the value bytes: the same array as {@link #additionalInformation()} (not copied) */
    @Override
    public byte[] value() {
        return additionalInformation;
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public String toString() {
        return "Protocol Violation(" + Tlv.hex(additionalInformation) + ")";
    }
}
