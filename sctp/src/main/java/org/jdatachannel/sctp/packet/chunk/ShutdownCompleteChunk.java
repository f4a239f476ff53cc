package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;

/**
 * SHUTDOWN COMPLETE (type 14), RFC 9260 §3.3.13. No value. The T bit: "the sender filled in the Verification Tag expected by the peer" is false; true when reflected.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 14    |  Chunk Flags  |      Length = 4               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param tBit the T bit (bit 0 of the flags): the verification tag is reflected
 */
public record ShutdownCompleteChunk(boolean tBit) implements EmptyChunk {
    /** Chunk type. */
    public static final int TYPE = 14;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is not empty
     */
    public static ShutdownCompleteChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return new ShutdownCompleteChunk(EmptyChunk.parseTBit("SHUTDOWN COMPLETE", flags, v));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "SHUTDOWN COMPLETE" + (tBit ? "(T)" : "");
    }
}
