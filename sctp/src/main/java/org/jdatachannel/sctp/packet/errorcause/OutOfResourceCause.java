package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.EmptyValue;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Out of Resource (cause code 4), RFC 9260 §3.3.10.4. Carries no cause-specific information.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 4     |      Cause Length = 4         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record OutOfResourceCause() implements ErrorCause, EmptyValue {
    /** Cause code. */
    public static final int CODE = 4;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not empty
     */
    public static OutOfResourceCause parse(ByteBuffer v) throws PacketParseException {
        Tlv.expectLength("Out of Resource", v, 0);
        return new OutOfResourceCause();
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public String toString() {
        return "Out of Resource";
    }
}
