package org.jdatachannel.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single owner thread of one peer connection (DESIGN.md "Threading"). The SCTP association,
 * DCEP and data-channel state are touched only on this thread.
 *
 * <p>User callbacks are never run in the middle of a state change: protocol code calls
 * {@link #defer(Runnable)} and the callbacks run, in order, after the current task has finished.
 * A callback that throws is logged and the loop goes on. Not part of the public API.
 */
public final class EventLoop {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    private final ScheduledThreadPoolExecutor exec;
    private volatile Thread thread;
    /** Loop thread only. */
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();

    /** @param name the thread name */
    public EventLoop(String name) {
        exec = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        exec.setRemoveOnCancelPolicy(true);
        exec.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        exec.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /** @return true if the caller runs on the loop thread */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** @return the loop thread, or null before the first task */
    public Thread thread() {
        return thread;
    }

    /**
     * Runs {@code task} on the loop: at once when called on the loop thread, else queued.
     * Exceptions are logged.
     *
     * @throws RejectedExecutionException if the loop was shut down
     */
    public void execute(Runnable task) {
        if (inLoop()) {
            runGuarded(task);
        } else {
            exec.execute(() -> {
                runGuarded(task);
                drainDeferred();
            });
        }
    }

    /**
     * Queues {@code task} even when called on the loop thread.
     *
     * @throws RejectedExecutionException if the loop was shut down
     */
    public void post(Runnable task) {
        exec.execute(() -> {
            runGuarded(task);
            drainDeferred();
        });
    }

    /**
     * Runs {@code c} on the loop and waits for its result (at once when on the loop thread).
     * A RuntimeException or Error thrown by {@code c} is rethrown to the caller.
     *
     * @throws RejectedExecutionException if the loop was shut down
     */
    public <T> T call(Callable<T> c) {
        if (inLoop()) {
            try {
                return c.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Future<T> f = exec.submit(() -> {
            try {
                return c.call();
            } finally {
                drainDeferred();
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Queues a user callback to run after the current loop task. Loop thread only.
     *
     * @param callback the callback; its exceptions are logged
     */
    public void defer(Runnable callback) {
        assert inLoop() : "defer off the loop thread";
        deferred.add(callback);
    }

    /**
     * Runs {@code task} on the loop after {@code delayMs}.
     *
     * @throws RejectedExecutionException if the loop was shut down
     */
    public ScheduledFuture<?> schedule(Runnable task, long delayMs) {
        return exec.schedule(() -> {
            runGuarded(task);
            drainDeferred();
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    /** @return true once {@link #shutdown()} was called */
    public boolean isShutdown() {
        return exec.isShutdown();
    }

    /** Stops accepting tasks; queued tasks still run, timers are dropped. */
    public void shutdown() {
        exec.shutdown();
    }

    /**
     * @param timeoutMs how long to wait
     * @return true if the loop thread has finished
     */
    public boolean awaitTermination(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (!exec.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
            return false;
        }
        // The executor reports termination just before its worker thread exits; wait for the thread.
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            return !t.isAlive();
        }
        return true;
    }

    /**
     * Runs the callbacks deferred so far, now. Loop thread only; for tests that drive a long
     * sequence of steps inside one loop task (e.g. fuzzing), as if each step were its own task.
     */
    void runDeferred() {
        assert inLoop() : "runDeferred off the loop thread";
        drainDeferred();
    }

    private void drainDeferred() {
        Runnable r;
        while ((r = deferred.poll()) != null) {
            runGuarded(r);
        }
    }

    private static void runGuarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | AssertionError e) {
            LOG.warn("task or callback threw; ignored", e);
        }
    }
}
