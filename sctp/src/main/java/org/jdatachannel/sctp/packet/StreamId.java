package org.jdatachannel.sctp.packet;

/**
 * Stream Identifier (RFC 9260 §3.3.1).
 *
 * @param value 0..65535
 */
public record StreamId(int value) {
    /** @throws IllegalArgumentException if not in 0..65535 */
    public StreamId {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException("stream id " + value + " not in 0..65535");
        }
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
