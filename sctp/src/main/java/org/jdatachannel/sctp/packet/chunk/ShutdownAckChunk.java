package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;

/**
 * SHUTDOWN ACK (type 8), RFC 9260 §3.3.9. No value. The T bit is unused (always false when sent).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 8    |  Chunk Flags  |      Length = 4               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param tBit the T bit (bit 0 of the flags): the verification tag is reflected
 */
public record ShutdownAckChunk(boolean tBit) implements EmptyChunk {
    /** Chunk type. */
    public static final int TYPE = 8;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not empty
     */
    public static ShutdownAckChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return new ShutdownAckChunk(EmptyChunk.parseTBit("SHUTDOWN ACK", flags, v));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "SHUTDOWN ACK" + (tBit ? "(T)" : "");
    }
}
