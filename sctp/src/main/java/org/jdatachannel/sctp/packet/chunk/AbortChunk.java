package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.errorcause.ErrorCause;

/**
 * ABORT (type 6), RFC 9260 §3.3.7. Closes the association; the T bit means the verification tag is reflected.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 6     |  Reserved   T|           Length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                   zero or more Error Causes                   /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param tBit the T bit (ABORT only): the verification tag is the sender's own (reflected)
 * @param causes the error causes in order
 */
public record AbortChunk(boolean tBit, List<ErrorCause> causes) implements ErrorCauseListChunk {
    /** Chunk type. */
    public static final int TYPE = 6;

    /** Copies the cause list. */
    public AbortChunk {
        causes = List.copyOf(causes);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if a cause is malformed
     */
    public static AbortChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return new AbortChunk((flags & 1) != 0, ErrorCause.parseAll(v));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "ABORT(" + (tBit ? "T, " : "") + causes + ")";
    }
}
