package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;

/**
 * COOKIE ACK (type 11), RFC 9260 §3.3.12. No value. The T bit is unused (always false when sent).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 11    |  Chunk Flags  |      Length = 4               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param tBit the T bit (bit 0 of the flags): the verification tag is reflected
 */
public record CookieAckChunk(boolean tBit) implements EmptyChunk {
    /** Chunk type. */
    public static final int TYPE = 11;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not empty
     */
    public static CookieAckChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return new CookieAckChunk(EmptyChunk.parseTBit("COOKIE ACK", flags, v));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "COOKIE ACK" + (tBit ? "(T)" : "");
    }
}
