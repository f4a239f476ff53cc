package org.jdatachannel.sctp.sim;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;

/**
 * One packet offered to a {@link Link}, as filters see it: who sent it, when, its bytes and (parsed
 * lazily) its chunks. Filters run once per packet, in the order packets are sent on the link.
 */
public final class SimPacket {
    private final Link link;
    private final long nowMs;
    private final long index;
    private final byte[] bytes;
    private SctpPacket parsed;
    private boolean parseTried;

    SimPacket(Link link, long nowMs, long index, byte[] bytes) {
        this.link = link;
        this.nowMs = nowMs;
        this.index = index;
        this.bytes = bytes;
    }

    /** @return the link (direction) the packet is sent on */
    public Link link() {
        return link;
    }

    /** @return the sending peer */
    public NetSim.Peer from() {
        return link.from();
    }

    /** @return the receiving peer */
    public NetSim.Peer to() {
        return link.to();
    }

    /** @return the virtual time of sending, ms */
    public long nowMs() {
        return nowMs;
    }

    /** @return 1-based number of this packet among all packets sent on this link */
    public long index() {
        return index;
    }

    /** @return the packet bytes; do not modify */
    public byte[] bytes() {
        return bytes;
    }

    /** @return the size in bytes */
    public int size() {
        return bytes.length;
    }

    /**
     * @return the parsed packet, or null if it does not parse. The checksum is not verified, so
     *     packets sent with a zero checksum (RFC 9653) parse too.
     */
    public SctpPacket parsed() {
        if (!parseTried) {
            parseTried = true;
            parsed = parseIgnoringChecksum(bytes);
        }
        return parsed;
    }

    /** @return the chunks, empty if the packet does not parse */
    public List<Chunk> chunks() {
        SctpPacket p = parsed();
        return p == null ? List.of() : p.chunks();
    }

    /** @return true if a chunk of this type is in the packet */
    public boolean has(Class<? extends Chunk> type) {
        for (Chunk c : chunks()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** @return the DATA chunks in order */
    public List<DataChunk> dataChunks() {
        List<DataChunk> out = new ArrayList<>();
        for (Chunk c : chunks()) {
            if (c instanceof DataChunk d) {
                out.add(d);
            }
        }
        return out;
    }

    /** Parses a packet after writing its correct CRC32c into a copy (zero-checksum packets parse). */
    static SctpPacket parseIgnoringChecksum(byte[] bytes) {
        if (bytes.length < SctpPacket.HEADER_SIZE) {
            return null;
        }
        byte[] copy = bytes.clone();
        ByteBuffer b = ByteBuffer.wrap(copy);
        b.putInt(8, Integer.reverseBytes(SctpPacket.crc32c(ByteBuffer.wrap(copy))));
        try {
            return SctpPacket.parse(b);
        } catch (PacketParseException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        SctpPacket p = parsed();
        return link.name() + " #" + index + " t=" + nowMs + " " + (p == null ? bytes.length + " unparsable bytes" : p.chunks());
    }
}
