package org.jdatachannel.dtls;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.tls.DatagramTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds back, during the handshake, datagrams of the next epoch that overtake the peer's
 * ChangeCipherSpec, and hands them to Bouncy Castle right after it.
 *
 * <p>RFC 9147 §4.2.1 (which restates RFC 6347 §4.1 for DTLS 1.2): "it is possible for records that
 * are protected with the new epoch to be received prior to the completion of a handshake. [...]
 * Implementations MAY either buffer or discard such records". Bouncy Castle 1.84 discards: a
 * Finished (epoch 1) that arrives before the ChangeCipherSpec (epoch 0) that precedes it is lost,
 * and the handshake then waits a whole retransmission round (doubling from 1 s). A lossy
 * reordering path showed handshakes failing this way ({@code HandshakeUnderLossTest}); OpenSSL and
 * mbed TLS buffer such records too.
 *
 * <p>Rule: until the handshake ends, a datagram all of whose records carry an epoch &gt; 0 and that
 * arrives before any datagram with a ChangeCipherSpec record is held (at most {@link #MAX_HELD},
 * the oldest dropped beyond); the first datagram with a ChangeCipherSpec is passed on and the held
 * ones follow it, in arrival order. Nothing is decrypted or parsed here beyond the 13-byte record
 * headers (RFC 6347 §4.1: type at 0, epoch at 3, length at 11); everything else passes unchanged.
 *
 * <p>Thread-safety: one receiving thread (Bouncy Castle's) plus sending threads; {@link
 * #handshakeDone()} may be called from any thread.
 */
final class NextEpochBuffer implements DatagramTransport {

    private static final Logger LOG = LoggerFactory.getLogger(NextEpochBuffer.class);

    /** Datagrams held at most (a final flight is a few datagrams; each at most 16.9 KB). */
    static final int MAX_HELD = 8;

    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HEADER = 13;

    private final DatagramTransport lower;
    private final String name;
    /** Receiving thread only. */
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();
    /** Receiving thread only: held datagrams due for delivery before anything new. */
    private final ArrayDeque<byte[]> release = new ArrayDeque<>();
    /** Receiving thread only. */
    private boolean changeCipherSpecSeen;
    private volatile boolean handshakeDone;
    private final AtomicLong heldTotal = new AtomicLong();

    NextEpochBuffer(DatagramTransport lower, String name) {
        this.lower = lower;
        this.name = name;
    }

    /** From now on datagrams pass unchanged (any still held are delivered first). */
    void handshakeDone() {
        handshakeDone = true;
    }

    @Override
    public int getReceiveLimit() throws IOException {
        return lower.getReceiveLimit();
    }

    @Override
    public int getSendLimit() throws IOException {
        return lower.getSendLimit();
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (handshakeDone && !held.isEmpty()) {
            release.addAll(held);
            held.clear();
        }
        byte[] next = release.poll();
        if (next != null) {
            int n = Math.min(len, next.length);
            System.arraycopy(next, 0, buf, off, n);
            return n;
        }
        if (handshakeDone) {
            // Nothing is held any more: pass through without reading the clock (the push path calls
            // this once per datagram).
            return lower.receive(buf, off, len, waitMillis);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(waitMillis, 0));
        int wait = waitMillis;
        while (true) {
            int n = lower.receive(buf, off, len, wait);
            if (n < 0 || handshakeDone) {
                return n;
            }
            int kind = classify(buf, off, n);
            if (kind == HAS_CCS) {
                changeCipherSpecSeen = true;
                if (!held.isEmpty()) {
                    LOG.debug("{}: delivering {} datagram(s) of the next epoch held until the ChangeCipherSpec",
                            name, held.size());
                    release.addAll(held);
                    held.clear();
                }
                return n;
            }
            if (kind != NEXT_EPOCH_ONLY || changeCipherSpecSeen) {
                return n;
            }
            if (held.size() == MAX_HELD) {
                held.removeFirst();
                LOG.debug("{}: dropped the oldest held datagram (limit {})", name, MAX_HELD);
            }
            held.addLast(Arrays.copyOfRange(buf, off, off + n));
            heldTotal.incrementAndGet();
            LOG.debug("{}: holding a {}-byte datagram of the next epoch that overtook the ChangeCipherSpec", name, n);
            if (waitMillis > 0) {
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remaining < 1) {
                    return -1;
                }
                wait = (int) remaining;
            }
        }
    }

    private static final int OTHER = 0;
    private static final int HAS_CCS = 1;
    private static final int NEXT_EPOCH_ONLY = 2;

    /** Walks the record headers of one datagram (as Bouncy Castle splits it, by the length field). */
    static int classify(byte[] buf, int off, int len) {
        int p = off;
        int end = off + len;
        boolean any = false;
        boolean allNext = true;
        while (end - p >= HEADER) {
            int type = buf[p] & 0xFF;
            int epoch = ((buf[p + 3] & 0xFF) << 8) | (buf[p + 4] & 0xFF);
            int length = ((buf[p + 11] & 0xFF) << 8) | (buf[p + 12] & 0xFF);
            if (type == CHANGE_CIPHER_SPEC) {
                return HAS_CCS;
            }
            any = true;
            allNext &= epoch > 0;
            p += HEADER + length;
        }
        return any && allNext ? NEXT_EPOCH_ONLY : OTHER;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        lower.send(buf, off, len);
    }

    @Override
    public void close() throws IOException {
        lower.close();
    }

    /** @return datagrams held back so far */
    long heldDatagrams() {
        return heldTotal.get();
    }
}
