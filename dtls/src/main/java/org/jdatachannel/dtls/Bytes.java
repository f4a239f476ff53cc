package org.jdatachannel.dtls;

/** Big-endian (network order) integer access; callers check bounds first. */
final class Bytes {

    private Bytes() {
    }

    /** @return true if {@code v} fits an unsigned field of {@code bits} bits (1..62) */
    static boolean fitsUnsigned(long v, int bits) {
        return v >= 0 && v < (1L << bits);
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static int u24(byte[] b, int i) {
        return ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
    }

    static long u48(byte[] b, int i) {
        return ((long) u24(b, i) << 24) | u24(b, i + 3);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >> 8);
        b[i + 1] = (byte) v;
    }

    static void put24(byte[] b, int i, int v) {
        b[i] = (byte) (v >> 16);
        b[i + 1] = (byte) (v >> 8);
        b[i + 2] = (byte) v;
    }

    static void put48(byte[] b, int i, long v) {
        put24(b, i, (int) (v >>> 24) & 0xFF_FFFF);
        put24(b, i + 3, (int) v & 0xFF_FFFF);
    }
}
