package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.TlvElement;
import org.jdatachannel.sctp.packet.TlvList;

/**
 * A variable-length parameter (RFC 9260 §3.2.1), used in INIT, INIT ACK, HEARTBEAT and RE-CONFIG
 * chunks. Immutable values; {@link #parse} dispatches on the type, unknown types become
 * {@link UnknownParameter} so that the §3.2.1 upper-two-bits rule can be applied by the receiver.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Parameter Type         |       Parameter Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                        Parameter Value                        \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public sealed interface Parameter extends TlvElement permits HeartbeatInfoParameter, StateCookieParameter,
        UnrecognizedParameterParameter, SupportedExtensionsParameter, ForwardTsnSupportedParameter,
        OutgoingSsnResetRequestParameter, IncomingSsnResetRequestParameter,
        ReconfigurationResponseParameter, ZeroChecksumAcceptableParameter, CookiePreservativeParameter,
        UnknownParameter {

    /** @return the 16-bit parameter type */
    int type();

    /** @return the {@link #type()}, the first 16 bits of the header */
    @Override
    default int headerWord() {
        return type();
    }

    /**
     * Parses one parameter from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value does not match the type's format
     */
    static Parameter parse(int type, ByteBuffer value) throws PacketParseException {
        switch (type) {
            case HeartbeatInfoParameter.TYPE:
                return HeartbeatInfoParameter.parse(value);
            case StateCookieParameter.TYPE:
                return StateCookieParameter.parse(value);
            case UnrecognizedParameterParameter.TYPE:
                return UnrecognizedParameterParameter.parse(value);
            case SupportedExtensionsParameter.TYPE:
                return SupportedExtensionsParameter.parse(value);
            case ForwardTsnSupportedParameter.TYPE:
                return ForwardTsnSupportedParameter.parse(value);
            case OutgoingSsnResetRequestParameter.TYPE:
                return OutgoingSsnResetRequestParameter.parse(value);
            case IncomingSsnResetRequestParameter.TYPE:
                return IncomingSsnResetRequestParameter.parse(value);
            case ReconfigurationResponseParameter.TYPE:
                return ReconfigurationResponseParameter.parse(value);
            case ZeroChecksumAcceptableParameter.TYPE:
                return ZeroChecksumAcceptableParameter.parse(value);
            case CookiePreservativeParameter.TYPE:
                return CookiePreservativeParameter.parse(value);
            default:
                return new UnknownParameter(type, Tlv.bytes(value));
        }
    }

    /**
     * Parses consecutive parameters filling {@code region}.
     *
     * @throws PacketParseException if any TLV or typed value is malformed
     */
    static List<Parameter> parseAll(ByteBuffer region) throws PacketParseException {
        return TlvList.parseAll(region, "parameter", Parameter::parse);
    }
}
