package org.jdatachannel.cli;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jdatachannel.DataChannel;

/**
 * Records what happens on one client channel: open, close, and received messages (up to
 * {@link #CAPACITY}; further messages are counted as overflow, never buffered).
 *
 * <p>Thread-safe: callbacks fill it on the event loop, the test thread reads it.
 */
final class ChannelProbe {

    /** Received messages kept until the test reads them. */
    static final int CAPACITY = 256;

    final DataChannel channel;
    final CompletableFuture<Void> open = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final BlockingQueue<Scenario.Msg> received = new ArrayBlockingQueue<>(CAPACITY);
    final AtomicLong overflow = new AtomicLong();
    /** The first asynchronous error the channel reported, if any. */
    final CompletableFuture<Throwable> error = new CompletableFuture<>();

    ChannelProbe(DataChannel ch) {
        this.channel = ch;
        ch.onOpen(() -> open.complete(null));
        ch.onClose(() -> {
            closed.complete(null);
            open.completeExceptionally(new IllegalStateException("channel '" + ch.label() + "' closed before opening"));
        });
        ch.onError(error::complete);
        ch.onMessage(m -> {
            if (!received.offer(Scenario.Msg.of(m.binary(), m.data()))) {
                overflow.incrementAndGet();
            }
        });
        if (Channels.isOpen(ch)) {
            open.complete(null);
        }
    }

    /**
     * The next message, waiting until the deadline or until the channel closes.
     *
     * @return the message or {@code null} on timeout or close
     */
    Scenario.Msg next(Deadline d) throws InterruptedException {
        while (true) {
            Scenario.Msg m = received.poll(Math.min(100, d.remainingMs()), TimeUnit.MILLISECONDS);
            if (m != null) {
                return m;
            }
            if (d.expired() || closed.isDone()) {
                return received.poll();
            }
        }
    }
}
