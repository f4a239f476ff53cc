package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
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
public record StateCookieParameter(byte[] cookie) implements Parameter {
    /** Parameter type. */
    public static final int TYPE = 7;

    /** Parses from an exactly-sized value slice; any content is valid at this layer. */
    public static StateCookieParameter parse(ByteBuffer value) {
        return new StateCookieParameter(Tlv.bytes(value));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return cookie.length;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.put(cookie);
    }

    @Override
    public String toString() {
        return "StateCookie(" + cookie.length + " bytes)";
    }
}
