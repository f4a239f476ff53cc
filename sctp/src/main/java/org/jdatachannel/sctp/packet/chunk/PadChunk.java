package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;

/**
 * PAD (type 132 = 0x84), RFC 4820 §3: a chunk that only makes an SCTP packet bigger. Datagram
 * PLPMTUD (RFC 8899 §6.2.1.2, Sending SCTP Probe Packets) bundles it with a HEARTBEAT to build a probe packet of an exact size.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Type = 0x84   |   Flags=0     |             Length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * \                         Padding Data                          /
 * /                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * RFC 4820 §3 (paraphrased): the sender sets the flags to 0 and the receiver ignores them; the
 * Padding Data is ignored by the receiver, which discards the chunk and goes on with the rest of the
 * packet. The type's upper two bits are '10' (RFC 9260 §3.2: skip this chunk and continue), so a peer
 * that does not know PAD treats it the same way. Only the length is kept: the padding bytes are
 * neither copied on parse nor remembered, and zero bytes are written on serialization.
 *
 * @param paddingLength bytes of Padding Data, 0..65531 (the Length field minus the 4-byte header)
 */
public record PadChunk(int paddingLength) implements Chunk {
    /** Chunk type (0x84). */
    public static final int TYPE = 132;

    /** @throws IllegalArgumentException if {@code paddingLength} is outside 0..65531 */
    public PadChunk {
        if (paddingLength < 0 || paddingLength > 65535 - 4) {
            throw new IllegalArgumentException("padding length " + paddingLength + " not in 0..65531");
        }
    }

    /** Parses from an exactly-sized value slice; any content and any flags are valid (both ignored). */
    public static PadChunk parse(int flags, ByteBuffer v) {
        return new PadChunk(v.remaining());
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return paddingLength;
    }

    /** Writes {@link #paddingLength()} zero bytes. */
    @Override
    public void serializeValueTo(ByteBuffer out) {
        int n = paddingLength;
        while (n >= 8) {
            out.putLong(0L);
            n -= 8;
        }
        while (n-- > 0) {
            out.put((byte) 0);
        }
    }

    @Override
    public String toString() {
        return "PAD(" + paddingLength + " bytes)";
    }
}
