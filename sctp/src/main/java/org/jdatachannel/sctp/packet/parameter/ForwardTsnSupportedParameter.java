package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.EmptyValue;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Forward-TSN-Supported (type 0xC000), RFC 3758 §3.1: the sender supports partial reliability.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Parameter Type = 49152     |  Parameter Length = 4         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record ForwardTsnSupportedParameter() implements Parameter, EmptyValue {
    /** Parameter type. */
    public static final int TYPE = 0xC000;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not empty
     */
    public static ForwardTsnSupportedParameter parse(ByteBuffer value) throws PacketParseException {
        Tlv.expectLength("Forward-TSN-Supported", value, 0);
        return new ForwardTsnSupportedParameter();
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "ForwardTsnSupported";
    }
}
