package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.EmptyValue;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Cookie Received While Shutting Down (cause code 10), RFC 9260 §3.3.10.10. Carries no cause-specific information.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 10     |      Cause Length = 4         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record CookieReceivedWhileShuttingDownCause() implements ErrorCause, EmptyValue {
    /** Cause code. */
    public static final int CODE = 10;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not empty
     */
    public static CookieReceivedWhileShuttingDownCause parse(ByteBuffer v) throws PacketParseException {
        Tlv.expectLength("Cookie Received While Shutting Down", v, 0);
        return new CookieReceivedWhileShuttingDownCause();
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public String toString() {
        return "Cookie Received While Shutting Down";
    }
}
