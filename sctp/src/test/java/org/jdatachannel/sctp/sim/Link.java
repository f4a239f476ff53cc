package org.jdatachannel.sctp.sim;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;

/**
 * One direction of the simulated network (A to B or B to A), in the order a packet meets them:
 * <ol>
 *   <li>filters ({@link #dropIf}) and chunk stripping ({@link #stripIf}): test-chosen drops;</li>
 *   <li>MTU: a packet larger than {@link #mtu(int)} bytes is dropped;</li>
 *   <li>bottleneck: with a bandwidth limit, packets wait in a FIFO queue of at most
 *       {@code queueBytes} (tail drop when full) and are serialized at the given rate;</li>
 *   <li>loss on the wire: random ({@link #loss}) and bursty Gilbert-Elliott ({@link #burstLoss});</li>
 *   <li>propagation: one-way delay plus uniform jitter (which reorders packets), optional explicit
 *       reordering (extra delay for some packets) and duplication (a second copy with its own
 *       jitter).</li>
 * </ol>
 * Every random choice comes from this link's own seeded generator, so each direction's behaviour is
 * reproducible. Time is virtual: milliseconds for the associations, nanoseconds inside the link so
 * serialization of small packets on fast links is exact; arrivals are delivered at the nearest whole
 * millisecond, in the order of their exact arrival times.
 *
 * <p>Configuration uses fluent setters ({@code link.delay(10).loss(0.01)}) that may be called at
 * any time, also during a run; they throw IllegalArgumentException for values out of range.
 * Counters are cumulative from the creation of the simulator. Not thread-safe.
 */
public final class Link {
    /** Why a packet was dropped. */
    public enum Drop {
        /** A filter installed with {@link #dropIf} (or chunk stripping left nothing). */
        FILTER,
        /** Larger than the link MTU. */
        MTU,
        /** Bottleneck queue full (tail drop). */
        QUEUE,
        /** Random loss. */
        RANDOM,
        /** Gilbert-Elliott loss. */
        BURST
    }

    /** What the link scheduled for delivery; used by {@link NetSim}. */
    record Arrival(long atNs, Link link, byte[] bytes) {
    }

    private final String name;
    private final NetSim.Peer from;
    private final NetSim.Peer to;
    private final SplittableRandom rnd;

    private long delayMs = 10;
    private long jitterMs;
    private double loss;
    private GilbertElliott burst;
    private boolean burstBad;
    private double reorder;
    private long reorderExtraMs;
    private double duplicate;
    private long bitsPerSecond;
    private long queueLimitBytes;
    private int mtu = Integer.MAX_VALUE;
    private boolean failOnOversize;
    private final List<Predicate<SimPacket>> filters = new ArrayList<>();
    private final List<BiPredicate<SimPacket, Chunk>> strippers = new ArrayList<>();

