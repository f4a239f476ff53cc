package org.jdatachannel.sctp.packet;

/**
 * Message Identifier (RFC 8260 §2.1): a 32-bit serial number per stream and per ordered/unordered
 * kind, carried by I-DATA instead of the SSN. "For ordered user messages, the MID is also used by the
 * SCTP receiver to deliver the user messages in the correct order"; RFC 1982 arithmetic with
 * SERIAL_BITS = 32 applies, so compare with {@link #isAfter}, never with {@code <}.
 *
 * @param value the raw 32-bit value (all values valid; shown unsigned)
 */
public record Mid(int value) {
    /** @return the following MID (wrapping) */
    public Mid next() {
        return new Mid(value + 1);
    }

    /** @return true if this MID comes after {@code other} in serial number order */
    public boolean isAfter(Mid other) {
        return SerialNumber.tsnGreater(value, other.value);
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(value);
    }
}
