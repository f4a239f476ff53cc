package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.parameter.Parameter;

/**
 * HEARTBEAT ACK (type 5), RFC 9260 §3.3.6: a chunk whose value is a list of parameters.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 5    | Chunk Flags   |         Chunk Length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                  Heartbeat Information TLV (Variable-Length)                     /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param parameters the parameters in order
 */
public record HeartbeatAckChunk(List<Parameter> parameters) implements ParameterListChunk {
    /** Chunk type. */
    public static final int TYPE = 5;

    /** Copies the parameter list. */
    public HeartbeatAckChunk {
        parameters = List.copyOf(parameters);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if a parameter is malformed
     */
    public static HeartbeatAckChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return new HeartbeatAckChunk(Parameter.parseAll(v));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "HEARTBEAT ACK" + parameters;
    }
}
