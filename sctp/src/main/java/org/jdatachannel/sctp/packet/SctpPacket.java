package org.jdatachannel.sctp.packet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jdatachannel.sctp.packet.chunk.Chunk;

/**
 * An SCTP packet: the common header (RFC 9260 §3.1) followed by chunks. Over DTLS (RFC 8261 §4)
 * each DTLS record carries exactly one whole SCTP packet, with no IP or UDP header.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Source Port Number        |     Destination Port Number   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Verification Tag                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Checksum                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Chunk #1 ... Chunk #n                                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The checksum is CRC32c (RFC 9260 Appendix B) over the whole packet with the checksum field set to
 * zero; the 32-bit result is written least significant byte first, as the reference code of
 * Appendix B does.
 *
 * @param sourcePort source port 0..65535
 * @param destinationPort destination port 0..65535
 * @param verificationTag the verification tag (RFC 9260 §8.5)
 * @param chunks the chunks in order
 */
public record SctpPacket(int sourcePort, int destinationPort, VerificationTag verificationTag, List<Chunk> chunks) {
    /** Size of the common header in bytes. */
    public static final int HEADER_SIZE = 12;

    /** Copies the chunk list. */
    public SctpPacket {
        chunks = List.copyOf(chunks);
    }

    /** Convenience constructor from a raw tag. */
    public SctpPacket(int sourcePort, int destinationPort, int verificationTag, List<Chunk> chunks) {
        this(sourcePort, destinationPort, new VerificationTag(verificationTag), chunks);
    }

    /**
     * Parses a received packet: checks the length, verifies the CRC32c and parses every chunk.
     * The packet is rejected as a whole if any chunk is malformed (RFC 9260 §6.10 does not allow
     * processing a partially corrupt packet in a defined way; dropping is the safe choice).
     *
     * @param packet the packet bytes from position to limit; not modified
     * @throws PacketParseException naming the failed check
     */
    public static SctpPacket parse(ByteBuffer packet) throws PacketParseException {
        return parse(packet, false);
    }

    /**
     * Like {@link #parse(ByteBuffer)}, optionally also accepting a checksum field of zero (RFC 9653
     * §5.3: an endpoint that announced an alternate error detection method "MUST accept SCTP packets
     * that have an incorrect checksum value of zero"). A correct CRC32c is always accepted; any other
     * wrong value is always rejected.
     *
     * @param packet the packet bytes from position to limit; not modified
     * @param acceptZeroChecksum true to accept a checksum field of zero without verifying the CRC32c
     * @throws PacketParseException naming the failed check
     */
    public static SctpPacket parse(ByteBuffer packet, boolean acceptZeroChecksum) throws PacketParseException {
        return parse(packet, acceptZeroChecksum, false);
    }

    /**
     * Like {@link #parse(ByteBuffer, boolean)}, optionally without copying the user data of I-DATA
     * chunks: with {@code borrowUserData} each {@link org.jdatachannel.sctp.packet.chunk.IDataChunk}
     * refers to {@code packet}'s backing array ({@code IDataChunk.payloadArray()}), so the result is
     * valid only while the caller leaves those bytes unchanged (the association's receive path, which
     * copies what it keeps; every other chunk is a value of its own either way).
     *
     * @param packet the packet bytes from position to limit; not modified
     * @param acceptZeroChecksum true to accept a checksum field of zero without verifying the CRC32c
     * @param borrowUserData true to let I-DATA chunks refer to {@code packet}'s array
     * @throws PacketParseException naming the failed check
     */
    public static SctpPacket parse(ByteBuffer packet, boolean acceptZeroChecksum, boolean borrowUserData)
            throws PacketParseException {
        ByteBuffer b = packet.slice();
        int n = b.remaining();
        if (n < HEADER_SIZE) {
            throw new PacketParseException("packet of " + n + " bytes is shorter than the 12-byte common header");
        }
        int received = Integer.reverseBytes(b.getInt(8));
        // RFC 9653 §5.3: with zero checksum accepted, errors are the lower layer's (DTLS) to detect
        boolean zeroAccepted = received == 0 && acceptZeroChecksum;
        int computed = zeroAccepted ? 0 : crc32c(b);
        if (received != computed) {
            // RFC 9260 §6.8: "An SCTP receiver MUST silently discard a packet with an invalid checksum"
            throw new PacketParseException("checksum mismatch: received 0x" + Integer.toHexString(received)
                    + ", computed 0x" + Integer.toHexString(computed));
        }
        Tlv tlv = new Tlv(b, HEADER_SIZE, n - HEADER_SIZE, "chunk");
        if (!tlv.hasNext()) {
            throw new PacketParseException("packet without chunks");
        }
        tlv.next(true);
        Chunk first = Chunk.parse(tlv.type(), tlv.flags(), tlv.value(), borrowUserData);
        List<Chunk> chunks;
        if (!tlv.hasNext()) {
            // the common case (one DATA or one SACK): no list to grow and copy
            chunks = List.of(first);
        } else {
            ArrayList<Chunk> more = new ArrayList<>(4);
            more.add(first);
            while (tlv.hasNext()) {
                tlv.next(true);
                more.add(Chunk.parse(tlv.type(), tlv.flags(), tlv.value(), borrowUserData));
            }
            chunks = List.copyOf(more); // immutable: the record's List.copyOf keeps it as it is
        }
        return new SctpPacket(b.getShort(0) & 0xffff, b.getShort(2) & 0xffff, new VerificationTag(b.getInt(4)),
                chunks);
    }

