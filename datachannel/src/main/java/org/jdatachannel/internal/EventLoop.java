package org.jdatachannel.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jdatachannel.ice.DatagramIo;
import org.jdatachannel.ice.IoSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single owner thread of one peer connection (DESIGN.md "Threading"). The SCTP association,
 * DCEP and data-channel state are touched only on this thread.
 *
 * <p>User callbacks are never run in the middle of a state change: protocol code calls
 * {@link #defer(Runnable)} and the callbacks run, in order, after the current task has finished.
 * A callback that throws is logged and the loop goes on. Not part of the public API.
 *
 * <p>Implementation (issue 6): a lock-free multi-producer single-consumer task queue (one node
 * allocation per task, no lock, no condition signal) and a timer heap owned by the loop thread.
 * A producer wakes the thread ({@link LockSupport#unpark}) only when it is parked, so a burst of
 * tasks (user sends, received datagrams) costs one wake-up. Tasks run in submission order; timers
 * run when due, between tasks. Cancelling a timer is O(1) (it is skipped when it comes up).
 *
 * <p>Several loops may share one {@link Worker} thread ({@link #EventLoop(String, Worker)}): each
 * keeps its own shutdown and termination, their tasks interleave in submission order on the
 * shared thread and {@link #inLoop()} is true for all of them there.
 *
 * <p>Socket I/O (issue 6): the loop is also a {@link DatagramIo}. The first UDP channel
 * registered ({@link #register}) gives its thread an {@link IoSelector}; from then on the thread
 * waits in {@code select(timeout)} instead of parking, a producer wakes it with
 * {@code Selector.wakeup()} instead of an unpark (still one wake-up per burst), and readable
 * channels are read on this thread: each ready channel once per round, at most
 * {@link IoSelector#MAX_DATAGRAMS_PER_ROUND} datagrams, then callbacks deferred by the round run.
 * While tasks keep coming, the channels are polled (without waiting) after every
 * {@value #TASKS_PER_IO_POLL} tasks, so neither starves the other. The selector is closed (and
 * every key released) when the thread ends.
 *
 * <p>Busy polling (issue 6, echo latency): when a connection expects something soon (it sent a
 * packet the peer answers, or delivered a message the application may answer), it may call
 * {@link #busyPoll(long)}. When the thread next runs out of work, it then polls
 * its sockets and its task queue without sleeping ({@code selectNow}, no {@code Selector.wakeup()}
 * needed: producers see the thread as not parked) until something arrives or the given time has
 * passed, and only then blocks in {@code select}. A datagram that arrives while the thread polls
 * costs neither the sender's kernel a wake-up of this thread nor this thread a sleep and a
 * reschedule, which on a VM are most of a request's cost. Bounded: one poll phase per
 * {@code busyPoll} call, never past the next timer's deadline; with no call (the default) the
 * thread never polls, so an idle loop uses no CPU. Backs off: after
 * {@value #POLL_MISSES_BEFORE_BACKOFF} phases in a row that caught nothing (answers slower than
 * the window, or none), the next {@value #POLL_SKIPS_AFTER_MISSES} requests are ignored, then one
 * phase probes again; a phase that catches something ends the back-off. So traffic whose answers
 * never come in time costs at most one window per {@value #POLL_SKIPS_AFTER_MISSES} requests.
 */
public final class EventLoop implements DatagramIo {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    /** While tasks keep the thread busy, the sockets are polled after this many tasks. */
    static final int TASKS_PER_IO_POLL = 64;
    /** Busy-poll phases in a row that caught nothing, after which requests are skipped. */
    static final int POLL_MISSES_BEFORE_BACKOFF = 4;
    /** {@link #busyPoll} requests ignored after each miss once backing off. */
    static final int POLL_SKIPS_AFTER_MISSES = 64;

    private final Worker worker;
    private final boolean dedicated;
    private volatile boolean shutdown;
    /** Tasks submitted to this loop and not yet run (or dropped); see {@link #shutdown()}. */
    private final AtomicInteger pending = new AtomicInteger();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    /** @param name the thread name; the loop gets a thread of its own, started with the first task */
    public EventLoop(String name) {
        this.worker = new Worker(name, this);
        this.dedicated = true;
    }

    /**
     * A loop that runs on {@code shared}'s thread together with other loops.
     *
     * @param name   for logs only
     * @param shared the worker thread; it outlives this loop
     */
    public EventLoop(String name, Worker shared) {
        if (shared == null || shared.owner != null) {
            throw new IllegalArgumentException("a shared worker is required");
        }
        if (!shared.register()) {
            throw new IllegalStateException("the shared event-loop worker " + shared.name + " was stopped");
        }
        this.worker = shared;
        this.dedicated = false;
    }

    /** @return true if the caller runs on the loop thread */
    public boolean inLoop() {
        return Thread.currentThread() == worker.thread;
    }

    /** @return the loop thread, or null before the first task */
    public Thread thread() {
        return worker.thread;
    }

    /** @return tasks this loop's thread has run so far (all loops of a shared worker; tests, diagnostics) */
    public long tasksRun() {
        return worker.tasksRun;
    }

    /** @return times this loop's thread was woken from a park (all loops of a shared worker; tests) */
    public long wakeups() {
        return worker.wakeups.get();
    }

    /**
     * Reads {@code channel} on this loop's thread (shared with the other loops of a shared
     * worker): {@code handler} runs there, between tasks, whenever the channel is readable. See
     * the class comment. Any thread.
     *
     * @throws IOException if the thread has ended, or no selector could be opened
     */
    @Override
    public Registration register(java.nio.channels.DatagramChannel channel, Handler handler) throws IOException {
        return worker.register(channel, handler);
    }

    /** @return I/O rounds that called at least one read handler (all loops of a shared worker; tests) */
    public long ioRounds() {
        return worker.ioRounds;
    }

    /**
     * Asks the thread to busy-poll (see the class comment) for up to {@code nanos} the next time it
     * runs out of work, instead of blocking at once: the caller expects a datagram soon (the answer
     * to a packet it just sent). A later call extends the window; the window ends at the first
     * thing that arrives (a datagram or a task), at its end, or at the next timer's deadline,
     * whichever comes first. Nothing happens before the thread reads sockets ({@link #register}),
     * nor while the thread backs off after phases that caught nothing (see the class comment).
     * Loop thread only.
     *
     * @param nanos how long to poll at most, ns; 0 or less does nothing
     */
    public void busyPoll(long nanos) {
        assert inLoop() : "busyPoll off the loop thread";
        if (nanos <= 0) {
            return;
        }
        Worker w = worker;
        w.busyPollRequests++;
        if (w.pollSkips > 0) {
            w.pollSkips--;
            return;
        }
        long until = System.nanoTime() + nanos;
        if (!w.pollArmed || until - w.pollUntil > 0) {
            w.pollUntil = until;
        }
        w.pollArmed = true;
    }

    /**
     * @return {@link #busyPoll} calls with a positive window so far, skipped ones included (all
     *     loops of a shared worker; tests, diagnostics)
     */
    public long busyPollRequests() {
        return worker.busyPollRequests;
    }

    /** @return busy-poll phases this thread ran (all loops of a shared worker; tests, diagnostics) */
    public long busyPolls() {
        return worker.busyPolls;
    }

    /**
     * @return busy-poll phases that ended because a datagram or a task arrived, so the thread did
     *     not sleep (all loops of a shared worker; tests, diagnostics)
     */
    public long busyPollHits() {
        return worker.busyPollHits;
    }

    /**
     * @return busy-poll phases that ran to the end of their window with nothing caught (all loops
     *     of a shared worker; tests, diagnostics)
     */
    public long busyPollMisses() {
        return worker.busyPollMisses;
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
            submit(task);
        }
    }

    /**
     * Queues {@code task} even when called on the loop thread.
     *
     * @throws RejectedExecutionException if the loop was shut down
     */
    public void post(Runnable task) {
        submit(task);
    }

    private void submit(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        // Count first, then check: shutdown() sets the flag, then reads the count (see shutdown).
        pending.incrementAndGet();
        if (shutdown) {
            taskDone();
            throw new RejectedExecutionException("event loop shut down");
        }
        worker.offer(new Node(this, task));
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
        CompletableFuture<T> f = new CompletableFuture<>();
        submit(() -> {
            // The result is handed over after the callbacks the task deferred have run.
            T result = null;
            Throwable failure = null;
            try {
                result = c.call();
            } catch (Throwable t) {
                failure = t;
            }
            try {
                worker.drainDeferred();
            } finally {
                if (failure != null) {
                    f.completeExceptionally(failure);
                } else {
                    f.complete(result);
                }
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
        worker.deferred.add(callback);
    }

    /** A timer from {@link #schedule}; {@link #cancel()} may be called from any thread. */
    public static final class Timer implements Comparable<Timer> {
        private final EventLoop loop;
        /** Null once cancelled, so a cancelled timer waiting in the heap holds nothing of its owner. */
        private volatile Runnable task;
        private final long deadlineNanos;
        private final long seq;
        private volatile boolean cancelled;

        private Timer(EventLoop loop, Runnable task, long deadlineNanos, long seq) {
            this.loop = loop;
            this.task = task;
            this.deadlineNanos = deadlineNanos;
            this.seq = seq;
        }

        /** Stops the timer if it has not run yet; O(1). */
        public void cancel() {
            cancelled = true;
            task = null;
        }

        /** @return true if {@link #cancel()} was called */
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadlineNanos - o.deadlineNanos, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /**
     * Runs {@code task} on the loop after {@code delayMs} (0 or less: as soon as possible, after
     * the tasks already queued). Timers still pending at {@link #shutdown()} never run.
     *
     * @return the timer, to cancel it
     * @throws RejectedExecutionException if the loop was shut down
     */
    public Timer schedule(Runnable task, long delayMs) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        if (shutdown) {
            throw new RejectedExecutionException("event loop shut down");
        }
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs));
        Timer t = new Timer(this, task, System.nanoTime() + delayNanos, worker.timerSeq.getAndIncrement());
        if (inLoop()) {
            worker.addTimer(t);
        } else {
            // The heap belongs to the loop thread: a small task adds the timer there.
            submit(() -> worker.addTimer(t));
        }
        return t;
    }

    /** @return true once {@link #shutdown()} was called */
    public boolean isShutdown() {
        return shutdown;
    }

    /** Stops accepting tasks; queued tasks still run, timers are dropped. */
    public void shutdown() {
        if (shutdown) {
            return;
        }
        shutdown = true;
        if (pending.get() == 0) {
            terminate();
        }
    }

    private void taskDone() {
        if (pending.decrementAndGet() == 0 && shutdown) {
            terminate();
        }
    }

    private void terminate() {
        if (terminated.complete(null)) {
            if (!dedicated) {
                worker.loops.decrementAndGet();
                // Its timers still in the shared heap would keep the connection reachable until
                // their deadlines (the SCTP heartbeat: ~30 s): the worker drops them before it parks.
                worker.purgeRequested = true;
            }
            // Let a parked thread see that it may end.
            worker.wake();
        }
    }

    /** @return true if this loop has a thread of its own (false on a shared worker) */
    public boolean ownsThread() {
        return dedicated;
    }

    /**
     * @param timeoutMs how long to wait
     * @return true if every task of this loop has run after {@link #shutdown()} (and, for a loop
     *         with its own thread, that thread has ended)
     */
    public boolean awaitTermination(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try {
            terminated.get(Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        Thread t = worker.thread;
        if (dedicated && t != null && t != Thread.currentThread()) {
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
        worker.drainDeferred();
    }

    private static void runGuarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | AssertionError e) {
            LOG.warn("task or callback threw; ignored", e);
        }
    }

    /** One queued task (also the queue's link). */
    private static final class Node {
        final EventLoop loop;
        Runnable task;
        volatile Node next;

        Node(EventLoop loop, Runnable task) {
            this.loop = loop;
            this.task = task;
        }
    }

    /**
     * The thread behind one or more loops: an intrusive MPSC queue (producers swap the tail, the
     * thread alone moves the head), the timer heap and the deferred-callback queue. A shared worker
     * ({@link #shared(String)}) runs until {@link #stop()}; a dedicated one ends with its loop.
     */
    public static final class Worker {
        private static final VarHandle TAIL;
        private static final VarHandle PARKED;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                TAIL = l.findVarHandle(Worker.class, "tail", Node.class);
                PARKED = l.findVarHandle(Worker.class, "parked", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final String name;
        /** The only loop of a dedicated worker (the thread ends when it terminates); null if shared. */
        private final EventLoop owner;
        private final boolean dedicated;
        /** Consumer side: the last node taken (a stub); loop thread only. */
        private Node head;
        @SuppressWarnings("unused")
        private volatile Node tail;
        /** The thread is parked or about to park; producers unpark it. */
        @SuppressWarnings("unused")
        private volatile boolean parked;
        private volatile boolean stopped;
        private volatile Thread thread;
        private final AtomicInteger started = new AtomicInteger();
        /** Loop thread only. */
        private final PriorityQueue<Timer> timers = new PriorityQueue<>();
        /** Loop thread only: heap size at which cancelled timers are purged next (amortized O(1)). */
        private int purgeAt = 1024;
        /** Set when a loop on this shared worker terminated: purge its timers before parking. */
        private volatile boolean purgeRequested;
        private final AtomicLong timerSeq = new AtomicLong();
        /** Loop thread only. */
        private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
        /** Written by the loop thread only. */
        private volatile long tasksRun;
        private final AtomicLong wakeups = new AtomicLong();
        /** The selector, from the first channel registered on; null before. */
        private volatile IoSelector io;
        /** Set when the thread has ended: no more channels. */
        private volatile boolean ioClosed;
        /** Written by the loop thread only. */
        private volatile long ioRounds;
        /** Loop thread only: {@link EventLoop#busyPoll} was called since the last poll phase. */
        private boolean pollArmed;
        /** Loop thread only: System.nanoTime() at which the armed poll phase ends. */
        private long pollUntil;
        /** Written by the loop thread only. */
        private volatile long busyPolls;
        /** Written by the loop thread only. */
        private volatile long busyPollHits;
        /** Written by the loop thread only. */
        private volatile long busyPollMisses;
        /** Written by the loop thread only. */
        private volatile long busyPollRequests;
        /** Loop thread only: phases in a row that caught nothing (a hit resets it). */
        private int pollMissStreak;
        /** Loop thread only: {@link EventLoop#busyPoll} requests still to ignore (back-off). */
        private int pollSkips;

        private Worker(String name, EventLoop owner) {
            this.name = name;
            this.owner = owner;
            this.dedicated = owner != null;
            Node stub = new Node(null, null);
            head = stub;
            tail = stub;
        }

        /**
         * A worker thread several loops can share (the thread starts with the first task).
         *
         * @param name the thread name
         */
        public static Worker shared(String name) {
            return new Worker(name, null);
        }

        /** Live (not terminated) loops on a shared worker. */
        private final AtomicInteger loops = new AtomicInteger();

        private boolean register() {
            loops.incrementAndGet();
            if (stopped) {
                loops.decrementAndGet();
                return false;
            }
            return true;
        }

        /**
         * Lets a shared worker's thread end once every loop on it has terminated (after their
         * {@link EventLoop#shutdown()}); no new loop may use it afterwards.
         */
        public void stop() {
            stopped = true;
            wake();
        }

        /** @return loops on this shared worker that have not terminated */
        public int liveLoops() {
            return loops.get();
        }

        /** @return the thread, or null before the first task */
        public Thread thread() {
            return thread;
        }

        void offer(Node n) {
            Node prev = (Node) TAIL.getAndSet(this, n);
            prev.next = n;
            Thread t = thread;
            if (t == null) {
                start();
            }
            // Dekker with the loop thread: it sets parked, then re-reads the tail; we swapped the
            // tail, then read parked. One of us sees the other. The loop thread itself (a read
            // handler posting during a selection round) needs no wake-up.
            if (parked && t != Thread.currentThread()) {
                wake();
            }
        }

        private DatagramIo.Registration register(java.nio.channels.DatagramChannel ch, DatagramIo.Handler h)
                throws IOException {
            IoSelector s = io;
            if (s == null) {
                synchronized (this) {
                    if (ioClosed) {
                        throw new IOException("event-loop thread " + name + " has ended");
                    }
                    s = io;
                    if (s == null) {
                        s = IoSelector.open();
                        io = s;
                    }
                }
            }
            DatagramIo.Registration r = s.register(ch, h);
            if (thread == null) {
                start();
            }
            // A thread that read io == null before parking waits in LockSupport.park: the permit
            // makes it go round and select from now on (a selecting thread was woken by register).
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
            return r;
        }

        private void start() {
            if (started.compareAndSet(0, 1)) {
                Thread t = new Thread(this::run, name);
                t.setDaemon(true);
                thread = t;
                t.start();
            }
        }

        private void wake() {
            Thread t = thread;
            if (t != null && PARKED.compareAndSet(this, true, false)) {
                IoSelector s = io;
                if (s != null) {
                    s.wakeup();
                } else {
                    LockSupport.unpark(t);
                }
            }
        }

        private boolean queueEmpty() {
            return TAIL.getVolatile(this) == head;
        }

        /** @return the next task node, or null if none is linked yet */
        private Node poll() {
            Node h = head;
            Node next = h.next;
            if (next == null) {
                return null;
            }
            head = next;
            return next;
        }

        private void run() {
            // A thread started by a racing offer() may run before `thread` is visible to it.
            while (thread != Thread.currentThread()) {
                Thread.onSpinWait();
            }
            try {
                runLoop();
            } finally {
                synchronized (this) {
                    ioClosed = true;
                }
                IoSelector s = io;
                if (s != null) {
                    s.close(); // releases every key (and the descriptors of closed channels)
                }
            }
        }

        private void runLoop() {
            int tasksSinceIo = 0;
            while (true) {
                Node n = poll();
                if (n != null) {
                    Runnable task = n.task;
                    n.task = null;
                    runTask(n.loop, task);
                    if (!timers.isEmpty()) {
                        runDueTimers(System.nanoTime());
                    }
                    if (++tasksSinceIo >= TASKS_PER_IO_POLL && io != null) {
                        tasksSinceIo = 0;
                        pollIo(io, 0);
                    }
                    continue;
                }
                tasksSinceIo = 0;
                if (!queueEmpty()) {
                    // A producer swapped the tail but has not linked its node yet.
                    Thread.onSpinWait();
                    continue;
                }
                runDueTimers(System.nanoTime());
                if (!queueEmpty()) {
                    continue;
                }
                if (isDone()) {
                    return;
                }
                if (purgeRequested) {
                    purgeRequested = false;
                    purgeTimers();
                }
                // A task or callback may have set this thread's interrupt flag (the usual
                // `catch (InterruptedException e) { interrupt(); }`); park() would then return at
                // once, forever. ScheduledThreadPoolExecutor cleared it before each task too.
                Thread.interrupted();
                Timer first = timers.peek();
                if (pollArmed) {
                    pollArmed = false;
                    IoSelector s = io;
                    if (s != null && busyPoll(s, first)) {
                        continue; // no sleep: a datagram was read or a task came
                    }
                }
                parked = true;
                if (!queueEmpty() || isDone()) {
                    parked = false;
                    continue;
                }
                IoSelector s = io;
                if (s != null) {
                    // Read the clock again: the timers just run may have taken a while.
                    long wait = first == null ? -1 : Math.max(0, first.deadlineNanos - System.nanoTime());
                    pollIo(s, wait);
                } else if (first == null) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, first.deadlineNanos - System.nanoTime());
                }
                parked = false;
                wakeups.incrementAndGet();
            }
        }

        /**
         * Loop thread, out of work: polls the sockets (without waiting) and the task queue until
         * one of them has something, the armed window ends or {@code first} (the next timer) is due.
         * {@code parked} stays false all along, so producers only link their task (no
         * {@code Selector.wakeup()}: the thread sees the queue's tail move). Bounded: at most one
         * {@code selectNow} per iteration, the window set by {@link EventLoop#busyPoll}.
         *
         * @return true if something arrived (the caller goes round without sleeping)
         */
        private boolean busyPoll(IoSelector s, Timer first) {
            long until = pollUntil;
            if (first != null && first.deadlineNanos - until < 0) {
                until = first.deadlineNanos;
            }
            busyPolls++;
            while (true) {
                if (!queueEmpty() || isDone() || pollIo(s, 0)) {
                    busyPollHits++;
                    pollMissStreak = 0;
                    return true;
                }
                if (System.nanoTime() - until >= 0) {
                    if (until == pollUntil) { // not cut short by a timer: nothing came within the window
                        busyPollMisses++;
                        if (++pollMissStreak >= POLL_MISSES_BEFORE_BACKOFF) {
                            pollSkips = POLL_SKIPS_AFTER_MISSES;
                        }
                    }
                    return false;
                }
                Thread.onSpinWait();
            }
        }

        /**
         * One selection round: waits up to {@code timeoutNanos} (-1: until woken), runs read handlers.
         *
         * @return true if a read handler was called
         */
        private boolean pollIo(IoSelector s, long timeoutNanos) {
            boolean read = false;
            try {
                if (s.select(timeoutNanos) > 0) {
                    ioRounds++;
                    read = true;
                }
            } catch (IOException e) {
                // A broken selector (should not happen): do not spin; sockets stay unread until it recovers.
                LOG.error("{}: selecting failed", name, e);
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
            } catch (Throwable e) {
                // As in runTask: an Error must not end the thread (every loop on it would hang).
                LOG.error("{}: a read handler threw; the loop goes on", name, e);
            } finally {
                Thread.interrupted();
                try {
                    drainDeferred();
                } catch (Throwable e) {
                    LOG.error("{}: a callback threw; the loop goes on", name, e);
                }
            }
            return read;
        }

        /** The thread may end: its loop (dedicated) or every loop (shared, once stopped) has terminated. */
        private boolean isDone() {
            return dedicated ? owner.terminated.isDone() : stopped && loops.get() == 0;
        }

        private void runTask(EventLoop loop, Runnable task) {
            Thread.interrupted(); // a flag left by an earlier task must not reach this one
            try {
                runGuarded(task);
                drainDeferred();
            } catch (Throwable e) {
                // An Error (e.g. OutOfMemoryError) must not end the thread: every loop on it would hang.
                LOG.error("{}: task threw; the loop goes on", name, e);
            } finally {
                tasksRun++;
                loop.taskDone();
            }
        }

        /** Loop thread: adds a timer; cancelled ones are purged once they could be many. */
        private void addTimer(Timer t) {
            if (timers.size() >= purgeAt) {
                purgeTimers();
                // Next purge once the heap has doubled: O(1) amortized per timer even when
                // thousands of live timers share one worker.
                purgeAt = Math.max(1024, 2 * timers.size());
            }
            timers.add(t);
        }

        private void purgeTimers() {
            timers.removeIf(x -> x.cancelled || x.loop.shutdown);
        }

        private void runDueTimers(long now) {
            Timer t;
            while ((t = timers.peek()) != null) {
                Runnable task = t.task;
                if (t.cancelled || task == null || t.loop.shutdown) {
                    timers.poll();
                    continue;
                }
                if (t.deadlineNanos - now > 0) {
                    return;
                }
                timers.poll();
                Thread.interrupted();
                try {
                    runGuarded(task);
                    drainDeferred();
                } catch (Throwable e) {
                    LOG.error("{}: timer threw; the loop goes on", name, e);
                }
                tasksRun++;
                now = System.nanoTime();
            }
        }

        private void drainDeferred() {
            Runnable r;
            while ((r = deferred.poll()) != null) {
                runGuarded(r);
            }
        }
    }
}
