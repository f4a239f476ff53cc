package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Supported Extensions (type 0x8008), RFC 5061 §4.2.7: the chunk types the sender supports beyond
 * RFC 9260 (for us RE-CONFIG 0x82, RFC 6525 §5, and FORWARD TSN 0xC0, RFC 3758 §3.2).
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Parameter Type = 0x8008   |      Parameter Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | CHUNK TYPE 1  |  CHUNK TYPE 2 |  CHUNK TYPE 3 |  CHUNK TYPE 4 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param chunkTypes chunk type codes 0..255 (not copied; treat as read-only)
 */
public record SupportedExtensionsParameter(int[] chunkTypes) implements Parameter {
    /** Parameter type. */
    public static final int TYPE = 0x8008;

    /** Validates chunk type range. */
    public SupportedExtensionsParameter {
        for (int t : chunkTypes) {
            if (t < 0 || t > 255) {
                throw new IllegalArgumentException("chunk type " + t + " not in 0..255");
            }
        }
    }

    /** Parses from an exactly-sized value slice: one byte per chunk type. */
    public static SupportedExtensionsParameter parse(ByteBuffer value) {
        int[] t = new int[value.remaining()];
        for (int i = 0; i < t.length; i++) {
            t[i] = value.get(value.position() + i) & 0xff;
        }
        return new SupportedExtensionsParameter(t);
    }

    /** @return true if {@code chunkType} is listed */
    public boolean supports(int chunkType) {
        for (int t : chunkTypes) {
            if (t == chunkType) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return chunkTypes.length;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        for (int t : chunkTypes) {
            out.put((byte) t);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SupportedExtensionsParameter s && Arrays.equals(chunkTypes, s.chunkTypes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(chunkTypes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SupportedExtensions(");
        for (int i = 0; i < chunkTypes.length; i++) {
            sb.append(i == 0 ? "" : ",").append("0x").append(Integer.toHexString(chunkTypes[i]));
        }
        return sb.append(')').toString();
    }
}
