package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tsn;
import org.jdatachannel.sctp.packet.VerificationTag;
import org.jdatachannel.sctp.packet.parameter.Parameter;

/**
 * INIT ACK (type 2), RFC 9260 §3.3.3: same layout as INIT; a State Cookie parameter is
 * mandatory ("The State Cookie parameter MUST be included"), checked by the association.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 2    |  Chunk Flags  |      Chunk Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Initiate Tag                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Advertised Receiver Window Credit (a_rwnd)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Number of Outbound Streams   |   Number of Inbound Streams   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Initial TSN                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /              Optional/Variable-Length Parameters              /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param initiateTag the tag the receiver must put in packets to the sender
 * @param aRwnd advertised receiver window, bytes (unsigned 32-bit)
 * @param outboundStreams OS, 0..65535
 * @param inboundStreams MIS, 0..65535
 * @param initialTsn the sender's first TSN
 * @param parameters the optional parameters, in order
 */
public record InitAckChunk(VerificationTag initiateTag, int aRwnd, int outboundStreams, int inboundStreams,
        Tsn initialTsn, List<Parameter> parameters) implements InitFieldsChunk {
    /** Chunk type. */
    public static final int TYPE = 2;

    /** Copies the parameter list. */
    public InitAckChunk {
        parameters = List.copyOf(parameters);
    }

    /** Convenience constructor from raw tag and TSN values. */
    public InitAckChunk(int initiateTag, int aRwnd, int outboundStreams, int inboundStreams, int initialTsn,
            List<Parameter> parameters) {
        this(new VerificationTag(initiateTag), aRwnd, outboundStreams, inboundStreams, new Tsn(initialTsn), parameters);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if shorter than 16 bytes or a parameter is malformed
     */
    public static InitAckChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        return InitFieldsChunk.parse("INIT ACK", v, InitAckChunk::new);
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "INIT_ACK(tag=" + initiateTag + ", a_rwnd=" + Integer.toUnsignedString(aRwnd)
                + ", os=" + outboundStreams + ", mis=" + inboundStreams + ", tsn="
                + initialTsn + ", " + parameters + ")";
    }
}
