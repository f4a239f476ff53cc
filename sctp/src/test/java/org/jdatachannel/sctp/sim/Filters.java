package org.jdatachannel.sctp.sim;

import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;

/**
 * Ready-made packet filters for {@link Link#dropIf} and chunk strippers for {@link Link#stripIf}.
 * Stateful filters (counting chunks or transmissions) count only the packets they are asked about,
 * so install each on one link and do not share it. Examples:
 * <pre>{@code
 * sim.ab.dropIf(Filters.nthDataChunk(20));                                   // the 20th DATA chunk A sends
 * sim.ab.dropIf(Filters.newTsn(30, 2));                                      // the 30th TSN, twice
 * sim.ba.dropIf(Filters.between(t, t + 2000, Filters.has(SackChunk.class))); // every SACK for 2 s
 * sim.ab.dropIf(Filters.between(t1, t2, Filters.all()));                    // everything A sends in [t1, t2)
 * sim.ba.stripIf(Filters.chunksOf(SackChunk.class));                        // SACKs, even bundled ones
 * }</pre>
 */
public final class Filters {
    private Filters() {
    }

    /** @return a filter matching every packet */
    public static Predicate<SimPacket> all() {
        return p -> true;
    }

    /** @return a filter matching packets that contain a chunk of this type */
    public static Predicate<SimPacket> has(Class<? extends Chunk> type) {
        return p -> p.has(type);
    }

    /**
     * @param fromMs start of the window, virtual ms, inclusive
     * @param toMs end of the window, exclusive
     * @param f the filter applied inside the window (not called outside it)
     * @return a filter matching what {@code f} matches while {@code fromMs <= now < toMs}
     */
    public static Predicate<SimPacket> between(long fromMs, long toMs, Predicate<SimPacket> f) {
        if (toMs < fromMs) {
            throw new IllegalArgumentException("window [" + fromMs + ", " + toMs + ") is empty");
        }
        return p -> p.nowMs() >= fromMs && p.nowMs() < toMs && f.test(p);
    }

    /**
     * @param k how many matches to drop, &gt;= 0
     * @param f the filter
     * @return a filter matching the first {@code k} packets {@code f} matches, then nothing
     */
    public static Predicate<SimPacket> firstTimes(int k, Predicate<SimPacket> f) {
        if (k < 0) {
            throw new IllegalArgumentException("k " + k + " < 0");
        }
        int[] left = {k};
        return p -> left[0] > 0 && f.test(p) && left[0]-- > 0;
    }

    /**
     * @param n 1-based index of the DATA chunk among all DATA chunks sent on the link, counting
     *     retransmissions
     * @return a filter matching the packet that carries it
     */
    public static Predicate<SimPacket> nthDataChunk(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("n " + n + " < 1");
        }
        long[] seen = {0};
        return p -> {
            long before = seen[0];
            seen[0] += p.dataChunks().size();
            return before < n && seen[0] >= n;
        };
    }

    /**
     * @param tsn the TSN (32-bit value as on the wire)
     * @param times how many transmissions of it to drop, &gt;= 1
     * @return a filter matching the first {@code times} packets carrying a DATA chunk with this TSN
     */
    public static Predicate<SimPacket> tsn(int tsn, int times) {
        return firstTimes(times, p -> {
            for (DataChunk d : p.dataChunks()) {
                if (d.tsn().value() == tsn) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * Like {@link #tsn} without knowing the (random) initial TSN: TSNs are counted from the first
     * DATA chunk seen on the link.
     *
     * @param k 1-based: the k-th TSN assigned by the sender (its first DATA chunk is k=1)
     * @param times how many transmissions of it to drop, &gt;= 1
     * @return the filter
     */
    public static Predicate<SimPacket> newTsn(long k, int times) {
        if (k < 1 || times < 1) {
            throw new IllegalArgumentException("k " + k + " and times " + times + " must be >= 1");
        }
        long[] first = {Long.MIN_VALUE};
        int[] left = {times};
        return p -> {
            if (left[0] == 0) {
                return false;
            }
            for (DataChunk d : p.dataChunks()) {
                if (first[0] == Long.MIN_VALUE) {
                    first[0] = d.tsn().value() & 0xffffffffL;
                }
                if ((int) ((d.tsn().value() & 0xffffffffL) - first[0]) == k - 1) {
                    left[0]--;
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * @param observer called for every packet the filter sees
     * @return a filter that drops nothing: for watching a link (e.g. the last SACK's cumulative TSN)
     */
    public static Predicate<SimPacket> observe(java.util.function.Consumer<SimPacket> observer) {
        return p -> {
            observer.accept(p);
            return false;
        };
    }

    /** @return a chunk stripper removing every chunk of this type */
    public static BiPredicate<SimPacket, Chunk> chunksOf(Class<? extends Chunk> type) {
        return (p, c) -> type.isInstance(c);
    }

    /**
     * @return a chunk stripper removing chunks of this type while {@code fromMs <= now < toMs}
     */
    public static BiPredicate<SimPacket, Chunk> chunksOf(Class<? extends Chunk> type, long fromMs, long toMs) {
        return (p, c) -> p.nowMs() >= fromMs && p.nowMs() < toMs && type.isInstance(c);
    }
}
