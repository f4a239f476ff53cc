package org.jdatachannel.sctp.packet;

/**
 * Stream Sequence Number (RFC 9260 §3.3.1): a 16-bit serial number per stream for ordered messages.
 *
 * @param value 0..65535
 */
public record Ssn(int value) {
    /** @throws IllegalArgumentException if not in 0..65535 */
    public Ssn {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException("SSN " + value + " not in 0..65535");
        }
    }

    /** @return the following SSN (wrapping at 65536) */
    public Ssn next() {
        return new Ssn((value + 1) & 0xffff);
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
