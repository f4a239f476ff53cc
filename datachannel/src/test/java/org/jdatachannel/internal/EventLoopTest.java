package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The event loop's contract: order, deferred callbacks, timers, shutdown, shared workers, wake-ups. */
class EventLoopTest {

    @Test
    void tasksFromManyThreadsRunInEachProducersOrder() throws Exception {
        EventLoop loop = new EventLoop("order-loop");
        int producers = 4;
        int per = 20_000;
        int[] last = new int[producers];
        java.util.Arrays.fill(last, -1);
        AtomicInteger violations = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < per; i++) {
                    int n = i;
                    loop.execute(() -> {
                        if (last[id] != n - 1) {
                            violations.incrementAndGet();
                        }
                        last[id] = n;
                    });
                }
            });
            t.start();
            ts.add(t);
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        loop.call(() -> null);
        assertEquals(0, violations.get());
        for (int p = 0; p < producers; p++) {
            assertEquals(per - 1, last[p]);
        }
        loop.shutdown();
        assertTrue(loop.awaitTermination(5000));
        assertFalse(loop.thread().isAlive());
    }

    @Test
    void deferredCallbacksRunAfterTheTaskAndExecuteOnTheLoopRunsInline() throws Exception {
        EventLoop loop = new EventLoop("defer-loop");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        loop.call(() -> {
            loop.defer(() -> log.add("deferred"));
            loop.execute(() -> log.add("inline"));
            loop.post(() -> log.add("posted"));
            log.add("task");
            return null;
        });
        loop.call(() -> null);
        assertEquals(List.of("inline", "task", "deferred", "posted"), log);
        loop.shutdown();
        assertTrue(loop.awaitTermination(5000));
    }

    @Test
    void aThrowingTaskIsLoggedAndTheLoopGoesOn() throws Exception {
        EventLoop loop = new EventLoop("throw-loop");
        loop.post(() -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        loop.post(() -> {
            throw new StackOverflowError("an Error (expected by the test)");
        });
        assertEquals(42, loop.call(() -> 42));
        assertThrows(IllegalArgumentException.class, () -> loop.call(() -> {
            throw new IllegalArgumentException("rethrown");
        }));
        loop.shutdown();
        assertTrue(loop.awaitTermination(5000));
    }

    @Test
    void timersRunInDeadlineOrderAndCancelledOnesNever() throws Exception {
        EventLoop loop = new EventLoop("timer-loop");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        loop.call(() -> {
            loop.schedule(() -> {
                log.add("b");
                done.countDown();
            }, 40);
            loop.schedule(() -> log.add("a"), 10);
            EventLoop.Timer c = loop.schedule(() -> log.add("cancelled"), 20);
            c.cancel();
            assertTrue(c.isCancelled());
            return null;
        });
        // also from another thread
        EventLoop.Timer off = loop.schedule(() -> log.add("off-cancelled"), 5);
        off.cancel();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("a", "b"), log);
        loop.shutdown();
        assertTrue(loop.awaitTermination(5000));
    }

    @Test
    void shutdownRunsQueuedTasksDropsTimersAndRejectsNewWork() throws Exception {
        EventLoop loop = new EventLoop("shutdown-loop");
        CountDownLatch block = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger timerRan = new AtomicInteger();
        loop.post(() -> {
            try {
                block.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        loop.schedule(timerRan::incrementAndGet, 0);
        for (int i = 0; i < 100; i++) {
            loop.post(ran::incrementAndGet);
        }
        loop.shutdown();
        assertTrue(loop.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> loop.post(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.schedule(() -> { }, 1));
        assertFalse(loop.awaitTermination(50));
        block.countDown();
        assertTrue(loop.awaitTermination(5000));
        assertEquals(100, ran.get());
        assertFalse(loop.thread().isAlive());
    }

    @Test
    void aLoopThatNeverRanHasNoThreadAndTerminatesAtOnce() throws Exception {
        EventLoop loop = new EventLoop("idle-loop");
        loop.shutdown();
        assertTrue(loop.awaitTermination(1000));
        assertNull(loop.thread());
    }

    @Test
    void aBurstQueuedWhileTheLoopIsBusyRunsWithoutAWakeUp() throws Exception {
        EventLoop loop = new EventLoop("burst-loop");
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        loop.post(() -> {
            entered.countDown();
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        long wakeupsBefore = loop.wakeups();
        long tasksBefore = loop.tasksRun();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            loop.execute(ran::incrementAndGet);
        }
        // A task queued behind the burst observes the counters before the loop can park again.
        long[] seen = new long[2];
        loop.post(() -> {
            seen[0] = loop.wakeups();
            seen[1] = loop.tasksRun();
        });
        busy.countDown();
        loop.call(() -> null);
        assertEquals(10_000, ran.get());
        assertEquals(wakeupsBefore, seen[0], "the busy loop ran the whole burst without parking");
        assertEquals(tasksBefore + 1 + 10_000, seen[1]);
        loop.shutdown();
        assertTrue(loop.awaitTermination(5000));
    }

    @Test
    void loopsOnASharedWorkerKeepTheirOwnShutdown() throws Exception {
        EventLoop.Worker w = EventLoop.Worker.shared("shared-worker");
        EventLoop a = new EventLoop("a", w);
        EventLoop b = new EventLoop("b", w);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        a.post(() -> log.add("a1"));
        b.post(() -> log.add("b1"));
        a.post(() -> log.add("a2"));
        assertTrue(a.call(() -> a.inLoop() && b.inLoop()));
        assertEquals(List.of("a1", "b1", "a2"), log);
        CountDownLatch bTimer = new CountDownLatch(1);
        AtomicInteger aTimer = new AtomicInteger();
        b.schedule(bTimer::countDown, 20);
        a.call(() -> {
            // Scheduled and shut down within one task on the shared thread: the timer cannot run before.
            a.schedule(aTimer::incrementAndGet, 0);
            a.shutdown();
            return null;
        });
        assertTrue(a.awaitTermination(5000));
        assertThrows(RejectedExecutionException.class, () -> a.post(() -> { }));
        assertTrue(bTimer.await(10, TimeUnit.SECONDS));
        assertEquals(0, aTimer.get(), "a's timer was dropped at its shutdown");
        assertEquals("ok", b.call(() -> "ok"));
        assertTrue(w.thread().isAlive());
        w.stop(); // b still lives: the thread goes on until b has terminated
        assertEquals("still", b.call(() -> "still"));
        assertEquals(1, w.liveLoops());
        b.shutdown();
        assertTrue(b.awaitTermination(5000));
        w.thread().join(5000);
        assertFalse(w.thread().isAlive());
        assertThrows(IllegalArgumentException.class, () -> new EventLoop("x", null));
        assertThrows(IllegalStateException.class, () -> new EventLoop("late", w), "a stopped worker takes no new loop");
        assertEquals(0, w.liveLoops());
    }

    @Test
    void anInterruptLeftByATaskDoesNotMakeTheIdleLoopSpin() throws Exception {
        // Found by the issue-6 review: park() returns at once while the interrupt flag is set, and a
        // callback that catches InterruptedException and re-asserts the flag left it set forever.
        EventLoop loop = new EventLoop("interrupt-left");
        try {
            loop.call(() -> {
                Thread.currentThread().interrupt();
                return null;
            });
            long w0 = loop.wakeups();
            // Nothing is queued and no timer is armed: the loop must stay parked through this window.
            Thread.sleep(300);
            long woke = loop.wakeups() - w0;
            assertTrue(woke < 5, "idle loop woke " + woke + " times in 300 ms with nothing to do");
            // And it still runs work.
            assertEquals(42, (int) loop.call(() -> 42));
        } finally {
            loop.shutdown();
        }
    }
}
