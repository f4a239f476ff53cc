package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jdatachannel.ice.DatagramIo;
import org.jdatachannel.ice.IoSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EventLoop#busyPoll(long)} (issue 6, echo latency): once armed, a loop that runs out of
 * work polls its sockets and tasks without sleeping; what arrives then is taken without a wake-up,
 * and the phase is bounded by its window and by the next timer, after which the thread sleeps as
 * before (no CPU at idle). Deterministic: the counters tell whether the thread slept
 * ({@link EventLoop#wakeups()}) or polled ({@link EventLoop#busyPollHits()}). 127.0.0.1 only.
 */
@Timeout(60)
class EventLoopBusyPollTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final long LONG_WINDOW = TimeUnit.SECONDS.toNanos(20);

    private EventLoop loop;
    private DatagramChannel ch;
    private DatagramChannel peer;
    private final List<byte[]> read = new CopyOnWriteArrayList<>();

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
        DatagramChannel c = DatagramChannel.open();
        c.configureBlocking(false);
        c.bind(new InetSocketAddress(LO, 0));
        return c;
    }

    @BeforeEach
    void start() throws Exception {
        loop = new EventLoop("poll-loop");
        ch = channel();
        peer = channel();
        DatagramIo.Handler h = scratch -> {
            for (int i = 0; i < IoSelector.MAX_DATAGRAMS_PER_ROUND; i++) {
                try {
                    if (ch.receive(scratch.clear()) == null) {
                        return;
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                byte[] b = new byte[scratch.position()];
                scratch.get(0, b);
                read.add(b);
            }
        };
        loop.register(ch, h);
        await(ch::isRegistered, "the registration applied");
    }

    @AfterEach
    void stop() throws Exception {
        loop.shutdown();
        assertTrue(loop.awaitTermination(10_000), "the loop ends (also while it polls)");
        ch.close();
        peer.close();
    }

    private void arm(long nanos) {
        loop.execute(() -> loop.busyPoll(nanos));
    }

    @Test
    void aDatagramArrivingWhileTheLoopPollsIsReadWithoutASleep() throws Exception {
        arm(LONG_WINDOW);
        await(() -> loop.busyPolls() == 1, "the poll phase");
        long wakeups = loop.wakeups();
        peer.send(ByteBuffer.wrap(new byte[] {23, 1}), ch.getLocalAddress());
        await(() -> read.size() == 1, "the datagram read");
        await(() -> loop.busyPollHits() == 1, "the poll phase took the datagram");
        assertEquals(wakeups, loop.wakeups(), "the thread did not sleep for it");
        // The phase ended with it: the next datagram wakes a sleeping thread, as before.
        peer.send(ByteBuffer.wrap(new byte[] {23, 2}), ch.getLocalAddress());
        await(() -> read.size() == 2, "the second datagram read");
        await(() -> loop.wakeups() == wakeups + 1, "the wake-up for the second datagram");
        assertEquals(1, loop.busyPolls(), "one phase per busyPoll call");
    }

    @Test
    void aTaskPostedWhileTheLoopPollsRunsWithoutAWakeup() throws Exception {
        arm(LONG_WINDOW);
        await(() -> loop.busyPolls() == 1, "the poll phase");
        long wakeups = loop.wakeups();
        CompletableFuture<String> ran = new CompletableFuture<>();
        loop.execute(() -> ran.complete(Thread.currentThread().getName()));
        assertEquals("poll-loop", ran.get(10, TimeUnit.SECONDS));
        assertEquals(1, loop.busyPollHits());
        assertEquals(wakeups, loop.wakeups(), "no Selector.wakeup() needed: the thread saw the queue");
    }

    @Test
    void thePhaseEndsWithItsWindowAndTheThreadThenSleeps() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long window = TimeUnit.MILLISECONDS.toNanos(20);
        CountDownLatch armed = new CountDownLatch(1);
        loop.execute(() -> {
            loop.busyPoll(window);
            armed.countDown();
        });
        assertTrue(armed.await(10, TimeUnit.SECONDS));
        long tid = loop.thread().getId();
        long cpu0 = mx.getThreadCpuTime(tid);
        long wall0 = System.nanoTime();
        // 300 ms of wall time: a poll that did not stop at its window would take up to all of it.
        await(() -> System.nanoTime() - wall0 > TimeUnit.MILLISECONDS.toNanos(300), "300 ms");
        long cpu = mx.getThreadCpuTime(tid) - cpu0;
        assertEquals(1, loop.busyPolls());
        assertEquals(0, loop.busyPollHits(), "nothing arrived");
        // Generous: the 20 ms window plus the thread's own bookkeeping, far below 300 ms.
        assertTrue(cpu < TimeUnit.MILLISECONDS.toNanos(150), "loop CPU over 300 ms idle: " + cpu / 1000 + " us");
        // Asleep now: a datagram costs a wake-up.
        long wakeups = loop.wakeups();
        peer.send(ByteBuffer.wrap(new byte[] {23, 3}), ch.getLocalAddress());
        await(() -> read.size() == 1, "the datagram read");
        await(() -> loop.wakeups() == wakeups + 1, "the wake-up");
    }

    @Test
    void aLoopShutDownWhilePollingEndsAtOnce() throws Exception {
        arm(LONG_WINDOW);
        await(() -> loop.busyPolls() == 1, "the poll phase");
        loop.shutdown();
        assertTrue(loop.awaitTermination(10_000), "ended within 10 s of a 20 s window");
        assertFalse(loop.thread().isAlive());
    }

    @Test
    void thePhaseNeverRunsPastTheNextTimer() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        loop.execute(() -> {
            loop.schedule(fired::countDown, 30);
            loop.busyPoll(TimeUnit.SECONDS.toNanos(50)); // longer than the await below
        });
        assertTrue(fired.await(10, TimeUnit.SECONDS), "the timer ran on time (the poll stopped at its deadline)");
        assertEquals(1, loop.busyPolls());
    }

    /** Requests made on the loop thread, in one task; returns once that task has run. */
    private void request(int times, long nanos) {
        loop.call(() -> {
            for (int i = 0; i < times; i++) {
                loop.busyPoll(nanos);
            }
            return null;
        });
    }

    @Test
    void phasesThatCatchNothingBackOffUntilOneCatchesSomething() throws Exception {
        long window = TimeUnit.MICROSECONDS.toNanos(200);
        for (int i = 1; i <= EventLoop.POLL_MISSES_BEFORE_BACKOFF; i++) {
            arm(window);
            int n = i;
            await(() -> loop.busyPollMisses() == n, "miss " + n);
        }
        // Backing off: the next requests start no phase (the loop sleeps at once after each task).
        request(EventLoop.POLL_SKIPS_AFTER_MISSES, LONG_WINDOW);
        loop.call(() -> null);
        assertEquals(EventLoop.POLL_MISSES_BEFORE_BACKOFF, loop.busyPolls(), "requests skipped");
        // Then one phase probes; it misses too, so the loop skips again.
        arm(window);
        await(() -> loop.busyPollMisses() == EventLoop.POLL_MISSES_BEFORE_BACKOFF + 1, "the probe's miss");
        request(1, LONG_WINDOW);
        loop.call(() -> null);
        assertEquals(EventLoop.POLL_MISSES_BEFORE_BACKOFF + 1, loop.busyPolls(), "skipping again");
        // A probe that catches a datagram ends the back-off: every request polls again.
        request(EventLoop.POLL_SKIPS_AFTER_MISSES - 1, LONG_WINDOW);
        arm(LONG_WINDOW);
        await(() -> loop.busyPolls() == EventLoop.POLL_MISSES_BEFORE_BACKOFF + 2, "the next probe");
        peer.send(ByteBuffer.wrap(new byte[] {23, 4}), ch.getLocalAddress());
        await(() -> loop.busyPollHits() == 1, "the probe caught the datagram");
        arm(window);
        await(() -> loop.busyPollMisses() == EventLoop.POLL_MISSES_BEFORE_BACKOFF + 2, "a miss after the hit");
        arm(window);
        await(() -> loop.busyPollMisses() == EventLoop.POLL_MISSES_BEFORE_BACKOFF + 3, "and the next request polls");
        assertEquals(EventLoop.POLL_MISSES_BEFORE_BACKOFF + 4, loop.busyPolls());
    }

    @Test
    void aLoopThatIsNotAskedNeverPolls() throws Exception {
        for (int i = 0; i < 5; i++) {
            peer.send(ByteBuffer.wrap(new byte[] {23, (byte) i}), ch.getLocalAddress());
            int n = i + 1;
            await(() -> read.size() == n, "datagram " + n);
            loop.call(() -> null);
        }
        assertEquals(0, loop.busyPolls());
        loop.execute(() -> loop.busyPoll(0));
        loop.call(() -> null);
        assertEquals(0, loop.busyPolls(), "a zero window arms nothing");
    }

    @Test
    void withoutSocketsThereIsNothingToPoll() throws Exception {
        EventLoop plain = new EventLoop("plain-loop");
        try {
            plain.execute(() -> plain.busyPoll(LONG_WINDOW));
            CompletableFuture<Boolean> ran = new CompletableFuture<>();
            plain.execute(() -> ran.complete(true));
            assertTrue(ran.get(10, TimeUnit.SECONDS));
            await(() -> plain.thread().getState() == Thread.State.WAITING, "the plain loop parks");
            assertEquals(0, plain.busyPolls());
            assertFalse(plain.isShutdown());
        } finally {
            plain.shutdown();
            assertTrue(plain.awaitTermination(10_000));
        }
    }
}
