package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Costs of a {@link HostSocket}: ice4j's STUN reader blocks without polling and is woken by
 * close; socket buffer sizes follow the configuration; the reader allocates about one copy of each
 * datagram; a send allocates no more than a few small objects. 127.0.0.1 only.
 */
@Timeout(60)
class HostSocketIoTest {
    private static final Logger LOG = LoggerFactory.getLogger(HostSocketIoTest.class);

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void stunReaderWaitsWithoutTimeoutAndCloseWakesIt() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        HostSocket hs = HostSocket.bind(lo, 0, 0, (via, data, from) -> { });
        hs.start();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread stunReader = new Thread(() -> {
            try {
                hs.receive(new DatagramPacket(new byte[1500], 1500));
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        }, "stun-reader");
        stunReader.start();
        // WAITING, not TIMED_WAITING: no periodic wake-ups while idle (it polled every 200 ms).
        await(() -> stunReader.getState() == Thread.State.WAITING, "the STUN reader to block");
        hs.close();
        Throwable t = ended.get(10, TimeUnit.SECONDS);
        assertInstanceOf(SocketException.class, t);
        assertThrows(IOException.class, () -> hs.receive(new DatagramPacket(new byte[10], 10)));
    }

    @Test
    void socketBuffersFollowTheConfiguration() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        HostSocket small = HostSocket.bind(lo, 0, 0, 32768, 32768, (via, data, from) -> { });
        HostSocket osDefault = HostSocket.bind(lo, 0, 0, 0, 0, (via, data, from) -> { });
        try {
            int rcv = small.getUDPSocket().getReceiveBufferSize();
            int snd = small.getUDPSocket().getSendBufferSize();
            // Linux reports twice the requested size (socket(7): "the kernel doubles this value").
            assertTrue(rcv >= 32768 && rcv <= 65536, "SO_RCVBUF " + rcv);
            assertTrue(snd >= 32768 && snd <= 65536, "SO_SNDBUF " + snd);
            assertTrue(osDefault.getUDPSocket().getReceiveBufferSize() > 0);
        } finally {
            small.close();
            osDefault.close();
        }
        assertThrows(IllegalArgumentException.class,
                () -> IceConfig.builder().addressFilter(IceConfig.LOOPBACK_ONLY).socketBuffers(100, 0).build());
        assertThrows(IllegalArgumentException.class, () -> IceConfig.builder().addressFilter(IceConfig.LOOPBACK_ONLY)
                .socketBuffers(0, IceConfig.MAX_SOCKET_BUFFER + 1).build());
        IceConfig c = IceConfig.builder().addressFilter(IceConfig.LOOPBACK_ONLY).build();
        assertEquals(IceConfig.DEFAULT_SOCKET_BUFFER, c.socketReceiveBufferBytes());
        assertEquals(IceConfig.DEFAULT_SOCKET_BUFFER, c.socketSendBufferBytes());
    }

    /**
     * Issue 6: with a sink that takes the reused array ({@link HostSocket.Sink#deliverBorrowed}) the
     * reader allocates no copy per datagram, only small objects (well under one 1200-byte copy).
     */
    @Test
    void readerLendsItsArrayWithoutCopying() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        AtomicLong got = new AtomicLong();
        AtomicLong bad = new AtomicLong();
        HostSocket hs = HostSocket.bind(lo, 0, 0, new HostSocket.Sink() {
            @Override
            public void deliver(HostSocket via, byte[] data, InetSocketAddress from) {
                bad.incrementAndGet();
            }

            @Override
            public void deliverBorrowed(HostSocket via, byte[] data, int len, InetSocketAddress from) {
                if (len != 1200 || data[0] != 23 || data[len - 1] != (byte) 0x5A) {
                    bad.incrementAndGet();
                }
                got.incrementAndGet();
            }
        });
        hs.start();
        int size = 1200;
        int warm = 2000;
        int count = 4000;
        try (DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(new InetSocketAddress(lo, 0));
            ByteBuffer d = ByteBuffer.allocateDirect(size);
            d.put(0, (byte) 23);
            d.put(size - 1, (byte) 0x5A);
            await(() -> hs.ioThread() != null, "the I/O thread");
            long readerTid = hs.ioThread().getId();
            long before = 0;
            for (int i = 0; i < warm + count; i++) {
                if (i == warm) {
                    long target = warm;
                    await(() -> got.get() >= target, "warm-up datagrams");
                    before = mx.getThreadAllocatedBytes(readerTid);
                }
                d.clear();
                peer.send(d, hs.local());
                if (i % 128 == 127) {
                    long sent = i + 1;
                    await(() -> got.get() >= sent - 64, "the reader to keep up");
                }
            }
            long total = warm + count;
            await(() -> got.get() >= total, "all datagrams");
            long perDatagram = (mx.getThreadAllocatedBytes(readerTid) - before) / count;
            LOG.info("reader allocates {} bytes per lent {}-byte datagram", perDatagram, size);
            assertEquals(0, bad.get(), "every datagram lent whole, none copied to deliver()");
            // At most the sender's InetSocketAddress and the like; a copy would be 1,216 bytes.
            assertTrue(perDatagram < 200, "reader allocated " + perDatagram + " bytes per datagram");
        } finally {
            hs.close();
        }
    }

    @Test
    void readerCopiesEachDatagramOnceAndSendsAllocateLittle() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        AtomicLong got = new AtomicLong();
        HostSocket hs = HostSocket.bind(lo, 0, 0, (via, data, from) -> got.incrementAndGet());
        hs.start();
        int size = 1200;
        int warm = 2000;
        int count = 4000;
        try (DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(new InetSocketAddress(lo, 0));
            ByteBuffer d = ByteBuffer.allocateDirect(size);
            d.put(0, (byte) 23);
            await(() -> hs.ioThread() != null, "the I/O thread");
            long readerTid = hs.ioThread().getId();
            long before = 0;
            for (int i = 0; i < warm + count; i++) {
                if (i == warm) {
                    long target = warm;
                    await(() -> got.get() >= target, "warm-up datagrams");
                    before = mx.getThreadAllocatedBytes(readerTid);
                    // (the shared I/O thread reads only this socket here: other tests' sockets are closed)
                }
                d.clear();
                peer.send(d, hs.local());
                if (i % 128 == 127) {
                    long sent = i + 1;
                    await(() -> got.get() >= sent - 64, "the reader to keep up"); // no socket-buffer drops
                }
            }
            long total = warm + count;
            await(() -> got.get() >= total, "all datagrams");
            long perDatagram = (mx.getThreadAllocatedBytes(readerTid) - before) / count;
            LOG.info("reader allocates {} bytes per {}-byte datagram", perDatagram, size);
            // One exact-size copy (1200 + 16 header) and the sender's InetSocketAddress (40).
            assertTrue(perDatagram < size + 200, "reader allocated " + perDatagram + " bytes per datagram");

            byte[] payload = new byte[size];
            payload[0] = 23;
            InetSocketAddress to = (InetSocketAddress) peer.getLocalAddress();
            long tid = Thread.currentThread().getId();
            for (int i = 0; i < warm; i++) {
                hs.sendData(payload, 0, size, to);
                drain(peer);
            }
            long b0 = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < count; i++) {
                hs.sendData(payload, 0, size, to);
                if (i % 64 == 63) {
                    drain(peer);
                }
            }
            long perSend = (mx.getThreadAllocatedBytes(tid) - b0) / count;
            LOG.info("a send allocates {} bytes", perSend);
            assertTrue(perSend < 256, "send allocated " + perSend + " bytes");
        } finally {
            hs.close();
        }
    }

    private static final ByteBuffer SINK = ByteBuffer.allocateDirect(65536);

    private static void drain(DatagramChannel ch) throws IOException {
        ch.configureBlocking(false);
        while (true) {
            SINK.clear();
            if (ch.receive(SINK) == null) {
                break;
            }
        }
        ch.configureBlocking(true);
    }
}
