package org.jdatachannel.sctp.packet;

/**
 * Payload Protocol Identifier (RFC 9260 §3.3.1), opaque to SCTP (RFC 8831 §8 assigns 50-57 to
 * WebRTC).
 *
 * @param value the raw 32-bit value (shown unsigned)
 */
public record Ppid(int value) {
    @Override
    public String toString() {
        return Integer.toUnsignedString(value);
    }
}
