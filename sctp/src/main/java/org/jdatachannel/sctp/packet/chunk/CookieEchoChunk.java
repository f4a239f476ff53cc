package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.OpaqueValue;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * COOKIE ECHO (type 10), RFC 9260 §3.3.11: returns the State Cookie of the INIT ACK.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 10   |Chunk  Flags   |         Length                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                     Cookie                                    /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param cookie the cookie bytes (not copied; treat as read-only)
 */
public record CookieEchoChunk(byte[] cookie) implements Chunk, OpaqueValue {
    /** Chunk type. */
    public static final int TYPE = 10;

    /** Parses from an exactly-sized value slice; any content is valid at this layer. */
    public static CookieEchoChunk parse(int flags, ByteBuffer v) {
        return new CookieEchoChunk(Tlv.bytes(v));
    }

    /** @return the value bytes: the same array as {@link #cookie()} (not copied) */
    @Override
    public byte[] value() {
        return cookie;
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "COOKIE_ECHO(" + cookie.length + " bytes)";
    }
}
