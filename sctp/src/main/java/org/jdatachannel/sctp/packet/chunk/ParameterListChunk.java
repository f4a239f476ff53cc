package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.TlvList;
import org.jdatachannel.sctp.packet.parameter.Parameter;

/**
 * What HEARTBEAT (RFC 9260 §3.3.5), HEARTBEAT ACK (§3.3.6) and RE-CONFIG (RFC 6525 §3.1) share: no
 * flags, and a value that is a list of parameters, written with {@link TlvList} (the last parameter
 * unpadded inside the Chunk Length, RFC 9260 §3.2). Each stays its own record.
 */
sealed interface ParameterListChunk extends Chunk
        permits HeartbeatRequestChunk, HeartbeatAckChunk, ReConfigChunk {

    /** @return the parameters in order, unmodifiable */
    List<Parameter> parameters();

    @Override
    default int valueLength() {
        return TlvList.valueLength(parameters());
    }

    @Override
    default void serializeValueTo(ByteBuffer out) {
        TlvList.serializeTo(out, parameters());
    }
}
