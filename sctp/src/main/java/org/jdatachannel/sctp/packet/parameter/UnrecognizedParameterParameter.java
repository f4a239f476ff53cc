package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.OpaqueValue;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Unrecognized Parameter (type 8), RFC 9260 §3.3.3.1: in INIT ACK, carries a parameter of the INIT
 * that the receiver did not recognize and whose type had the report bit set (§3.2.1).
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Type = 8             |          Length               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                  Unrecognized Parameter TLV                   /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param unrecognized the complete unrecognized parameter TLV bytes (header included)
 */
public record UnrecognizedParameterParameter(byte[] unrecognized) implements Parameter, OpaqueValue {
    /** Parameter type. */
    public static final int TYPE = 8;

    /** Parses from an exactly-sized value slice; content is opaque. */
    public static UnrecognizedParameterParameter parse(ByteBuffer value) {
        return new UnrecognizedParameterParameter(Tlv.bytes(value));
    }

    /** @return the value bytes: the same array as {@link #unrecognized()} (not copied) */
    @Override
    public byte[] value() {
        return unrecognized;
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "UnrecognizedParameter(" + Tlv.hex(unrecognized) + ")";
    }
}
