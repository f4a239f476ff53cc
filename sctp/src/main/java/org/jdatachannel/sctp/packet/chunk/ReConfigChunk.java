package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.parameter.Parameter;

/**
 * RE-CONFIG (type 130), RFC 6525 §3.1: a chunk whose value is a list of parameters.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 130  | Chunk Flags   |         Chunk Length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                  Re-configuration Parameter(s)                                 /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param parameters the parameters in order
 */
public record ReConfigChunk(List<Parameter> parameters) implements ParameterListChunk {
    /** Chunk type. */
    public static final int TYPE = 130;

    /** Copies the parameter list. */
    public ReConfigChunk {
        parameters = List.copyOf(parameters);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if a parameter is malformed
     */
    public static ReConfigChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return new ReConfigChunk(Parameter.parseAll(v));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "RE-CONFIG" + parameters;
    }
}