    /**
     * Computes the CRC32c of a whole packet (position to limit) as if its checksum field were zero.
     *
     * @return the 32-bit CRC value
     */
    public static int crc32c(ByteBuffer packet) {
        if (packet.hasArray()) {
            return crc32c(packet.array(), packet.arrayOffset() + packet.position(), packet.remaining());
        }
        ByteBuffer b = packet.slice();
        CRC32C crc = new CRC32C();
        crc.update(b.slice(0, 8));
        crc.update(ZERO_CHECKSUM, 0, 4);
        crc.update(b.slice(HEADER_SIZE, b.remaining() - HEADER_SIZE));
        return (int) crc.getValue();
    }

    /**
     * Computes the CRC32c of a whole packet held in {@code packet[off, off+len)} as if its checksum
     * field were zero, without copying or allocating buffers.
     *
     * @param len the packet length, &gt;= {@value #HEADER_SIZE}
     * @return the 32-bit CRC value
     */
    public static int crc32c(byte[] packet, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(packet, off, 8);
        crc.update(ZERO_CHECKSUM, 0, 4);
        crc.update(packet, off + HEADER_SIZE, len - HEADER_SIZE);
        return (int) crc.getValue();
    }

    /** The checksum field as the CRC32c sees it (RFC 9260 Appendix B); never written to. */
    private static final byte[] ZERO_CHECKSUM = new byte[4];

    /** @return the serialized size in bytes: header plus every chunk padded to 4 bytes */
    public int serializedSize() {
        int n = HEADER_SIZE;
        for (Chunk c : chunks) {
            n += Tlv.padded(c.serializedLength());
        }
        return n;
    }

    /**
     * @param chunks the chunks of a packet
     * @return the size in bytes of a packet of these chunks: the common header plus every chunk padded
     *     to 4 bytes
     */
    public static int serializedSize(List<? extends Chunk> chunks) {
        int size = HEADER_SIZE;
        for (int i = 0, n = chunks.size(); i < n; i++) {
            size += Tlv.padded(chunks.get(i).serializedLength());
        }
        return size;
    }

    /** @return the packet bytes, checksum included */
    public byte[] serialize() {
        return serialize(false);
    }

    /**
     * @param zeroChecksum true to leave the checksum field 0 (RFC 9653 §5.2, only when the peer
     *     announced our alternate error detection method and the packet may carry it), false for the
     *     CRC32c
     * @return the packet bytes
     */
    public byte[] serialize(boolean zeroChecksum) {
        return serialize(sourcePort, destinationPort, verificationTag.value(), chunks, zeroChecksum);
    }

    /**
     * Serializes a packet straight from its parts, without building an {@code SctpPacket} (the
     * association's send path: one exactly-sized array per packet, no intermediate copies).
     *
     * @param sourcePort source port 0..65535
     * @param destinationPort destination port 0..65535
     * @param verificationTag the verification tag
     * @param chunks the chunks in order, at least one; not retained
     * @param zeroChecksum true to leave the checksum field 0 (RFC 9653 §5.2), false for the CRC32c
     * @return the packet bytes
     */
    public static byte[] serialize(int sourcePort, int destinationPort, int verificationTag,
            List<? extends Chunk> chunks, boolean zeroChecksum) {
        return serialize(sourcePort, destinationPort, verificationTag, chunks, zeroChecksum, null);
    }

    /**
     * Like {@link #serialize(int, int, int, List, boolean)}, writing into {@code reuse} when it has
     * exactly the packet's size (every byte of it is overwritten: header, chunks and their zero
     * padding), else into a new array.
     *
     * @param reuse an array the caller owns and no longer needs, or null
     * @return the packet bytes: {@code reuse} or a new array
     */
    public static byte[] serialize(int sourcePort, int destinationPort, int verificationTag,
            List<? extends Chunk> chunks, boolean zeroChecksum, byte[] reuse) {
        int size = serializedSize(chunks);
        byte[] out = reuse != null && reuse.length == size ? reuse : new byte[size];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putShort((short) sourcePort).putShort((short) destinationPort).putInt(verificationTag).putInt(0);
        for (int i = 0, n = chunks.size(); i < n; i++) {
            chunks.get(i).serializeTo(b);
        }
        if (b.position() != size) {
            // every element writes its bytes in sequence (relative puts, explicit zero padding): a
            // reused array would keep stale bytes where one did not
            throw new IllegalStateException("serialized " + b.position() + " of " + size + " bytes");
        }
        if (!zeroChecksum) {
            b.putInt(8, Integer.reverseBytes(crc32c(out, 0, size)));
        }
        return out;
    }

    @Override
    public String toString() {
        return "SctpPacket(" + sourcePort + "->" + destinationPort + ", tag=" + verificationTag
                + ", " + chunks + ")";
    }
}
