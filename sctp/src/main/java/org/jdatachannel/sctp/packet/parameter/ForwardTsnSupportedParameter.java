package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;

/**
 * Forward-TSN-Supported (type 0xC000), RFC 3758 §3.1: the sender supports partial reliability.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Parameter Type = 49152     |  Parameter Length = 4         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record ForwardTsnSupportedParameter() implements Parameter {
    /** Parameter type. */
    public static final int TYPE = 0xC000;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not empty
     */
    public static ForwardTsnSupportedParameter parse(ByteBuffer value) throws PacketParseException {
        if (value.remaining() != 0) {
            throw new PacketParseException("Forward-TSN-Supported: value length " + value.remaining() + " != 0");
        }
        return new ForwardTsnSupportedParameter();
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 0;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
    }

    @Override
    public String toString() {
        return "ForwardTsnSupported";
    }
}
