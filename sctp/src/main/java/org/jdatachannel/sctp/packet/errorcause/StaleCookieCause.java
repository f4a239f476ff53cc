package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Stale Cookie Error (cause code 3), RFC 9260 §3.3.10.3.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 3            |       Cause Length = 8        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Measure of Staleness (usec.)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param stalenessMicros how long ago the cookie expired, in microseconds (unsigned 32-bit)
 */
public record StaleCookieCause(int stalenessMicros) implements ErrorCause {
    /** Cause code. */
    public static final int CODE = 3;

    /** @throws PacketParseException if the value is not 4 bytes */
    public static StaleCookieCause parse(ByteBuffer v) throws PacketParseException {
        Tlv.expectLength("Stale Cookie", v, 4);
        return new StaleCookieCause(v.getInt(v.position()));
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public int valueLength() {
        return 4;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(stalenessMicros);
    }

    @Override
    public String toString() {
        return "StaleCookie(" + Integer.toUnsignedString(stalenessMicros) + " us)";
    }
}
