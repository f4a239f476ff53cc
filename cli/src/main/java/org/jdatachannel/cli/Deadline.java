package org.jdatachannel.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A point in (monotonic) time by which something must be done. Immutable; thread-safe. */
final class Deadline {

    private final long endNanos;
    private final Duration total;

    private Deadline(Duration total) {
        this.total = total;
        this.endNanos = System.nanoTime() + total.toNanos();
    }

    /** A deadline {@code d} from now. */
    static Deadline in(Duration d) {
        return new Deadline(d);
    }

    /** Milliseconds left, at least 0. */
    long remainingMs() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(endNanos - System.nanoTime()));
    }

    boolean expired() {
        return endNanos - System.nanoTime() <= 0;
    }

    Duration total() {
        return total;
    }

    /**
     * Waits for {@code f} until the deadline.
     *
     * @param what names the step in the timeout message
     * @throws TimeoutException saying which step did not finish in time
     * @throws ExecutionException if {@code f} failed
     */
    <T> T await(CompletableFuture<T> f, String what) throws TimeoutException, ExecutionException, InterruptedException {
        try {
            return f.get(remainingMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException(what + ": not done within " + total.toMillis() + " ms");
        }
    }
}
