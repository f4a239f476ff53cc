package org.jdatachannel.sctp.packet;

/**
 * Verification Tag (RFC 9260 §3.1, §8.5): 0 only in packets carrying INIT.
 *
 * @param value the raw 32-bit value (shown as hex)
 */
public record VerificationTag(int value) {
    /** The tag of packets carrying INIT. */
    public static final VerificationTag ZERO = new VerificationTag(0);

    @Override
    public String toString() {
        return "0x" + Integer.toHexString(value);
    }
}
