package org.jdatachannel.benchmarks.micro;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One end of an in-memory, loss-free datagram link for the DTLS benchmarks. During the handshake
 * (two threads) datagrams go through a blocking queue; after {@link #benchMode()} on both ends the
 * benchmark thread alone uses them and each end holds at most one datagram in a reusable slot, so
 * the link itself allocates nothing per datagram (it copies once on send and once on receive, as a
 * socket does). Shaped for both Bouncy Castle's {@code DatagramTransport} and dtls'
 * {@code PacketTransport}.
 */
final class MemoryDatagrams {
    /** Largest datagram, bytes: a full 2^14-byte record plus header and expansion (DtlsTransport's). */
    static final int MAX = (1 << 14) + 512;

    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private MemoryDatagrams peer;
    private volatile boolean bench;
    private final byte[] slot = new byte[MAX];
    private int slotLength = -1;
    private long sent;
    private volatile boolean closed;

    /** @return two connected ends */
    static MemoryDatagrams[] pair() {
        MemoryDatagrams a = new MemoryDatagrams();
        MemoryDatagrams b = new MemoryDatagrams();
        a.peer = b;
        b.peer = a;
        return new MemoryDatagrams[] {a, b};
    }

    /** From now on one thread uses this end; handshake leftovers are dropped. */
    void benchMode() {
        queue.clear();
        bench = true;
    }

    /** @return datagrams sent by this end */
    long sent() {
        return sent;
    }

    /** @return the last datagram sent by the peer and not received yet, its length, or -1 */
    int pendingLength() {
        return slotLength;
    }

    /**
     * Bench mode: moves the datagram waiting at this end into {@code dst}, as a socket read would.
     *
     * @return its length
     * @throws IllegalStateException if none is waiting
     */
    int take(byte[] dst) {
        int n = slotLength;
        if (n < 0) {
            throw new IllegalStateException("no datagram waiting");
        }
        slotLength = -1;
        System.arraycopy(slot, 0, dst, 0, n);
        return n;
    }

    void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        if (len > MAX) {
            throw new IOException("datagram of " + len + " bytes exceeds " + MAX);
        }
        sent++;
        if (bench) {
            System.arraycopy(buf, off, peer.slot, 0, len);
            peer.slotLength = len;
        } else {
            byte[] copy = new byte[len];
            System.arraycopy(buf, off, copy, 0, len);
            peer.queue.add(copy);
        }
    }

    int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        if (bench) {
            int n = slotLength;
            if (n < 0) {
                return -1;
            }
            slotLength = -1;
            if (n > len) {
                return -1; // dropped, as a too-small socket buffer would
            }
            System.arraycopy(slot, 0, buf, off, n);
            return n;
        }
        byte[] d;
        try {
            d = queue.poll(Math.max(waitMillis, 1), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (d == null || d.length > len) {
            return -1;
        }
        System.arraycopy(d, 0, buf, off, d.length);
        return d.length;
    }

    void close() {
        closed = true;
    }
}
