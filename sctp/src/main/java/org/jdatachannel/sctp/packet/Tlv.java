package org.jdatachannel.sctp.packet;

import java.nio.ByteBuffer;

/**
 * The single type-length-value walker used for chunks (RFC 9260 §3.2), parameters (§3.2.1) and
 * error causes (§3.3.10). It checks the header size, the length field and the padding before any
 * typed parser runs, and hands the typed parser an exactly-sized slice of the value.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Chunk Type  | Chunk  Flags  |         Chunk Length          |   (chunks)
 * |        Parameter Type         |       Parameter Length        |   (parameters, causes)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                              Value                            /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * RFC 9260 §3.2: "The Chunk Length field does not count any chunk padding. However, it does include
 * padding of any variable-length parameter except the last parameter in the chunk." So the last
 * element of a region may lack its padding; every other element must be followed by its padding.
 *
 * <p>Not thread-safe; one reader per region.
 */
public final class Tlv {
    /** Size of a chunk, parameter or error cause header in bytes. */
    public static final int HEADER_SIZE = 4;

    private final ByteBuffer buf;
    private final String what;
    private int type;
    private int flags;
    /** Where the value of the element last read starts in {@code buf}, and its length in bytes. */
    private int valueOffset;
    private int valueLength;

    /**
     * @param region the bytes holding consecutive TLVs; read from position to limit, not modified
     * @param what "chunk", "parameter" or "error cause", used in messages
     */
    public Tlv(ByteBuffer region, String what) {
        this.buf = region.slice();
        this.what = what;
    }

    /**
     * A reader of the TLVs in {@code packet[offset, offset+length)}, {@code offset} being an absolute
     * index in {@code packet} as for {@link ByteBuffer#slice(int, int)}: one slice for the region
     * instead of a caller's slice sliced again.
     *
     * @param packet the bytes; not modified
     * @param what "chunk", "parameter" or "error cause", used in messages
     */
    public Tlv(ByteBuffer packet, int offset, int length, String what) {
        this.buf = packet.slice(offset, length);
        this.what = what;
    }

    /** @return true if bytes remain to be read */
    public boolean hasNext() {
        return buf.hasRemaining();
    }

    /**
     * Reads the next element header and value.
     *
     * @param chunkHeader true for chunk headers (8-bit type, 8-bit flags), false for 16-bit types
     * @throws PacketParseException if the header is truncated, the length is below 4, larger than
     *     the bytes left, or padding is missing before a following element
     */
    public void next(boolean chunkHeader) throws PacketParseException {
        int off = buf.position();
        int remaining = buf.remaining();
        if (remaining < HEADER_SIZE) {
            throw new PacketParseException(what + " at offset " + off + ": " + remaining
                    + " bytes left, need a 4-byte header");
        }
        if (chunkHeader) {
            type = buf.get(off) & 0xff;
            flags = buf.get(off + 1) & 0xff;
        } else {
            type = buf.getShort(off) & 0xffff;
            flags = 0;
        }
        int length = buf.getShort(off + 2) & 0xffff;
        if (length < HEADER_SIZE) {
            throw new PacketParseException(what + " type " + type + " at offset " + off
                    + ": length " + length + " < 4");
        }
        if (length > remaining) {
            throw new PacketParseException(what + " type " + type + " at offset " + off
                    + ": length " + length + " exceeds the " + remaining + " bytes left");
        }
        int padded = (length + 3) & ~3;
        if (padded > remaining) {
            if (length != remaining) {
                throw new PacketParseException(what + " type " + type + " at offset " + off
                        + ": padding missing after length " + length);
            }
            padded = remaining; // last element of the region without its padding
        }
        valueOffset = off + HEADER_SIZE;
        valueLength = length - HEADER_SIZE;
        buf.position(off + padded);
    }

    /** @return the type of the element last read */
    public int type() {
        return type;
    }

    /** @return the flags of the chunk last read (0 for parameters and causes) */
    public int flags() {
        return flags;
    }

    /**
     * @return an exactly-sized slice of the value of the element last read (a new buffer per call,
     *     sharing the region's bytes; made here rather than in {@link #next}, one per element)
     */
    public ByteBuffer value() {
        return buf.slice(valueOffset, valueLength);
    }

    /** @return {@code len} rounded up to a multiple of 4 */
    public static int padded(int len) {
        return (len + 3) & ~3;
    }

    /** Writes zero bytes to pad {@code len} to a multiple of 4. */
    public static void pad(ByteBuffer out, int len) {
        for (int i = len; i < padded(len); i++) {
            out.put((byte) 0);
        }
    }

    /**
     * Throws if the exactly-sized value {@code v} does not hold exactly {@code n} bytes.
     *
     * @param name the element's name, for the message
     * @throws PacketParseException naming the element and both lengths
     */
    public static void expectLength(String name, ByteBuffer v, int n) throws PacketParseException {
        if (v.remaining() != n) {
            throw new PacketParseException(name + ": value length " + v.remaining() + " != " + n);
        }
    }

    /**
     * Throws if the exactly-sized value {@code v} holds fewer than {@code n} bytes.
     *
     * @param name the element's name, for the message
     * @throws PacketParseException naming the element and both lengths
     */
    public static void expectAtLeast(String name, ByteBuffer v, int n) throws PacketParseException {
        if (v.remaining() < n) {
            throw new PacketParseException(name + ": value length " + v.remaining() + " < " + n);
        }
    }

    /**
     * Reads {@code count} consecutive unsigned 16-bit values (stream identifiers, parameter types)
     * starting {@code offset} bytes after the position of {@code v}; the caller has checked bounds.
     */
    public static int[] getU16s(ByteBuffer v, int offset, int count) {
        int[] a = new int[count];
        int p = v.position() + offset;
        for (int i = 0; i < count; i++) {
            a[i] = v.getShort(p + 2 * i) & 0xffff;
        }
        return a;
    }

    /** Writes each value as an unsigned 16-bit field, in order. */
    public static void putU16s(ByteBuffer out, int[] values) {
        for (int x : values) {
            out.putShort((short) x);
        }
    }

    /** Copies all remaining bytes of {@code b} into a new array. */
    public static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /** Hex dump for {@code toString} methods, truncated to 32 bytes. */
    public static String hex(byte[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(a.length, 32); i++) {
            sb.append(Character.forDigit((a[i] >> 4) & 0xf, 16)).append(Character.forDigit(a[i] & 0xf, 16));
        }
        if (a.length > 32) {
            sb.append("..(").append(a.length).append(" bytes)");
        }
        return sb.toString();
    }
}
