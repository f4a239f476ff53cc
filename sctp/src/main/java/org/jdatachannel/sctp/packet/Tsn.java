package org.jdatachannel.sctp.packet;

/**
 * Transmission Sequence Number (RFC 9260 §3.3.1): a 32-bit serial number (§1.6, RFC 1982). Compare
 * with {@link #isAfter} or unwrap with {@link Unwrapper}; never with {@code <} on the raw value.
 *
 * @param value the raw 32-bit value (all values valid; shown unsigned)
 */
public record Tsn(int value) {
    /** @return the following TSN (wrapping) */
    public Tsn next() {
        return new Tsn(value + 1);
    }

    /** @return true if this TSN comes after {@code other} in serial number order */
    public boolean isAfter(Tsn other) {
        return SerialNumber.tsnGreater(value, other.value);
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(value);
    }
}
