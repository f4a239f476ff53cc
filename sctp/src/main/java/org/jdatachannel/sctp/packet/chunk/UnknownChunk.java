package org.jdatachannel.sctp.packet.chunk;

import org.jdatachannel.sctp.packet.OpaqueValue;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.TlvElement;

/**
 * A chunk type this implementation does not process, kept verbatim. RFC 9260 §3.2: "Chunk Types
 * are encoded such that the highest-order 2 bits specify the action that is taken if the
 * processing endpoint does not recognize the Chunk Type":
 * 00 stop processing and discard the packet; 01 the same and report it in an ERROR chunk;
 * 10 skip this chunk and continue; 11 skip, continue and report.
 *
 * @param type chunk type 0..255
 * @param flags chunk flags 0..255
 * @param value the raw value (not copied; treat as read-only)
 */
public record UnknownChunk(int type, int flags, byte[] value) implements Chunk, OpaqueValue {

    /** @return true if bit 7 of the type is set: skip this chunk and continue with the packet */
    public boolean skipAndContinue() {
        return (type & 0x80) != 0;
    }

    /** @return true if bit 6 of the type is set: report it in an ERROR chunk */
    public boolean report() {
        return (type & 0x40) != 0;
    }

    /** @return the whole chunk (header, value, unpadded), as reported in Unrecognized Chunk Type */
    public byte[] chunkBytes() {
        return TlvElement.unpaddedBytes(this);
    }

    @Override
    public String toString() {
        return "UnknownChunk(type=" + type + ", flags=" + flags + ", " + Tlv.hex(value) + ")";
    }
}
