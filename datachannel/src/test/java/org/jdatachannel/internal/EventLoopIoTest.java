package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jdatachannel.ice.DatagramIo;
import org.jdatachannel.ice.IoSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The event loop as the owner of its sockets' selector (issue 6): a registered channel is read
 * on the loop thread, tasks from other threads and timers still run while it waits in select, a
 * loop kept busy by tasks still reads its sockets, and the selector (with every key) is released
 * when the loop's thread ends. 127.0.0.1 only.
 */
@Timeout(60)
class EventLoopIoTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    private static DatagramChannel channel() throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.configureBlocking(false);
        ch.bind(new InetSocketAddress(LO, 0));
        return ch;
    }

    /** Reads everything readable (at most a round's share), recording the thread. */
    private static DatagramIo.Handler reader(DatagramChannel ch, List<String> threads) {
        return scratch -> {
            for (int i = 0; i < IoSelector.MAX_DATAGRAMS_PER_ROUND; i++) {
                try {
                    if (ch.receive(scratch.clear()) == null) {
                        return;
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                threads.add(Thread.currentThread().getName());
            }
        };
    }

    @Test
    void aRegisteredChannelIsReadOnTheLoopThreadWhichStillRunsTasksAndTimers() throws Exception {
        EventLoop loop = new EventLoop("io-loop");
        try (DatagramChannel ch = channel(); DatagramChannel peer = channel()) {
            List<String> threads = new CopyOnWriteArrayList<>();
            DatagramIo.Registration r = loop.register(ch, reader(ch, threads));
            for (int i = 0; i < 10; i++) {
                peer.send(ByteBuffer.wrap(new byte[] {23, (byte) i}), ch.getLocalAddress());
            }
            await(() -> threads.size() == 10, "10 datagrams read");
            assertEquals(List.of("io-loop"), threads.stream().distinct().toList());
            assertEquals(loop.thread(), r.thread());
            assertTrue(loop.ioRounds() >= 1);
            // The loop now waits in select: a task from another thread wakes it, and a timer fires.
            CompletableFuture<String> ran = new CompletableFuture<>();
            loop.execute(() -> ran.complete(Thread.currentThread().getName()));
            assertEquals("io-loop", ran.get(10, TimeUnit.SECONDS));
            CountDownLatch fired = new CountDownLatch(1);
            loop.schedule(fired::countDown, 20);
            assertTrue(fired.await(10, TimeUnit.SECONDS), "timer fired while the loop selects");
            // More datagrams after the wake-ups are still read.
            peer.send(ByteBuffer.wrap(new byte[] {23, 99}), ch.getLocalAddress());
            await(() -> threads.size() == 11, "the 11th datagram");
            r.cancel();
        } finally {
            loop.shutdown();
            assertTrue(loop.awaitTermination(10_000));
        }
    }

    /** A loop flooded with tasks still reads its sockets (they are polled every 64 tasks). */
    @Test
    void aLoopBusyWithTasksStillReadsItsSockets() throws Exception {
        EventLoop loop = new EventLoop("busy-loop");
        AtomicBoolean flood = new AtomicBoolean(true);
        AtomicInteger tasks = new AtomicInteger();
        try (DatagramChannel ch = channel(); DatagramChannel peer = channel()) {
            List<String> threads = new CopyOnWriteArrayList<>();
            loop.register(ch, reader(ch, threads));
            Runnable again = new Runnable() {
                @Override
                public void run() {
                    tasks.incrementAndGet();
                    if (flood.get()) {
                        loop.post(this); // the queue is never empty while flooding
                    }
                }
            };
            loop.execute(again);
            await(() -> tasks.get() > 1000, "the flood to run");
            for (int i = 0; i < 5; i++) {
                peer.send(ByteBuffer.wrap(new byte[] {23, (byte) i}), ch.getLocalAddress());
            }
            await(() -> threads.size() == 5, "datagrams read during the flood");
            assertTrue(flood.get());
            flood.set(false);
        } finally {
            loop.shutdown();
            assertTrue(loop.awaitTermination(10_000));
        }
    }

    /** When the loop's thread ends, its selector is closed: keys released, the port freed on close. */
    @Test
    void theSelectorAndItsKeysAreReleasedWhenTheLoopEnds() throws Exception {
        EventLoop loop = new EventLoop("ending-loop");
        DatagramChannel ch = channel();
        InetSocketAddress a = (InetSocketAddress) ch.getLocalAddress();
        loop.register(ch, reader(ch, new CopyOnWriteArrayList<>()));
        await(ch::isRegistered, "the registration applied");
        loop.shutdown();
        assertTrue(loop.awaitTermination(10_000));
        assertFalse(ch.isRegistered(), "key released with the selector");
        ch.close();
        try (DatagramSocket again = new DatagramSocket(a)) {
            assertEquals(a.getPort(), again.getLocalPort(), "port free");
        }
        try (DatagramChannel late = channel()) {
            assertThrows(IOException.class, () -> loop.register(late, s -> { }), "the thread has ended");
        }
    }

    /** Loops on one shared worker share its selector: both channels are read by that one thread. */
    @Test
    void loopsOnASharedWorkerShareItsSelector() throws Exception {
        EventLoop.Worker w = EventLoop.Worker.shared("shared-io");
        EventLoop l1 = new EventLoop("l1", w);
        EventLoop l2 = new EventLoop("l2", w);
        try (DatagramChannel c1 = channel(); DatagramChannel c2 = channel(); DatagramChannel peer = channel()) {
            List<String> threads = new CopyOnWriteArrayList<>();
            l1.register(c1, reader(c1, threads));
            l2.register(c2, reader(c2, threads));
            peer.send(ByteBuffer.wrap(new byte[] {23}), c1.getLocalAddress());
            peer.send(ByteBuffer.wrap(new byte[] {23}), c2.getLocalAddress());
            await(() -> threads.size() == 2, "both read");
            assertEquals(List.of("shared-io"), threads.stream().distinct().toList());
        } finally {
            l1.shutdown();
            l2.shutdown();
            w.stop();
            assertTrue(l1.awaitTermination(10_000) && l2.awaitTermination(10_000));
        }
    }
}