    // bottleneck queue: serialization finish time (ns) and size of each queued packet
    private final ArrayDeque<long[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long busyUntilNs;

    // counters
    private long packetsSent;
    private long bytesSent;
    private long packetsDelivered;
    private long bytesDelivered;
    private final long[] drops = new long[Drop.values().length];
    private long droppedBytes;
    private long duplicated;
    private long reordered;
    private long strippedChunks;
    private long maxQueuedBytes;
    private final long[] chunksByType = new long[256];
    private long dataChunks;
    private long dataRetransmissions;
    private long highestTsn;
    private boolean anyTsn;

    Link(String name, NetSim.Peer from, NetSim.Peer to, long seed) {
        this.name = name;
        this.from = from;
        this.to = to;
        this.rnd = new SplittableRandom(seed);
    }

    // ------------------------------------------------------------------------------------------
    // configuration

    /** @return "A->B" or "B->A" */
    public String name() {
        return name;
    }

    /** @return the sending peer */
    public NetSim.Peer from() {
        return from;
    }

    /** @return the receiving peer */
    public NetSim.Peer to() {
        return to;
    }

    /**
     * @param ms one-way propagation delay, &gt;= 0, default 10
     * @return this
     */
    public Link delay(long ms) {
        delayMs = nonNegative("delay", ms);
        return this;
    }

    /** @return the one-way delay, ms */
    public long delayMs() {
        return delayMs;
    }

    /**
     * @param ms extra delay drawn uniformly from [0, ms] per packet, &gt;= 0, default 0; packets
     *     overtake each other when it exceeds their spacing
     * @return this
     */
    public Link jitter(long ms) {
        jitterMs = nonNegative("jitter", ms);
        return this;
    }

    /** @return the jitter bound, ms */
    public long jitterMs() {
        return jitterMs;
    }

    /**
     * @param p probability 0..1 that a packet is lost on the wire, independently, default 0
     * @return this
     */
    public Link loss(double p) {
        loss = GilbertElliott.check("loss", p);
        return this;
    }

    /** @return the random loss probability */
    public double lossRate() {
        return loss;
    }

    /**
     * @param model bursty loss applied in addition to {@link #loss}, or null for none (default)
     * @return this
     */
    public Link burstLoss(GilbertElliott model) {
        burst = model;
        burstBad = false;
        return this;
    }

    /**
     * @param p probability 0..1 that a packet is held back by {@code extraMs}, so later packets
     *     overtake it
     * @param extraMs the extra delay, ms, &gt;= 1 when p &gt; 0
     * @return this
     */
    public Link reorder(double p, long extraMs) {
        GilbertElliott.check("reorder", p);
        if (p > 0 && extraMs < 1) {
            throw new IllegalArgumentException("reorder extra delay " + extraMs + " ms must be >= 1");
        }
        reorder = p;
        reorderExtraMs = extraMs;
        return this;
    }

    /**
     * @param p probability 0..1 that a delivered packet arrives twice, default 0
     * @return this
     */
    public Link duplicate(double p) {
        duplicate = GilbertElliott.check("duplicate", p);
        return this;
    }

    /**
     * A bottleneck: packets are serialized at {@code bitsPerSecond} from a FIFO queue holding at
     * most {@code queueBytes} (including the packet being serialized); a packet that does not fit
     * is dropped (tail drop, {@link Drop#QUEUE}).
     *
     * @param bitsPerSecond the rate, &gt;= 1000, or 0 for unlimited (default; then no queue)
     * @param queueBytes queue capacity in bytes, &gt;= 1 (at least one MTU is sensible)
     * @return this
     */
    public Link bandwidth(long bitsPerSecond, long queueBytes) {
        if (bitsPerSecond != 0 && bitsPerSecond < 1000) {
            throw new IllegalArgumentException("bandwidth " + bitsPerSecond + " bit/s must be 0 or >= 1000");
        }
        if (queueBytes < 1) {
            throw new IllegalArgumentException("queue " + queueBytes + " bytes must be >= 1");
        }
        this.bitsPerSecond = bitsPerSecond;
        this.queueLimitBytes = queueBytes;
        return this;
    }

    /** @return the bottleneck rate, bit/s, 0 when unlimited */
    public long bandwidthBitsPerSecond() {
        return bitsPerSecond;
    }

    /**
     * @param bytes largest packet (SCTP packet bytes) the link carries, &gt;= 1; larger ones are
     *     dropped ({@link Drop#MTU}); default unlimited
     * @return this
     */
    public Link mtu(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("mtu " + bytes + " must be >= 1");
        }
        mtu = bytes;
        return this;
    }

    /** @return the link MTU, bytes */
    public int mtu() {
        return mtu;
    }

    /**
     * @param fail true to throw AssertionError (failing the test) instead of dropping a packet above
     *     the MTU; for tests asserting that the association never exceeds its MTU option
     * @return this
     */
    public Link failOnOversize(boolean fail) {
        failOnOversize = fail;
        return this;
    }

    /**
     * Adds a filter; packets for which it returns true are dropped ({@link Drop#FILTER}). Filters run
     * in the order added, once per packet, before every other stage; a filter is not called for a
     * packet an earlier filter dropped. See {@link Filters} for common ones.
     *
     * @param filter the filter
     * @return this
     */
    public Link dropIf(Predicate<SimPacket> filter) {
        filters.add(java.util.Objects.requireNonNull(filter, "filter"));
        return this;
    }

