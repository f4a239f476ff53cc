package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Push receive on the ICE transport ({@link IceTransport#setReceiver}): queued datagrams first and
 * in order, then every new one on the socket reader thread, nothing left for pull receive, back to
 * pull with null, nothing after close. Two agents over 127.0.0.1 only.
 */
@Timeout(60)
class IcePushReceiveTest {
    private static final Predicate<InetAddress> IPV4_LOOPBACK =
            a -> a instanceof Inet4Address && a.isLoopbackAddress();

    private final List<IceAgent> agents = new ArrayList<>();

    @BeforeAll
    static void logging() {
        IceLogging.install();
    }

    @AfterEach
    void closeAll() {
        agents.forEach(IceAgent::close);
    }

    private IceAgent agent(boolean controlling) {
        IceAgent a = new IceAgent(IceConfig.builder().controlling(controlling).addressFilter(IPV4_LOOPBACK).build());
        agents.add(a);
        return a;
    }

    private static CompletableFuture<Void> connected(IceAgent a) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                f.complete(null);
            }
        });
        return f;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Datagram {@code i}: DTLS-range first byte (RFC 7983 §7), then the index. */
    private static byte[] numbered(int i) {
        return new byte[] {23, (byte) (i >> 8), (byte) i, 1, 2, 3};
    }

    private record Got(int index, String thread) {
    }

    /**
     * Issue 6: a host socket lends its reused receive array to {@link IceTransport.Receiver#onBorrowedDatagram};
     * a receiver that only implements {@code onDatagram} (and keeps the arrays) gets its own copy of each
     * datagram, so later datagrams do not overwrite the ones it kept; one that takes borrowed arrays
     * sees every datagram's bytes during its call.
     */
    @Test
    void keptArraysStayIntactAndBorrowedOnesCarryEachDatagram() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        CompletableFuture<Void> ca = connected(a);
        CompletableFuture<Void> cb = connected(b);
        IcePairs.exchangeAndStart(a, b);
        CompletableFuture.allOf(ca, cb).get(10, TimeUnit.SECONDS);
        IceTransport ta = a.transport();
        IceTransport tb = b.transport();

        List<byte[]> kept = new ArrayList<>();
        tb.setReceiver((data, off, len) -> {
            synchronized (kept) {
                kept.add(data); // keeps the array itself, as the contract of onDatagram allows
            }
        });
        for (int i = 0; i < 200; i++) {
            byte[] d = numbered(i);
            ta.send(d, 0, d.length);
        }
        await(() -> {
            synchronized (kept) {
                return kept.size() == 200;
            }
        }, "200 kept datagrams");
        synchronized (kept) {
            for (int i = 0; i < 200; i++) {
                byte[] d = kept.get(i);
                assertEquals(6, d.length, "an exactly sized copy");
                assertEquals(i, ((d[1] & 0xFF) << 8) | (d[2] & 0xFF), "datagram " + i + " kept intact");
            }
        }

        List<Integer> seen = new ArrayList<>();
        List<byte[]> arrays = new ArrayList<>();
        // Failures on the reader thread are collected and asserted here (an AssertionError thrown
        // there would only be logged by the I/O thread, and this test would time out instead).
        List<String> readerFailures = new ArrayList<>();
        tb.setReceiver(new IceTransport.Receiver() {
            @Override
            public void onDatagram(byte[] data, int off, int len) {
                synchronized (seen) {
                    readerFailures.add("onDatagram called: a host socket lends its array");
                    seen.add(-1);
                }
            }

            @Override
            public void onBorrowedDatagram(byte[] data, int off, int len) {
                synchronized (seen) {
                    if (len != 6) {
                        readerFailures.add("a " + len + "-byte datagram, sent 6");
                    }
                    seen.add(((data[off + 1] & 0xFF) << 8) | (data[off + 2] & 0xFF));
                    if (!arrays.contains(data)) {
                        arrays.add(data);
                    }
                }
            }
        });
        for (int i = 200; i < 400; i++) {
            byte[] d = numbered(i);
            ta.send(d, 0, d.length);
        }
        await(() -> {
            synchronized (seen) {
                return seen.size() == 200;
            }
        }, "200 borrowed datagrams");
        synchronized (seen) {
            assertEquals(List.of(), readerFailures);
            for (int i = 0; i < 200; i++) {
                assertEquals(200 + i, seen.get(i), "order and content");
            }
            assertEquals(1, arrays.size(), "one reused array, no allocation per datagram");
        }
    }

    @Test
    void queuedDatagramsFirstThenPushedOnTheReaderThread() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        CompletableFuture<Void> ca = connected(a);
        CompletableFuture<Void> cb = connected(b);
        IcePairs.exchangeAndStart(a, b);
        CompletableFuture.allOf(ca, cb).get(10, TimeUnit.SECONDS);
        IceTransport ta = a.transport();
        IceTransport tb = b.transport();

        for (int i = 0; i < 50; i++) {
            byte[] d = numbered(i);
            ta.send(d, 0, d.length);
        }
        await(() -> b.queuedReceiveDatagrams() == 50, "50 queued datagrams");

        List<Got> got = new ArrayList<>();
        IceTransport.Receiver r = (data, off, len) -> {
            assertEquals(6, len);
            int index = ((data[off + 1] & 0xFF) << 8) | (data[off + 2] & 0xFF);
            synchronized (got) {
                got.add(new Got(index, Thread.currentThread().getName()));
            }
        };
        String caller = Thread.currentThread().getName();
        tb.setReceiver(r);
        synchronized (got) {
            assertEquals(50, got.size(), "the queued datagrams are handed over during setReceiver");
        }
        assertEquals(0, b.queuedReceiveDatagrams());
        for (int i = 50; i < 100; i++) {
            byte[] d = numbered(i);
            ta.send(d, 0, d.length);
        }
        await(() -> {
            synchronized (got) {
                return got.size() == 100;
            }
        }, "100 datagrams pushed");
        synchronized (got) {
            for (int i = 0; i < 100; i++) {
                Got g = got.get(i);
                assertEquals(i, g.index(), "order");
                if (i < 50) {
                    assertEquals(caller, g.thread(), "queued ones on the setReceiver caller");
                } else {
                    assertEquals(SharedDatagramIo.THREAD_NAME, g.thread(), "pushed on the (shared) I/O thread");
                }
            }
        }
        byte[] buf = new byte[100];
        assertEquals(-1, tb.receive(buf, 0, buf.length, 0), "nothing for pull receive in push mode");

        // Back to pull mode.
        tb.setReceiver(null);
        byte[] d = numbered(100);
        ta.send(d, 0, d.length);
        assertEquals(6, tb.receive(buf, 0, buf.length, 5000));
        assertEquals(100, buf[2] & 0xFF);
        synchronized (got) {
            assertEquals(100, got.size());
        }

        // setReceiver around close does not fail; the closed transport delivers nothing more.
        tb.setReceiver(r);
        b.close();
        tb.setReceiver(r);
        assertEquals(0, b.queuedReceiveDatagrams());
    }

    @Test
    void aSendOnTheSelectedPairAllocatesNoAddresses() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        CompletableFuture<Void> ca = connected(a);
        CompletableFuture<Void> cb = connected(b);
        IcePairs.exchangeAndStart(a, b);
        CompletableFuture.allOf(ca, cb).get(10, TimeUnit.SECONDS);
        java.util.concurrent.atomic.AtomicLong got = new java.util.concurrent.atomic.AtomicLong();
        b.transport().setReceiver((data, off, len) -> got.incrementAndGet());
        IceTransport ta = a.transport();
        byte[] d = new byte[1200];
        d[0] = 23;
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = 0;
        int warm = 2000;
        int count = 4000;
        for (int i = 0; i < warm + count; i++) {
            if (i == warm) {
                before = mx.getThreadAllocatedBytes(tid);
            }
            ta.send(d, 0, d.length);
            if (i % 128 == 127) {
                long sent = i + 1;
                long allocPause = mx.getThreadAllocatedBytes(tid);
                await(() -> got.get() >= sent - 64, "the receiver to keep up");
                before += mx.getThreadAllocatedBytes(tid) - allocPause; // not the waiting
            }
        }
        long perSend = (mx.getThreadAllocatedBytes(tid) - before) / count;
        org.slf4j.LoggerFactory.getLogger(IcePushReceiveTest.class).info("IceTransport.send allocates {} bytes", perSend);
        // The selected pair's socket and remote address are cached: a DatagramPacket and the JDK's buffer wrapper.
        assertTrue(perSend < 200, "a send allocated " + perSend + " bytes");
    }
}
