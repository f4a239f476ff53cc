package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.TlvElement;

/**
 * A chunk of an SCTP packet, RFC 9260 §3.2. Immutable values with {@code parse} from an
 * exactly-sized value slice (checked by {@link Tlv} first), {@link #serializeTo} and
 * {@code toString}. Chunk types this implementation does not know become {@link UnknownChunk}, so
 * the receiver can apply the §3.2 upper-two-bits rule. Header, length and padding rules are in
 * {@link TlvElement}; chunks with the same value layout share it through small package-private
 * interfaces ({@code EmptyChunk}, {@code ErrorCauseListChunk}, {@code ParameterListChunk},
 * {@code InitFieldsChunk}) while each chunk type stays its own record.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Chunk Type  | Chunk  Flags  |        Chunk Length           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                          Chunk Value                          /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public sealed interface Chunk extends TlvElement permits UserDataChunk, InitFieldsChunk, SackChunk,
        ParameterListChunk, ErrorCauseListChunk, ShutdownChunk, EmptyChunk, CookieEchoChunk, ForwardTsnChunk,
        IForwardTsnChunk, PadChunk, UnknownChunk {

    /** @return the chunk type, 0..255 */
    int type();

    /** @return the chunk flags byte, 0..255; 0 unless the chunk type defines flags */
    default int flags() {
        return 0;
    }

    /** @return the chunk type (high byte) and flags (low byte), the first 16 bits of the header */
    @Override
    default int headerWord() {
        return (type() << 8) | flags();
    }

    /**
     * Parses a chunk from its type, flags and exactly-sized value.
     *
     * @throws PacketParseException if the value does not fit the type's format
     */
    static Chunk parse(int type, int flags, ByteBuffer value) throws PacketParseException {
        return parse(type, flags, value, false);
    }

    /**
     * Parses a chunk from its type, flags and exactly-sized value; with {@code borrowUserData} an
     * I-DATA chunk refers to {@code value}'s backing array instead of copying its user data (see
     * {@link IDataChunk#parse(int, ByteBuffer, boolean)}); every other chunk is a value of its own.
     *
     * @throws PacketParseException if the value does not fit the type's format
     */
    static Chunk parse(int type, int flags, ByteBuffer value, boolean borrowUserData) throws PacketParseException {
        switch (type) {
            case DataChunk.TYPE: return DataChunk.parse(flags, value);
            case InitChunk.TYPE: return InitChunk.parse(flags, value);
            case InitAckChunk.TYPE: return InitAckChunk.parse(flags, value);
            case SackChunk.TYPE: return SackChunk.parse(flags, value);
            case HeartbeatRequestChunk.TYPE: return HeartbeatRequestChunk.parse(flags, value);
            case HeartbeatAckChunk.TYPE: return HeartbeatAckChunk.parse(flags, value);
            case AbortChunk.TYPE: return AbortChunk.parse(flags, value);
            case ShutdownChunk.TYPE: return ShutdownChunk.parse(flags, value);
            case ShutdownAckChunk.TYPE: return ShutdownAckChunk.parse(flags, value);
            case ErrorChunk.TYPE: return ErrorChunk.parse(flags, value);
            case CookieEchoChunk.TYPE: return CookieEchoChunk.parse(flags, value);
            case CookieAckChunk.TYPE: return CookieAckChunk.parse(flags, value);
            case ShutdownCompleteChunk.TYPE: return ShutdownCompleteChunk.parse(flags, value);
            case ForwardTsnChunk.TYPE: return ForwardTsnChunk.parse(flags, value);
            case ReConfigChunk.TYPE: return ReConfigChunk.parse(flags, value);
            case IDataChunk.TYPE: return IDataChunk.parse(flags, value, borrowUserData);
            case IForwardTsnChunk.TYPE: return IForwardTsnChunk.parse(flags, value);
            case PadChunk.TYPE: return PadChunk.parse(flags, value);
            default: return new UnknownChunk(type, flags, Tlv.bytes(value));
        }
    }
}
