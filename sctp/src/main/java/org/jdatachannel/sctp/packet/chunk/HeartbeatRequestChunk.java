package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.parameter.Parameter;

/**
 * HEARTBEAT (type 4), RFC 9260 §3.3.5: a chunk whose value is a list of parameters.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 4    | Chunk Flags   |         Chunk Length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                  Heartbeat Information TLV (Variable-Length)                     /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param parameters the parameters in order
 */
public record HeartbeatRequestChunk(List<Parameter> parameters) implements ParameterListChunk {
    /** Chunk type. */
    public static final int TYPE = 4;

    /** Copies the parameter list. */
    public HeartbeatRequestChunk {
        parameters = List.copyOf(parameters);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if a parameter is malformed
     */
    public static HeartbeatRequestChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return new HeartbeatRequestChunk(Parameter.parseAll(v));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "HEARTBEAT" + parameters;
    }
}
