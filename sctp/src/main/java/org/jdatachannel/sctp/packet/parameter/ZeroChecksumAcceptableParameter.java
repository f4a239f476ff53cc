package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Zero Checksum Acceptable (type 0x8001), RFC 9653 §4: sent in INIT or INIT ACK, it says the sender
 * accepts packets with a checksum of zero protected by the named alternate error detection method.
 * "The Length field MUST be 8"; identifier 1 is "SCTP over DTLS" (§6), 0 is reserved.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Type = 0x8001        |          Length = 8           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Error Detection Method Identifier (EDMID)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param errorDetectionMethod the EDMID, a 32-bit unsigned value held in an int
 */
public record ZeroChecksumAcceptableParameter(int errorDetectionMethod) implements Parameter {
    /** Parameter type. */
    public static final int TYPE = 0x8001;
    /** EDMID for "SCTP over DTLS" (RFC 9653 §6 and §8). */
    public static final int METHOD_DTLS = 1;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not exactly 4 bytes
     */
    public static ZeroChecksumAcceptableParameter parse(ByteBuffer value) throws PacketParseException {
        Tlv.expectLength("Zero Checksum Acceptable", value, 4);
        return new ZeroChecksumAcceptableParameter(value.getInt(value.position()));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 4;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(errorDetectionMethod);
    }

    @Override
    public String toString() {
        return "ZeroChecksumAcceptable(edmid=" + Integer.toUnsignedString(errorDetectionMethod)
                + (errorDetectionMethod == METHOD_DTLS ? " DTLS" : "") + ")";
    }
}
