package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

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
public sealed interface ErrorCause permits InvalidStreamIdentifierCause, MissingMandatoryParameterCause,
        StaleCookieCause, OutOfResourceCause, UnrecognizedChunkTypeCause, InvalidMandatoryParameterCause,
        UnrecognizedParametersCause, NoUserDataCause, CookieReceivedWhileShuttingDownCause,
        UserInitiatedAbortCause, ProtocolViolationCause, UnknownErrorCause {

    /** @return the 16-bit cause code */
    int code();

    /** @return the cause-specific information length in bytes (no header, no padding) */
    int valueLength();

    /** Writes the cause-specific information only. */
    void serializeValueTo(ByteBuffer out);

    /** @return header plus value, unpadded (the Cause Length field) */
    default int serializedLength() {
        return Tlv.HEADER_SIZE + valueLength();
    }

    /** Writes header, value and padding to a multiple of 4 bytes. */
    default void serializeTo(ByteBuffer out) {
        out.putShort((short) code());
        out.putShort((short) serializedLength());
        serializeValueTo(out);
        Tlv.pad(out, serializedLength());
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
        Tlv tlv = new Tlv(region, "error cause");
        List<ErrorCause> out = new ArrayList<>();
        while (tlv.hasNext()) {
            tlv.next(false);
            out.add(parse(tlv.type(), tlv.value()));
        }
        return Collections.unmodifiableList(out);
    }

    /** @return bytes taken by {@code causes} serialized one after another, each padded */
    static int serializedSize(List<? extends ErrorCause> causes) {
        int n = 0;
        for (ErrorCause c : causes) {
            n += Tlv.padded(c.serializedLength());
        }
        return n;
    }

    /** Checks that {@code v} has exactly {@code n} bytes. */
    static void expectLength(String name, ByteBuffer v, int n) throws PacketParseException {
        if (v.remaining() != n) {
            throw new PacketParseException(name + ": value length " + v.remaining() + " != " + n);
        }
    }
}
