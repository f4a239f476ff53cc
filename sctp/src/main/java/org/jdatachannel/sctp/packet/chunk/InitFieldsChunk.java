package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.TlvList;
import org.jdatachannel.sctp.packet.Tsn;
import org.jdatachannel.sctp.packet.VerificationTag;
import org.jdatachannel.sctp.packet.parameter.Parameter;

/**
 * What INIT (RFC 9260 §3.3.2) and INIT ACK (§3.3.3) share: no flags, 16 bytes of fixed fields
 * (Initiate Tag, a_rwnd, outbound streams, inbound streams, initial TSN), then optional and
 * variable-length parameters. Each stays its own record.
 */
sealed interface InitFieldsChunk extends Chunk permits InitChunk, InitAckChunk {
    /** Bytes of the fixed fields before the parameters. */
    int FIXED_SIZE = 16;

    /** @return the Initiate Tag */
    VerificationTag initiateTag();

    /** @return the Advertised Receiver Window Credit, unsigned 32 bits */
    int aRwnd();

    /** @return the number of outbound streams, 0..65535 */
    int outboundStreams();

    /** @return the number of inbound streams, 0..65535 */
    int inboundStreams();

    /** @return the initial TSN */
    Tsn initialTsn();

    /** @return the parameters in order, unmodifiable */
    List<Parameter> parameters();

    /** @return the first parameter of the given class, or null */
    default <T extends Parameter> T parameter(Class<T> cls) {
        for (Parameter prm : parameters()) {
            if (cls.isInstance(prm)) {
                return cls.cast(prm);
            }
        }
        return null;
    }

    @Override
    default int valueLength() {
        return FIXED_SIZE + TlvList.valueLength(parameters());
    }

    @Override
    default void serializeValueTo(ByteBuffer out) {
        out.putInt(initiateTag().value()).putInt(aRwnd()).putShort((short) outboundStreams())
                .putShort((short) inboundStreams()).putInt(initialTsn().value());
        TlvList.serializeTo(out, parameters()); // the chunk length excludes the last parameter's padding
    }

    /** Builds an INIT or INIT ACK from raw field values. */
    @FunctionalInterface
    interface Factory<C> {
        C create(int initiateTag, int aRwnd, int outboundStreams, int inboundStreams, int initialTsn,
                List<Parameter> parameters);
    }

    /**
     * Parses the fixed fields and the parameters from an exactly-sized value slice.
     *
     * @param name the chunk's name, for the message
     * @throws PacketParseException if shorter than 16 bytes or a parameter is malformed
     */
    static <C> C parse(String name, ByteBuffer v, Factory<C> factory) throws PacketParseException {
        Tlv.expectAtLeast(name, v, FIXED_SIZE);
        int p = v.position();
        return factory.create(v.getInt(p), v.getInt(p + 4), v.getShort(p + 8) & 0xffff,
                v.getShort(p + 10) & 0xffff, v.getInt(p + 12),
                Parameter.parseAll(v.slice(p + FIXED_SIZE, v.remaining() - FIXED_SIZE)));
    }
}
