package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.OpaqueValue;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * State Cookie (type 7), RFC 9260 §3.3.3.1: mandatory in INIT ACK; the opaque cookie the peer
 * returns in COOKIE ECHO.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Type = 7             |          Length               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                            Cookie                             /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param cookie the opaque cookie bytes (not copied; treat as read-only)
 */
public record StateCookieParameter(byte[] cookie) implements Parameter, OpaqueValue {
    /** Parameter type. */
    public static final int TYPE = 7;

    /** Parses from an exactly-sized value slice; any content is valid at this layer. */
    public static StateCookieParameter parse(ByteBuffer value) {
        return new StateCookieParameter(Tlv.bytes(value));
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
        return "StateCookie(" + cookie.length + " bytes)";
    }
}
