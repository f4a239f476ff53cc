package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.errorcause.ErrorCause;

/**
 * ERROR (type 9), RFC 9260 §3.3.10. Reports errors without closing the association (T bit unused, always false when sent).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 9     |  Reserved    |           Length              |
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
public record ErrorChunk(boolean tBit, List<ErrorCause> causes) implements ErrorCauseListChunk {
    /** Chunk type. */
    public static final int TYPE = 9;

    /** Copies the cause list. */
    public ErrorChunk {
        causes = List.copyOf(causes);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if a cause is malformed
     */
    public static ErrorChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return new ErrorChunk((flags & 1) != 0, ErrorCause.parseAll(v));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "ERROR(" + (tBit ? "T, " : "") + causes + ")";
    }
}
