package org.jdatachannel.ice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The selector of one I/O thread: channels registered from any thread ({@link #register}), one
 * selection round at a time on the owner thread ({@link #select}), which calls the handler of
 * every ready channel once per round (so each channel reads at most
 * {@link #MAX_DATAGRAMS_PER_ROUND} datagrams before the others and the thread's other work get a
 * turn), and one direct read buffer shared by all handlers of the thread.
 *
 * <p>Used by {@link SharedDatagramIo} and by datachannel's event loop. Thread-safety:
 * {@link #register}, {@link #wakeup()} and cancelling a registration from any thread;
 * {@link #select} and {@link #close()} on the owner thread.
 */
public final class IoSelector implements DatagramIo, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IoSelector.class);

    /** Datagrams a handler should read per round at most (fairness between channels and tasks). */
    public static final int MAX_DATAGRAMS_PER_ROUND = 64;
    /** Size of the shared read buffer: the largest UDP payload (65507 over IPv4) fits. */
    public static final int SCRATCH_BYTES = 65536;

    private final Selector selector;
    private final ConcurrentLinkedQueue<Reg> pending = new ConcurrentLinkedQueue<>();
    /** Cancelled registrations whose key the next completed selection round flushes. */
    private final ConcurrentLinkedQueue<Reg> cancelling = new ConcurrentLinkedQueue<>();
    /** Owner thread: the registrations of {@link #cancelling} taken at the start of the current round. */
    private final java.util.ArrayList<Reg> flushing = new java.util.ArrayList<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(SCRATCH_BYTES);
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private volatile Thread owner;
    private volatile boolean closed;
    /** Handler calls so far (owner thread writes). */
    private volatile long handlerCalls;

    private IoSelector(Selector selector) {
        this.selector = selector;
    }

    /**
     * @return a new selector
     * @throws IOException if the OS refuses one (file descriptors exhausted)
     */
    public static IoSelector open() throws IOException {
        return new IoSelector(Selector.open());
    }

    private final class Reg implements DatagramIo.Registration {
        final DatagramChannel channel;
        final DatagramIo.Handler handler;
        volatile SelectionKey key;
        volatile boolean cancelled;
        /** A selection round that began after the cancel has completed (or the selector closed). */
        volatile boolean released;

        Reg(DatagramChannel channel, DatagramIo.Handler handler) {
            this.channel = channel;
            this.handler = handler;
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            SelectionKey k = key;
            if (k != null) {
                k.cancel();
            }
            // The key is flushed (and a closed channel's descriptor released) in the next round.
            cancelling.add(this);
            if (closed) {
                released = true;
            }
            selector.wakeup();
        }

        @Override
        public Thread thread() {
            return owner;
        }

        @Override
        public boolean released() {
            return released;
        }
    }

    /**
     * Registers {@code channel}; it is selected from the next round on (the owner is woken).
     *
     * @throws IllegalArgumentException if the channel is blocking
     * @throws IOException if this selector is closed
     */
    @Override
    public DatagramIo.Registration register(DatagramChannel channel, DatagramIo.Handler handler)
            throws IOException {
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("the channel must be non-blocking");
        }
        if (closed) {
            throw new IOException("I/O selector closed");
        }
        Reg r = new Reg(channel, handler);
        pending.add(r);
        selector.wakeup();
        return r;
    }

    /** Makes a running or the next {@link #select} return at once. Any thread. */
    public void wakeup() {
        selector.wakeup();
    }

    /** @return the thread that ran the last {@link #select}, or null */
    public Thread owner() {
        return owner;
    }

    /** @return keys registered (registrations not yet applied excluded); owner thread or tests */
    public int registeredKeys() {
        return selector.keys().size();
    }

    /** @return handler calls so far (diagnostics, tests) */
    public long handlerCalls() {
        return handlerCalls;
    }

    /**
     * One round, on the owner thread: applies new registrations, waits until a channel is ready,
     * the timeout passes or {@link #wakeup()}, and calls each ready channel's handler once. A round
     * that releases cancelled registrations does not wait (and may consume a pending wakeup): the
     * caller re-checks its own work and selects again.
     *
     * @param timeoutNanos how long to wait: negative waits until woken, 0 does not wait, else
     *                     rounded up to whole milliseconds
     * @return the number of handlers called
     * @throws IOException if the selector fails
     */
    public int select(long timeoutNanos) throws IOException {
        owner = Thread.currentThread();
        applyPending();
        // Keys cancelled before this round are flushed by it: the JDK deregisters a cancelled key
        // and only then closes a closed channel's descriptor, both inside select, so "released"
        // is set after the round returns (isRegistered() turns false before the descriptor goes).
        for (Reg r; (r = cancelling.poll()) != null; ) {
            flushing.add(r);
        }
        try {
            if (!flushing.isEmpty()) {
                // Flush the cancelled keys now, without waiting: a closer may be waiting for them.
                // Then return, even if nothing was ready: selectNow clears a pending wakeup(), so
                // going on to a blocking select here could sleep on a task posted meanwhile; the
                // caller re-checks its work before it selects again.
                return selector.selectNow(dispatch);
            }
            if (timeoutNanos == 0) {
                return selector.selectNow(dispatch);
            }
            if (timeoutNanos < 0) {
                return selector.select(dispatch);
            }
            long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999));
            return selector.select(dispatch, ms);
        } finally {
            for (Reg r : flushing) {
                r.released = true;
            }
            flushing.clear();
        }
    }

    private void applyPending() {
        Reg r;
        while ((r = pending.poll()) != null) {
            if (r.cancelled) {
                continue;
            }
            try {
                r.key = r.channel.register(selector, SelectionKey.OP_READ, r);
                if (r.cancelled) {
                    r.key.cancel();
                }
            } catch (ClosedChannelException e) {
                // closed before it was registered: nothing to read
            } catch (RuntimeException e) {
                LOG.warn("registering {} failed", r.channel, e);
            }
        }
    }

    private void dispatch(SelectionKey k) {
        Reg r = (Reg) k.attachment();
        if (r.cancelled || !k.isValid()) {
            return;
        }
        handlerCalls++;
        try {
            r.handler.onReadable(scratch.clear());
        } catch (RuntimeException e) {
            LOG.warn("a datagram read handler failed", e);
        }
    }

    /**
     * Closes the selector: every key is released (closed channels' descriptors with it). Owner
     * thread, or any thread once the owner has stopped selecting. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        pending.clear();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing a selector failed: {}", e.toString());
        }
        for (Reg r : flushing) {
            r.released = true;
        }
        for (Reg r; (r = cancelling.poll()) != null; ) {
            r.released = true;
        }
    }
}
