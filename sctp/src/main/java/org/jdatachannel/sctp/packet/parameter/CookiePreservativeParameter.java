package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Cookie Preservative (type 9), RFC 9260 §3.3.2.1: sent in an INIT after a Stale Cookie error to ask
 * for a longer State Cookie lifetime (§5.2.6).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Type = 9             |          Length = 8           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Suggested Cookie Life-Span Increment (msec.)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param incrementMs the suggested increment in ms, unsigned 32 bits (0..4294967295)
 */
public record CookiePreservativeParameter(long incrementMs) implements Parameter {
    /** Parameter type. */
    public static final int TYPE = 9;

    /** @throws IllegalArgumentException if the increment does not fit 32 unsigned bits */
    public CookiePreservativeParameter {
        if (incrementMs < 0 || incrementMs > 0xffffffffL) {
            throw new IllegalArgumentException("cookie life-span increment " + incrementMs + " not in 0..2^32-1 ms");
        }
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not 4 bytes
     */
    public static CookiePreservativeParameter parse(ByteBuffer v) throws PacketParseException {
        Tlv.expectLength("Cookie Preservative", v, 4);
        return new CookiePreservativeParameter(Integer.toUnsignedLong(v.getInt(v.position())));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 4;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt((int) incrementMs);
    }

    @Override
    public String toString() {
        return "CookiePreservative(+" + incrementMs + " ms)";
    }
}
