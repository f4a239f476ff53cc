package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

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
public sealed interface Parameter permits HeartbeatInfoParameter, StateCookieParameter,
        UnrecognizedParameterParameter, SupportedExtensionsParameter, ForwardTsnSupportedParameter,
        OutgoingSsnResetRequestParameter, IncomingSsnResetRequestParameter,
        ReconfigurationResponseParameter, UnknownParameter {

    /** @return the 16-bit parameter type */
    int type();

    /** @return the length of the value in bytes, excluding header and padding */
    int valueLength();

    /** Writes the value only (no header, no padding). */
    void serializeValueTo(ByteBuffer out);

    /** @return header plus value, without padding (the Parameter Length field) */
    default int serializedLength() {
        return Tlv.HEADER_SIZE + valueLength();
    }

    /** Writes header, value and padding to a multiple of 4 bytes. */
    default void serializeTo(ByteBuffer out) {
        int len = serializedLength();
        out.putShort((short) type());
        out.putShort((short) len);
        serializeValueTo(out);
        Tlv.pad(out, len);
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
        Tlv tlv = new Tlv(region, "parameter");
        List<Parameter> out = new ArrayList<>();
        while (tlv.hasNext()) {
            tlv.next(false);
            out.add(parse(tlv.type(), tlv.value()));
        }
        return Collections.unmodifiableList(out);
    }

    /** @return the bytes {@code params} take when serialized one after another, each padded */
    static int serializedSize(List<? extends Parameter> params) {
        int n = 0;
        for (Parameter p : params) {
            n += Tlv.padded(p.serializedLength());
        }
        return n;
    }

    /** @return a 4-byte-padded serialized length, but without the final padding (chunk rule) */
    static int serializedSizeUnpaddedLast(List<? extends Parameter> params) {
        if (params.isEmpty()) {
            return 0;
        }
        int n = serializedSize(params);
        Parameter last = params.get(params.size() - 1);
        return n - Tlv.padded(last.serializedLength()) + last.serializedLength();
    }
}
