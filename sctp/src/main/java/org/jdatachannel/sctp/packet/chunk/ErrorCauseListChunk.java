package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.List;
import org.jdatachannel.sctp.packet.TlvList;
import org.jdatachannel.sctp.packet.errorcause.ErrorCause;

/**
 * What ABORT (RFC 9260 §3.3.7) and ERROR (§3.3.10) share: bit 0 of the flags kept as the T bit, and
 * a value of zero or more error causes, written with {@link TlvList} (the last cause unpadded
 * inside the Chunk Length, §3.2). Each stays its own record.
 */
sealed interface ErrorCauseListChunk extends Chunk permits AbortChunk, ErrorChunk {

    /** @return the T bit (bit 0 of the flags) */
    boolean tBit();

    /** @return the error causes in order, unmodifiable */
    List<ErrorCause> causes();

    @Override
    default int flags() {
        return tBit() ? 1 : 0;
    }

    @Override
    default int valueLength() {
        return TlvList.valueLength(causes());
    }

    @Override
    default void serializeValueTo(ByteBuffer out) {
        TlvList.serializeTo(out, causes());
    }
}
