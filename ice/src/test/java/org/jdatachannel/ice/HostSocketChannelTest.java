package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The host socket's non-blocking channel and its {@link DatagramIo} thread (issue 6): an
 * interrupted sender does not close the socket, close releases the selection key and the port,
 * a round reads at most {@link IoSelector#MAX_DATAGRAMS_PER_ROUND} datagrams per socket (so
 * sockets take turns), and the fallback is one shared thread for any number of sockets.
 * 127.0.0.1 only.
 */
@Timeout(60)
class HostSocketChannelTest {

    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    private static byte[] dtls(int i) {
        byte[] d = new byte[100];
        d[0] = 23; // DTLS application data (RFC 7983: 20..63)
        d[1] = (byte) i;
        d[2] = (byte) (i >> 8);
        return d;
    }

    /** A STUN Binding request header (RFC 8489 §5): type 0x0001, length 0, magic cookie, id. */
    private static final byte[] STUN = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, (byte) 0xA4, 0x42,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    /**
     * ice4j sends STUN from pool threads it may interrupt; an interruptible BLOCKING channel would
     * be closed for good by that (AsynchronousCloseException for everyone). The host socket's
     * channel is non-blocking, where the JDK installs no interrupt hook: sends from an interrupted
     * thread go out and the socket keeps sending and receiving.
     */
    @Test
    void interruptedSenderLeavesTheSocketWorking() throws Exception {
        BlockingQueue<byte[]> app = new LinkedBlockingQueue<>();
        HostSocket hs = HostSocket.bind(LO, 0, 0, (via, data, from) -> app.add(data));
        hs.start();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            peer.setSoTimeout(5000);
            CompletableFuture<Throwable> sent = new CompletableFuture<>();
            Thread pool = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    hs.send(new DatagramPacket(STUN, STUN.length, peer.getLocalSocketAddress()));
                    hs.sendData(dtls(1), 0, 100, peer.getLocalSocketAddress());
                    sent.complete(Thread.currentThread().isInterrupted() ? null
                            : new AssertionError("the interrupt flag was consumed"));
                } catch (Throwable t) {
                    sent.complete(t);
                }
            }, "interrupted-sender");
            pool.start();
            assertEquals(null, sent.get(10, TimeUnit.SECONDS), "sending with the interrupt flag set");
            DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
            peer.receive(p);
            assertEquals(STUN.length, p.getLength());
            peer.receive(p);
            assertEquals(100, p.getLength());
            // The socket still works both ways.
            hs.sendData(dtls(2), 0, 100, peer.getLocalSocketAddress());
            peer.receive(p);
            assertEquals(2, p.getData()[1]);
            peer.send(new DatagramPacket(dtls(3), 100, hs.local()));
            byte[] got = app.poll(5, TimeUnit.SECONDS);
            assertNotNull(got, "received after the interrupted send");
            assertEquals(3, got[1]);
            assertFalse(hs.isClosed());
        } finally {
            hs.close();
        }
    }

    /** Close cancels the selection key and frees the port (the I/O thread flushes the key). */
    @Test
    void closeReleasesTheKeyAndThePort() throws Exception {
        try (IoSelector io = IoSelector.open()) {
            HostSocket hs = HostSocket.bind(LO, 0, 0, (via, data, from) -> { });
            hs.start(io);
            io.select(0); // this test thread is the I/O thread
            assertEquals(1, io.registeredKeys());
            assertEquals(Thread.currentThread(), hs.ioThread());
            InetSocketAddress a = hs.local();
            hs.close(); // on the I/O thread: no wait, the next round releases it
            io.select(0);
            assertEquals(0, io.registeredKeys(), "key released");
            try (DatagramSocket again = new DatagramSocket(a)) {
                assertEquals(a.getPort(), again.getLocalPort(), "port free");
            }
        }
        // Closed from another thread while the shared I/O thread serves it: free when close returns.
        for (int i = 0; i < 20; i++) {
            HostSocket hs = HostSocket.bind(LO, 0, 0, (via, data, from) -> { });
            hs.start();
            await(hs::channelRegistered, "registration of this socket");
            InetSocketAddress a = hs.local();
            hs.close();
            try (DatagramSocket again = new DatagramSocket(a)) {
                assertEquals(a.getPort(), again.getLocalPort(), "port free once close returned");
            }
        }
    }

    /**
     * One round reads at most 64 datagrams of a socket and then serves the next socket: two
     * sockets with 200 datagrams waiting each get 64, 64, 64, 8 over four rounds, in order.
     */
    /**
     * A round that flushes a cancelled registration must not swallow a pending wakeup() and then
     * block: the event loop posts tasks with wakeup() and relies on the next select returning (a
     * CI run hung in close() when the flush used selectNow and then went on to a blocking select).
     */
    @Test
    void aFlushingRoundDoesNotSwallowAWakeup() throws Exception {
        try (IoSelector io = IoSelector.open(); DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(LO, 0));
            ch.configureBlocking(false);
            DatagramIo.Registration r = io.register(ch, buf -> { });
            io.select(0);
            assertEquals(1, io.registeredKeys());
            r.cancel(); // queued for the next round to flush
            io.wakeup(); // a producer that posted a task after the owner checked its queue
            CompletableFuture<Integer> round = CompletableFuture.supplyAsync(() -> {
                try {
                    return io.select(-1);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                round.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                io.wakeup();
                throw new AssertionError("the round blocked although wakeup() was called before it", e);
            }
            assertTrue(r.released(), "the cancelled key was flushed");
            assertEquals(0, io.registeredKeys());
        }
    }

    @Test
    void aRoundReadsAtMost64DatagramsPerSocketAndSocketsTakeTurns() throws Exception {
        try (IoSelector io = IoSelector.open(); DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(new InetSocketAddress(LO, 0));
            List<List<Integer>> got = List.of(new ArrayList<>(), new ArrayList<>());
            List<HostSocket> sockets = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                List<Integer> mine = got.get(s);
                HostSocket hs = HostSocket.bind(LO, 0, 0, 1 << 20, 1 << 20,
                        (via, data, from) -> mine.add((data[1] & 0xFF) | (data[2] & 0xFF) << 8));
                hs.start(io);
                sockets.add(hs);
            }
            try {
                for (int i = 0; i < 200; i++) {
                    for (HostSocket hs : sockets) {
                        peer.send(ByteBuffer.wrap(dtls(i)), hs.local());
                    }
                }
                int[] expected = {64, 128, 192, 200};
                for (int round = 0; round < 4; round++) {
                    assertEquals(2, io.select(TimeUnit.SECONDS.toNanos(5)), "both sockets served in round " + round);
                    for (List<Integer> g : got) {
                        assertEquals(expected[round], g.size(), "datagrams after round " + round);
                    }
                }
                for (List<Integer> g : got) {
                    for (int i = 0; i < 200; i++) {
                        assertEquals(i, g.get(i), "arrival order");
                    }
                }
                assertEquals(0, io.select(0), "nothing left");
            } finally {
                for (HostSocket hs : sockets) {
                    hs.close();
                }
            }
        }
    }

    /** Without an I/O thread given, every host socket is read by the ONE shared I/O thread. */
    @Test
    void theFallbackIsOneThreadForAnyNumberOfSockets() throws Exception {
        int n = 32;
        AtomicInteger delivered = new AtomicInteger();
        List<HostSocket> sockets = new ArrayList<>();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            for (int i = 0; i < n; i++) {
                HostSocket hs = HostSocket.bind(LO, 0, 0, 0, 0, (via, data, from) -> delivered.incrementAndGet());
                hs.start();
                sockets.add(hs);
            }
            for (HostSocket hs : sockets) {
                peer.send(new DatagramPacket(dtls(1), 100, hs.local()));
            }
            await(() -> delivered.get() == n, "one datagram on each socket");
            Thread io = sockets.get(0).ioThread();
            assertEquals(SharedDatagramIo.THREAD_NAME, io.getName());
            assertTrue(io.isDaemon());
            for (HostSocket hs : sockets) {
                assertEquals(io, hs.ioThread());
            }
            long ioThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && t.getName().startsWith("jdc-ice-io")).count();
            assertEquals(1, ioThreads, "one I/O thread for " + n + " sockets");
            assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("jdc-ice-rx-")).count(), "no reader thread per socket");
        } finally {
            for (HostSocket hs : sockets) {
                hs.close();
            }
        }
    }
}