    /**
     * Removes chunks from packets: for each parsed chunk for which {@code stripper} returns true,
     * the packet is rebuilt without it (with a valid checksum); a packet left without chunks is
     * dropped ({@link Drop#FILTER}). Unlike {@link #dropIf} this can lose a SACK bundled with DATA
     * but keep the DATA. Runs after the filters.
     *
     * @param stripper decides per chunk
     * @return this
     */
    public Link stripIf(BiPredicate<SimPacket, Chunk> stripper) {
        strippers.add(java.util.Objects.requireNonNull(stripper, "stripper"));
        return this;
    }

    /** Removes every filter and stripper. @return this */
    public Link clearFilters() {
        filters.clear();
        strippers.clear();
        return this;
    }

    private static long nonNegative(String what, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " " + v + " ms must be >= 0");
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------
    // counters

    /** @return packets the sender handed to this link */
    public long packetsSent() {
        return packetsSent;
    }

    /** @return bytes the sender handed to this link */
    public long bytesSent() {
        return bytesSent;
    }

    /** @return packets delivered to the receiver, duplicates included */
    public long packetsDelivered() {
        return packetsDelivered;
    }

    /** @return bytes delivered to the receiver, duplicates included */
    public long bytesDelivered() {
        return bytesDelivered;
    }

    /** @return packets dropped for this reason */
    public long dropped(Drop reason) {
        return drops[reason.ordinal()];
    }

    /** @return packets dropped for any reason */
    public long dropped() {
        long n = 0;
        for (long d : drops) {
            n += d;
        }
        return n;
    }

    /** @return bytes of dropped packets */
    public long droppedBytes() {
        return droppedBytes;
    }

    /** @return extra copies scheduled by duplication */
    public long duplicated() {
        return duplicated;
    }

    /** @return packets held back by explicit reordering */
    public long reordered() {
        return reordered;
    }

    /** @return chunks removed by {@link #stripIf} */
    public long strippedChunks() {
        return strippedChunks;
    }

    /** @return the largest bottleneck queue occupancy seen, bytes */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** @return chunks of this type (0..255) in packets handed to the link (before any drop) */
    public long chunks(int type) {
        return chunksByType[type & 0xff];
    }

    /** @return DATA / I-DATA chunks handed to the link (first transmissions and retransmissions) */
    public long dataChunks() {
        return dataChunks;
    }

    /**
     * @return DATA / I-DATA chunks whose TSN was not above the highest TSN seen before on this link:
     *     retransmissions (the sender assigns TSNs in increasing order)
     */
    public long dataRetransmissions() {
        return dataRetransmissions;
    }

