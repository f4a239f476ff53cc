package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.TlvElement;
import org.jdatachannel.sctp.packet.TlvList;

/**
 * An error cause carried in ABORT and ERROR chunks, RFC 9260 §3.3.10. Immutable values; unknown
 * cause codes become {@link UnknownErrorCause}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Cause Code          |       Cause Length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                    Cause-Specific Information                 /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public sealed interface ErrorCause extends TlvElement permits InvalidStreamIdentifierCause, MissingMandatoryParameterCause,
        StaleCookieCause, OutOfResourceCause, UnrecognizedChunkTypeCause, InvalidMandatoryParameterCause,
        UnrecognizedParametersCause, NoUserDataCause, CookieReceivedWhileShuttingDownCause,
        UserInitiatedAbortCause, ProtocolViolationCause, UnknownErrorCause {

    /** @return the 16-bit cause code */
    int code();

    /** @return the {@link #code()}, the first 16 bits of the header */
    @Override
    default int headerWord() {
        return code();
    }

    /**
     * Parses one cause from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value does not match the code's format
     */
    static ErrorCause parse(int code, ByteBuffer v) throws PacketParseException {
        switch (code) {
            case InvalidStreamIdentifierCause.CODE: return InvalidStreamIdentifierCause.parse(v);
            case MissingMandatoryParameterCause.CODE: return MissingMandatoryParameterCause.parse(v);
            case StaleCookieCause.CODE: return StaleCookieCause.parse(v);
            case OutOfResourceCause.CODE: return OutOfResourceCause.parse(v);
            case UnrecognizedChunkTypeCause.CODE: return new UnrecognizedChunkTypeCause(Tlv.bytes(v));
            case InvalidMandatoryParameterCause.CODE: return InvalidMandatoryParameterCause.parse(v);
            case UnrecognizedParametersCause.CODE: return new UnrecognizedParametersCause(Tlv.bytes(v));
            case NoUserDataCause.CODE: return NoUserDataCause.parse(v);
            case CookieReceivedWhileShuttingDownCause.CODE: return CookieReceivedWhileShuttingDownCause.parse(v);
            case UserInitiatedAbortCause.CODE: return new UserInitiatedAbortCause(Tlv.bytes(v));
            case ProtocolViolationCause.CODE: return new ProtocolViolationCause(Tlv.bytes(v));
            default: return new UnknownErrorCause(code, Tlv.bytes(v));
        }
    }

    /**
     * Parses consecutive causes filling {@code region}.
     *
     * @throws PacketParseException if any TLV or typed value is malformed
     */
    static List<ErrorCause> parseAll(ByteBuffer region) throws PacketParseException {
        return TlvList.parseAll(region, "error cause", ErrorCause::parse);
    }
}
