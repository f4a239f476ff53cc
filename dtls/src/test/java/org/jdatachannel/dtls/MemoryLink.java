package org.jdatachannel.dtls;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * Two in-memory {@link PacketTransport}s joined back to back (no sockets). Each direction can drop
 * datagrams by a predicate on (index in that direction, bytes) and records what was sent.
 */
final class MemoryLink {

    /** One end. */
    static final class End implements PacketTransport {
        private final String name;
        private final LinkedBlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>(1024);
        private End peer;
        private volatile boolean closed;
        volatile BiPredicate<Integer, byte[]> dropOutgoing = (i, d) -> false;
        final AtomicInteger sentCount = new AtomicInteger();
        final List<byte[]> sent = new CopyOnWriteArrayList<>();

        End(String name) {
            this.name = name;
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            if (closed) {
                throw new IOException(name + " closed");
            }
            byte[] d = java.util.Arrays.copyOfRange(buf, off, off + len);
            int index = sentCount.getAndIncrement();
            sent.add(d);
            if (dropOutgoing.test(index, d)) {
                return;
            }
            peer.inbox.offer(d);
        }

        /** Delivers a datagram to this end as if the peer had sent it. */
        void inject(byte[] d) {
            inbox.offer(d.clone());
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            if (closed) {
                throw new IOException(name + " closed");
            }
            byte[] d;
            try {
                d = inbox.poll(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            }
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

    final End a = new End("a");
    final End b = new End("b");

    MemoryLink() {
        a.peer = b;
        b.peer = a;
    }
}