    /** @return a one-line summary of the counters */
    public String stats() {
        StringBuilder sb = new StringBuilder(name).append(": sent ").append(packetsSent).append(" pkts/")
                .append(bytesSent).append(" B, delivered ").append(packetsDelivered).append(", dropped");
        for (Drop d : Drop.values()) {
            if (drops[d.ordinal()] > 0) {
                sb.append(' ').append(d.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(drops[d.ordinal()]);
            }
        }
        return sb.append(" (").append(dropped()).append("), dup ").append(duplicated).append(", data ")
                .append(dataChunks).append(" (rtx ").append(dataRetransmissions).append("), sack ")
                .append(chunks(3)).append(", fwd-tsn ").append(chunks(192) + chunks(194)).append(", max queue ")
                .append(maxQueuedBytes).append(" B").toString();
    }

    @Override
    public String toString() {
        return stats();
    }

    // ------------------------------------------------------------------------------------------
    // the packet path

    /**
     * Takes one packet from the sender at {@code nowMs} and returns its arrivals (none, one or two).
     */
    List<Arrival> send(byte[] bytes, long nowMs) {
        packetsSent++;
        bytesSent += bytes.length;
        countChunks(bytes);
        if (!filters.isEmpty() || !strippers.isEmpty()) {
            SimPacket sp = new SimPacket(this, nowMs, packetsSent, bytes);
            for (Predicate<SimPacket> f : filters) {
                if (f.test(sp)) {
                    return drop(Drop.FILTER, bytes);
                }
            }
            if (!strippers.isEmpty()) {
                bytes = strip(sp);
                if (bytes == null) {
                    return drop(Drop.FILTER, sp.bytes());
                }
            }
        }
        if (bytes.length > mtu) {
            if (failOnOversize) {
                throw new AssertionError(from.name + " sent a packet of " + bytes.length + " bytes > MTU " + mtu);
            }
            return drop(Drop.MTU, bytes);
        }
        long nowNs = nowMs * 1_000_000L;
        long departNs = nowNs;
        if (bitsPerSecond > 0) {
            while (!queue.isEmpty() && queue.peekFirst()[0] <= nowNs) {
                queuedBytes -= queue.pollFirst()[1];
            }
            if (queuedBytes + bytes.length > queueLimitBytes) {
                return drop(Drop.QUEUE, bytes);
            }
            long serializeNs = (bytes.length * 8L * 1_000_000_000L + bitsPerSecond - 1) / bitsPerSecond;
            departNs = Math.max(nowNs, busyUntilNs) + serializeNs;
            busyUntilNs = departNs;
            queue.addLast(new long[] {departNs, bytes.length});
            queuedBytes += bytes.length;
            maxQueuedBytes = Math.max(maxQueuedBytes, queuedBytes);
        }
        // loss on the wire, after the bottleneck (a lost packet still used its serialization time)
        if (burst != null) {
            // Gilbert-Elliott: first the state transition, then loss with the state's probability
            burstBad = burstBad ? rnd.nextDouble() >= burst.badToGood() : rnd.nextDouble() < burst.goodToBad();
            if (rnd.nextDouble() < (burstBad ? burst.lossInBad() : burst.lossInGood())) {
                return drop(Drop.BURST, bytes);
            }
        }
        if (loss > 0 && rnd.nextDouble() < loss) {
            return drop(Drop.RANDOM, bytes);
        }
        List<Arrival> out = new ArrayList<>(2);
        out.add(new Arrival(arrival(departNs), this, bytes));
        if (duplicate > 0 && rnd.nextDouble() < duplicate) {
            duplicated++;
            out.add(new Arrival(arrival(departNs), this, bytes.clone()));
        }
        return out;
    }

    private long arrival(long departNs) {
        long at = departNs + delayMs * 1_000_000L;
        if (jitterMs > 0) {
            at += (long) (rnd.nextDouble() * jitterMs * 1_000_000L);
        }
        if (reorder > 0 && rnd.nextDouble() < reorder) {
            reordered++;
            at += reorderExtraMs * 1_000_000L;
        }
        return at;
    }

    private List<Arrival> drop(Drop reason, byte[] bytes) {
        drops[reason.ordinal()]++;
        droppedBytes += bytes.length;
        from.sim().dropped++;
        return List.of();
    }

    void delivered(byte[] bytes) {
        packetsDelivered++;
        bytesDelivered += bytes.length;
    }

    private byte[] strip(SimPacket sp) {
        SctpPacket p = sp.parsed();
        if (p == null) {
            return sp.bytes();
        }
        List<Chunk> keep = new ArrayList<>(p.chunks().size());
        for (Chunk c : p.chunks()) {
            boolean remove = false;
            for (BiPredicate<SimPacket, Chunk> s : strippers) {
                if (s.test(sp, c)) {
                    remove = true;
                    break;
                }
            }
            if (remove) {
                strippedChunks++;
            } else {
                keep.add(c);
            }
        }
        if (keep.size() == p.chunks().size()) {
            return sp.bytes();
        }
        if (keep.isEmpty()) {
            return null;
        }
        return new SctpPacket(p.sourcePort(), p.destinationPort(), p.verificationTag(), keep).serialize();
    }

    /** Counts chunk types and DATA retransmissions by walking the chunk headers (no full parse). */
    private void countChunks(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        int off = SctpPacket.HEADER_SIZE;
        while (off + 4 <= b.length) {
            int type = b[off] & 0xff;
            int len = buf.getShort(off + 2) & 0xffff;
            if (len < 4 || off + len > b.length) {
                return;
            }
            chunksByType[type]++;
            if ((type == 0 || type == 64) && len >= 8) {
                dataChunks++;
                long tsn = buf.getInt(off + 4) & 0xffffffffL;
                if (anyTsn && ((int) (tsn - highestTsn)) <= 0) {
                    dataRetransmissions++;
                } else {
                    highestTsn = tsn;
                    anyTsn = true;
                }
            }
            off += (len + 3) & ~3;
        }
    }
}
