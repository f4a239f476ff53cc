package org.jdatachannel.sctp.packet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
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
        Tlv tlv = new Tlv(b.slice(HEADER_SIZE, n - HEADER_SIZE), "chunk");
        List<Chunk> chunks = new ArrayList<>();
        while (tlv.hasNext()) {
            tlv.next(true);
            chunks.add(Chunk.parse(tlv.type(), tlv.flags(), tlv.value()));
        }
        if (chunks.isEmpty()) {
            throw new PacketParseException("packet without chunks");
        }
        return new SctpPacket(b.getShort(0) & 0xffff, b.getShort(2) & 0xffff, new VerificationTag(b.getInt(4)),
                Collections.unmodifiableList(chunks));
    }

    /**
     * Computes the CRC32c of a whole packet (position to limit) as if its checksum field were zero.
     *
     * @return the 32-bit CRC value
     */
    public static int crc32c(ByteBuffer packet) {
        ByteBuffer b = packet.slice();
        CRC32C crc = new CRC32C();
        crc.update(b.slice(0, 8));
        crc.update(new byte[4]);
        crc.update(b.slice(HEADER_SIZE, b.remaining() - HEADER_SIZE));
        return (int) crc.getValue();
    }

    /** @return the serialized size in bytes: header plus every chunk padded to 4 bytes */
    public int serializedSize() {
        int n = HEADER_SIZE;
        for (Chunk c : chunks) {
            n += Tlv.padded(c.serializedLength());
        }
        return n;
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
        byte[] out = new byte[serializedSize()];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putShort((short) sourcePort).putShort((short) destinationPort).putInt(verificationTag.value()).putInt(0);
        for (Chunk c : chunks) {
            c.serializeTo(b);
        }
        if (!zeroChecksum) {
            b.putInt(8, Integer.reverseBytes(crc32c(ByteBuffer.wrap(out))));
        }
        return out;
    }

    @Override
    public String toString() {
        return "SctpPacket(" + sourcePort + "->" + destinationPort + ", tag=" + verificationTag
                + ", " + chunks + ")";
    }
}
