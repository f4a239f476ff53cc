package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tsn;
import org.jdatachannel.sctp.packet.VerificationTag;
import org.jdatachannel.sctp.packet.parameter.Parameter;

/**
 * INIT (type 1), RFC 9260 §3.3.2. Semantic checks (zero tag, zero stream counts) belong to the
 * association (§5.1, §3.3.2: "If the value of the Initiate Tag in a received INIT chunk is found to
 * be 0, the receiver MUST silently discard the packet").
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 1    |  Chunk Flags  |      Chunk Length             |
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
public record InitChunk(VerificationTag initiateTag, int aRwnd, int outboundStreams, int inboundStreams,
        Tsn initialTsn, List<Parameter> parameters) implements Chunk {
    /** Chunk type. */
    public static final int TYPE = 1;

    /** Copies the parameter list. */
    public InitChunk {
        parameters = List.copyOf(parameters);
    }

    /** Convenience constructor from raw tag and TSN values. */
    public InitChunk(int initiateTag, int aRwnd, int outboundStreams, int inboundStreams, int initialTsn,
            List<Parameter> parameters) {
        this(new VerificationTag(initiateTag), aRwnd, outboundStreams, inboundStreams, new Tsn(initialTsn), parameters);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if shorter than 16 bytes or a parameter is malformed
     */
    public static InitChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        Chunk.expectAtLeast("INIT", v, 16);
        int p = v.position();
        return new InitChunk(v.getInt(p), v.getInt(p + 4), v.getShort(p + 8) & 0xffff,
                v.getShort(p + 10) & 0xffff, v.getInt(p + 12),
                Parameter.parseAll(v.slice(p + 16, v.remaining() - 16)));
    }

    static void write(ByteBuffer out, int tag, int rwnd, int os, int mis, int tsn, List<Parameter> params) {
        out.putInt(tag).putInt(rwnd).putShort((short) os).putShort((short) mis).putInt(tsn);
        for (int i = 0; i < params.size(); i++) {
            Parameter prm = params.get(i);
            if (i == params.size() - 1) { // the chunk length excludes the last parameter's padding
                out.putShort((short) prm.type()).putShort((short) prm.serializedLength());
                prm.serializeValueTo(out);
            } else {
                prm.serializeTo(out);
            }
        }
    }

    /** @return the first parameter of the given class, or null */
    public <T extends Parameter> T parameter(Class<T> cls) {
        for (Parameter prm : parameters) {
            if (cls.isInstance(prm)) {
                return cls.cast(prm);
            }
        }
        return null;
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int flags() {
        return 0;
    }

    @Override
    public int valueLength() {
        return 16 + Parameter.serializedSizeUnpaddedLast(parameters);
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        write(out, initiateTag.value(), aRwnd, outboundStreams, inboundStreams, initialTsn.value(), parameters);
    }

    @Override
    public String toString() {
        return "INIT(tag=" + initiateTag + ", a_rwnd=" + Integer.toUnsignedString(aRwnd)
                + ", os=" + outboundStreams + ", mis=" + inboundStreams + ", tsn="
                + initialTsn + ", " + parameters + ")";
    }
}
