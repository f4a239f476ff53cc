package org.jdatachannel.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A seeded, impairing datagram link between two {@link PacketTransport} ends, {@link #a()} and
 * {@link #b()}, for tests: per direction it drops, duplicates, delays and reorders datagrams (a
 * small netem). It runs either in memory (no sockets) or as a UDP relay on 127.0.0.1 between two
 * real {@code DatagramSocket}s (network rule: loopback only).
 *
 * <p>Decisions come from one {@link SplittableRandom} (SplitMix64, well mixed even for
 * consecutive seeds) per direction, seeded from the relay's seed, drawn in
 * the order datagrams are sent in that direction; so a seed replays the same decisions for the
 * same sequence of datagrams (timing may still change which datagrams are sent, e.g. how many
 * retransmissions happen).
 *
 * <p>Reordering: a datagram picked for reordering is held back by a random extra delay of 1 to
 * {@link Impairment#reorderWindowMs} ms, so later datagrams overtake it. Delivery order is by due
 * time, then send order.
 *
 * <p>Thread-safety: any threads may send; one thread per end receives.
 */
final class LossyRelay implements AutoCloseable {

    /**
     * What happens to datagrams in one direction.
     *
     * @param lossPercent probability of dropping a datagram, 0..100
     * @param duplicatePercent probability of delivering a (not dropped) datagram twice, 0..100
     * @param reorderPercent probability of holding a copy back so that later ones overtake it, 0..100
     * @param reorderWindowMs maximum extra delay of a held-back copy, ms, &gt;= 1 when reordering
     * @param delayMs fixed one-way delay, ms, &gt;= 0
     */
    record Impairment(int lossPercent, int duplicatePercent, int reorderPercent, int reorderWindowMs, int delayMs) {
        static final Impairment NONE = new Impairment(0, 0, 0, 1, 0);

        Impairment {
            for (int p : new int[] {lossPercent, duplicatePercent, reorderPercent}) {
                if (p < 0 || p > 100) {
                    throw new IllegalArgumentException("percentages must be 0..100");
                }
            }
            if (reorderWindowMs < 1 || delayMs < 0) {
                throw new IllegalArgumentException("reorderWindowMs must be >= 1 and delayMs >= 0");
            }
        }

        static Impairment loss(int percent) {
            return new Impairment(percent, 0, 0, 1, 0);
        }

        static Impairment duplicate(int percent) {
            return new Impairment(0, percent, 0, 1, 0);
        }

        static Impairment reorder(int percent, int windowMs) {
            return new Impairment(0, 0, percent, windowMs, 0);
        }
    }

    /** Counters of one direction. */
    static final class Stats {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong reordered = new AtomicLong();

        @Override
        public String toString() {
            return "sent " + sent + ", dropped " + dropped + ", duplicated " + duplicated + ", reordered " + reordered;
        }
    }

    private static final class Scheduled implements Delayed {
        final byte[] data;
        final long dueNanos;
        final long order;

        Scheduled(byte[] data, long dueNanos, long order) {
            this.data = data;
            this.dueNanos = dueNanos;
            this.order = order;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Scheduled s = (Scheduled) o;
            int c = Long.compare(dueNanos, s.dueNanos);
            return c != 0 ? c : Long.compare(order, s.order);
        }
    }

    /** Bounded trace of decisions, both directions, for failure messages. */
    private static final int TRACE_LIMIT = 400;

    private final java.util.ArrayDeque<String> trace = new java.util.ArrayDeque<>();
    private final long t0 = System.nanoTime();

    private void trace(String dir, String decision, byte[] d) {
        String line = String.format("%6d ms %s %-10s %s", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dir,
                decision, describe(d));
        synchronized (trace) {
            if (trace.size() == TRACE_LIMIT) {
                trace.removeFirst();
            }
            trace.addLast(line);
        }
    }

    /** @return the decisions taken so far (the last {@value #TRACE_LIMIT}), one per line */
    String trace() {
        synchronized (trace) {
            return String.join("\n", trace);
        }
    }

    /**
     * DTLS records of a datagram, for the trace: content type, epoch, and for epoch-0 handshake
     * records the message type, message_seq and fragment (RFC 6347 §4.1, §4.2.2).
     */
    static String describe(byte[] d) {
        return d.length + " B:" + records(d);
    }

    /** The record part of {@link #describe}: e.g. {@code " [CCS e0] [hs e1]"}, without the size. */
    static String records(byte[] d) {
        StringBuilder b = new StringBuilder();
        int p = 0;
        while (p + 13 <= d.length) {
            int type = d[p] & 0xFF;
            int epoch = ((d[p + 3] & 0xFF) << 8) | (d[p + 4] & 0xFF);
            int len = ((d[p + 11] & 0xFF) << 8) | (d[p + 12] & 0xFF);
            b.append(" [").append(switch (type) {
                case 20 -> "CCS";
                case 21 -> "alert";
                case 22 -> "hs";
                case 23 -> "data";
                default -> "type" + type;
            }).append(" e").append(epoch);
            if (type == 22 && epoch == 0 && p + 25 <= d.length) {
                int msgType = d[p + 13] & 0xFF;
                int seq = ((d[p + 17] & 0xFF) << 8) | (d[p + 18] & 0xFF);
                int fragOff = ((d[p + 19] & 0xFF) << 16) | ((d[p + 20] & 0xFF) << 8) | (d[p + 21] & 0xFF);
                int fragLen = ((d[p + 22] & 0xFF) << 16) | ((d[p + 23] & 0xFF) << 8) | (d[p + 24] & 0xFF);
                b.append(" msg").append(msgType).append(" seq").append(seq).append(' ').append(fragOff).append('+')
                        .append(fragLen);
            }
            b.append(']');
            p += 13 + len;
        }
        return b.toString();
    }

    /** One direction: impairment decisions and the queue of datagrams due for delivery. */
    private final class Direction {
        final String label;
        final Impairment impairment;
        final SplittableRandom rnd;
        final Stats stats = new Stats();
        final DelayQueue<Scheduled> queue = new DelayQueue<>();
        /**
         * Instead of random losses: records of a datagram (see {@link #scripted}) → which of its
         * copies (1 = the first datagram with exactly these records) to drop; or null.
         */
        final Map<String, Set<Integer>> dropScript;
        /** Copies sent so far per records description, when scripted. */
        private final Map<String, Integer> copies = new HashMap<>();
        private long order;

        Direction(String label, Impairment impairment, long seed, Map<String, Set<Integer>> dropScript) {
            this.label = label;
            this.impairment = impairment;
            this.rnd = new SplittableRandom(seed);
            this.dropScript = dropScript;
        }

        synchronized void offer(byte[] d) {
            stats.sent.incrementAndGet();
            // Always draw the same number of values per datagram, so decisions stay aligned.
            boolean drop = rnd.nextInt(100) < impairment.lossPercent();
            if (dropScript != null) {
                String records = records(d).replaceAll(" [0-9]+\\+[0-9]+\\]", "]").strip();
                int copy = copies.merge(records, 1, Integer::sum);
                drop = dropScript.getOrDefault(records, Set.of()).contains(copy);
            }
            boolean dup = rnd.nextInt(100) < impairment.duplicatePercent();
            boolean hold1 = rnd.nextInt(100) < impairment.reorderPercent();
            boolean hold2 = rnd.nextInt(100) < impairment.reorderPercent();
            int extra1 = 1 + rnd.nextInt(impairment.reorderWindowMs());
            int extra2 = 1 + rnd.nextInt(impairment.reorderWindowMs());
            if (drop) {
                stats.dropped.incrementAndGet();
                trace(label, "DROP", d);
                return;
            }
            long now = System.nanoTime();
            schedule(d, now, hold1 ? extra1 : 0);
            if (dup) {
                stats.duplicated.incrementAndGet();
                schedule(d.clone(), now, hold2 ? extra2 : 0);
            }
            trace(label, (hold1 ? "+" + extra1 + "ms" : "pass") + (dup ? (hold2 ? " dup+" + extra2 : " dup") : ""), d);
        }

        private void schedule(byte[] d, long now, int extraMs) {
            if (extraMs > 0) {
                stats.reordered.incrementAndGet();
            }
            long due = now + TimeUnit.MILLISECONDS.toNanos(impairment.delayMs() + extraMs);
            queue.put(new Scheduled(d, due, order++));
        }

        /** @return the next due datagram, or null after {@code waitMillis} */
        byte[] poll(int waitMillis) throws InterruptedIOException {
            try {
                Scheduled s = queue.poll(waitMillis, TimeUnit.MILLISECONDS);
                return s == null ? null : s.data;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }
    }

    /** An in-memory end: sends into one direction, receives from the other. */
    private static final class MemoryEnd implements PacketTransport {
        private final String name;
        private final Direction out;
        private final Direction in;
        private volatile boolean closed;

        MemoryEnd(String name, Direction out, Direction in) {
            this.name = name;
            this.out = out;
            this.in = in;
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            if (closed) {
                throw new IOException(name + " closed");
            }
            out.offer(Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            if (closed) {
                throw new IOException(name + " closed");
            }
            byte[] d = in.poll(Math.max(waitMillis, 1));
            if (d == null) {
                return -1;
            }
            int n = Math.min(len, d.length);
            System.arraycopy(d, 0, buf, off, n);
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A UDP end: a DatagramSocket on 127.0.0.1 talking to its relay port. */
    private static final class UdpEnd implements PacketTransport {
        private final DatagramSocket socket;
        private final InetSocketAddress relay;

        UdpEnd(DatagramSocket socket, InetSocketAddress relay) {
            this.socket = socket;
            this.relay = relay;
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            socket.send(new DatagramPacket(buf, off, len, relay));
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            socket.setSoTimeout(Math.max(waitMillis, 1));
            DatagramPacket p = new DatagramPacket(buf, off, len);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return -1;
            }
            return p.getLength();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private final long seed;
    private final Direction aToB;
    private final Direction bToA;
    private final PacketTransport a;
    private final PacketTransport b;
    private final DatagramSocket[] sockets;
    private final Thread[] threads;

    private LossyRelay(long seed, Impairment aToB, Impairment bToA, boolean udp, Map<String, Set<Integer>> dropAToB,
            Map<String, Set<Integer>> dropBToA) throws SocketException {
        this.seed = seed;
        this.aToB = new Direction("a->b", aToB, seed, dropAToB);
        this.bToA = new Direction("b->a", bToA, new SplittableRandom(seed).nextLong(), dropBToA);
        if (!udp) {
            this.a = new MemoryEnd("a", this.aToB, this.bToA);
            this.b = new MemoryEnd("b", this.bToA, this.aToB);
            this.sockets = new DatagramSocket[0];
            this.threads = new Thread[0];
            return;
        }
        InetAddress lo = InetAddress.getLoopbackAddress();
        DatagramSocket endA = new DatagramSocket(new InetSocketAddress(lo, 0));
        DatagramSocket endB = new DatagramSocket(new InetSocketAddress(lo, 0));
        DatagramSocket relayA = new DatagramSocket(new InetSocketAddress(lo, 0));
        DatagramSocket relayB = new DatagramSocket(new InetSocketAddress(lo, 0));
        this.sockets = new DatagramSocket[] {endA, endB, relayA, relayB};
        this.a = new UdpEnd(endA, (InetSocketAddress) relayA.getLocalSocketAddress());
        this.b = new UdpEnd(endB, (InetSocketAddress) relayB.getLocalSocketAddress());
        InetSocketAddress addrA = (InetSocketAddress) endA.getLocalSocketAddress();
        InetSocketAddress addrB = (InetSocketAddress) endB.getLocalSocketAddress();
        this.threads = new Thread[] {
            reader("relay-read-a", relayA, addrA, this.aToB),
            reader("relay-read-b", relayB, addrB, this.bToA),
            writer("relay-write-ab", relayB, addrB, this.aToB),
            writer("relay-write-ba", relayA, addrA, this.bToA),
        };
        for (Thread t : threads) {
            t.start();
        }
    }

    /** A relay whose ends exchange datagrams in memory. */
    static LossyRelay inMemory(long seed, Impairment aToB, Impairment bToA) {
        try {
            return new LossyRelay(seed, aToB, bToA, false, null, null);
        } catch (SocketException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * An in-memory relay that drops exactly the listed datagrams and delivers all others at once:
     * replays a loss pattern read off a {@link #trace()}, independent of the random decisions and
     * of extra copies of other datagrams (e.g. a ClientHello retransmitted while the JVM warms up).
     *
     * @param dropAToB per direction: records of a datagram as {@link #records} prints them but
     *     without fragment offset and length (which vary with certificate and signature sizes),
     *     e.g. {@code "[hs e0 msg11 seq1]"}, {@code "[CCS e0]"}, {@code "[hs e1]"} → which copies of
     *     such a datagram to drop, counting from 1 in send order
     * @param dropBToA the same for b→a
     */
    static LossyRelay scripted(Map<String, Set<Integer>> dropAToB, Map<String, Set<Integer>> dropBToA) {
        try {
            return new LossyRelay(0, Impairment.NONE, Impairment.NONE, false, Map.copyOf(dropAToB),
                    Map.copyOf(dropBToA));
        } catch (SocketException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A relay over UDP on 127.0.0.1: {@link #a()} and {@link #b()} are sockets that send to the
     * relay's two ports; the relay impairs and forwards. Only datagrams from the expected end are
     * forwarded.
     */
    static LossyRelay udp(long seed, Impairment aToB, Impairment bToA) throws SocketException {
        return new LossyRelay(seed, aToB, bToA, true, null, null);
    }

    private static Thread reader(String name, DatagramSocket socket, InetSocketAddress from, Direction dir) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                if (from.equals(p.getSocketAddress())) {
                    dir.offer(Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()));
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static Thread writer(String name, DatagramSocket socket, InetSocketAddress to, Direction dir) {
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Scheduled s = dir.queue.take();
                    socket.send(new DatagramPacket(s.data, s.data.length, to));
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** @return end a (sends in the a→b direction) */
    PacketTransport a() {
        return a;
    }

    /** @return end b */
    PacketTransport b() {
        return b;
    }

    Stats statsAToB() {
        return aToB.stats;
    }

    Stats statsBToA() {
        return bToA.stats;
    }

    long seed() {
        return seed;
    }

    @Override
    public void close() {
        for (DatagramSocket s : sockets) {
            s.close();
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "LossyRelay[seed " + seed + ", a->b " + aToB.impairment + " (" + aToB.stats + "), b->a "
                + bToA.impairment + " (" + bToA.stats + ")]";
    }
}
