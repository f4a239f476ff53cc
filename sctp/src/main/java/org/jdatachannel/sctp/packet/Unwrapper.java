package org.jdatachannel.sctp.packet;

/**
 * Turns 32-bit wrapping sequence numbers (TSNs, RFC 9260 §1.6 serial numbers) into 64-bit
 * monotonic values so that ordinary {@code <}/{@code >} comparisons are correct across the wrap.
 * Each value is interpreted as the one nearest (in RFC 1982 distance) to the last unwrapped value.
 *
 * <p>Not thread-safe; owned by one association.
 */
public final class Unwrapper {
    private long last;

    /** @param initial the first 32-bit value expected (e.g. the peer's initial TSN) */
    public Unwrapper(int initial) {
        this.last = Integer.toUnsignedLong(initial);
    }

    /**
     * Unwraps {@code value} relative to the last value seen and remembers the result if it is later.
     *
     * @param value a 32-bit sequence number
     * @return the unwrapped 64-bit value (may be smaller than previous results for old numbers)
     */
    public long unwrap(int value) {
        long r = peek(value);
        if (r > last) {
            last = r;
        }
        return r;
    }

    /** Like {@link #unwrap} but does not remember the result. */
    public long peek(int value) {
        int diff = value - (int) last; // signed 32-bit distance
        return last + diff;
    }

    /** @return the 32-bit form of an unwrapped value */
    public static int wrap(long unwrapped) {
        return (int) unwrapped;
    }
}
