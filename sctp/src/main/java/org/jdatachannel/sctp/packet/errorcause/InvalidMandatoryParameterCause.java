package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.EmptyValue;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Invalid Mandatory Parameter (cause code 7), RFC 9260 §3.3.10.7. Carries no cause-specific information.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 7     |      Cause Length = 4         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record InvalidMandatoryParameterCause() implements ErrorCause, EmptyValue {
    /** Cause code. */
    public static final int CODE = 7;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not empty
     */
    public static InvalidMandatoryParameterCause parse(ByteBuffer v) throws PacketParseException {
        Tlv.expectLength("Invalid Mandatory Parameter", v, 0);
        return new InvalidMandatoryParameterCause();
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public String toString() {
        return "Invalid Mandatory Parameter";
    }
}
