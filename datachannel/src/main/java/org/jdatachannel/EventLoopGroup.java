package org.jdatachannel;

import java.util.concurrent.atomic.AtomicInteger;
import org.jdatachannel.internal.EventLoop;

/**
 * Event-loop threads shared by many peer connections (for servers holding hundreds or thousands of
 * connections). By default every {@link PeerConnection} has an event-loop thread of its own; a
 * connection made with {@link RtcConfiguration.Builder#eventLoopGroup(EventLoopGroup)} runs on one
 * of this group's threads instead, chosen round-robin when it is constructed, and keeps it for its
 * life. Each connection still has exactly one owner thread, so the threading guarantees of
 * {@link PeerConnection} hold unchanged.
 *
 * <p>Consequences of sharing: callbacks of all connections on one thread run one after another, so
 * a callback that blocks or runs long delays every connection on that thread (SCTP timers, ICE
 * events, received data); and a call made from a callback to a connection on the SAME thread runs
 * at once, as a call from its own callback would ({@link PeerConnection#close()} then cannot wait
 * for the graceful SCTP shutdown; see there).
 *
 * <p>Deadlock hazard: a blocking method of {@link PeerConnection} (such as {@link
 * PeerConnection#close()}, which waits for its own loop) called from a callback waits for the other
 * connection's thread. If that thread is at the same time blocked in such a call towards the
 * first thread, both threads and every connection on them stop. With a thread per connection
 * this needs two connections closing each other; on a group any two connections on different
 * threads can form the cycle. From callbacks on a group, hand blocking calls to another executor.
 *
 * <p>Threads are daemon threads named {@code <name>-<i>}, started with their first task. {@link
 * #close()} refuses new connections; each thread ends once every connection on it is closed.
 * Thread-safe.
 */
public final class EventLoopGroup implements AutoCloseable {
    /** Most threads one group may have. */
    public static final int MAX_THREADS = 256;
    private static final AtomicInteger GROUPS = new AtomicInteger();

    private final EventLoop.Worker[] workers;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param threads number of event-loop threads, 1..{@value #MAX_THREADS}; with {@code n}
     *                connections each thread serves about {@code n / threads}
     * @throws IllegalArgumentException if {@code threads} is out of range
     */
    public EventLoopGroup(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be 1.." + MAX_THREADS + ", got " + threads);
        }
        String name = "jdatachannel-loops-" + GROUPS.incrementAndGet();
        workers = new EventLoop.Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = EventLoop.Worker.shared(name + "-" + i);
        }
    }

    /** @return the number of threads */
    public int threads() {
        return workers.length;
    }

    /** The next worker, round-robin; for PeerConnection's constructor. */
    EventLoop.Worker nextWorker() {
        return workers[Math.floorMod(next.getAndIncrement(), workers.length)];
    }

    /**
     * Refuses new connections (their constructor throws IllegalStateException); the threads end
     * once every connection on them is closed. Idempotent.
     */
    @Override
    public void close() {
        for (EventLoop.Worker w : workers) {
            w.stop();
        }
    }

    @Override
    public String toString() {
        return "EventLoopGroup{threads=" + workers.length + "}";
    }
}
