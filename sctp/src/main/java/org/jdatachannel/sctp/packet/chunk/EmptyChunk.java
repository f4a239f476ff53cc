package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.EmptyValue;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * What COOKIE ACK (RFC 9260 §3.3.12), SHUTDOWN ACK (§3.3.9) and SHUTDOWN COMPLETE (§3.3.13) share:
 * no value (Length = 4) and bit 0 of the flags kept as the T bit. Each stays its own record.
 */
sealed interface EmptyChunk extends Chunk, EmptyValue
        permits CookieAckChunk, ShutdownAckChunk, ShutdownCompleteChunk {

    /** @return the T bit (bit 0 of the flags): the verification tag is reflected */
    boolean tBit();

    @Override
    default int flags() {
        return tBit() ? 1 : 0;
    }

    /**
     * Checks the value is empty and reads the T bit.
     *
     * @param name the chunk's name, for the message
     * @return the T bit (bit 0 of {@code flags})
     * @throws PacketParseException if the value is not empty
     */
    static boolean parseTBit(String name, int flags, ByteBuffer v) throws PacketParseException {
        Tlv.expectLength(name, v, 0);
        return (flags & 1) != 0;
    }
}
