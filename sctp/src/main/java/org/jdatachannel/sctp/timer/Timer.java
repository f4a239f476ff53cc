package org.jdatachannel.sctp.timer;

/**
 * A sans-IO one-shot timer: it only remembers an absolute expiry time in milliseconds on the
 * embedder's clock and how many times it expired in a row. The owner polls {@link #expiry()} and
 * calls {@link #isExpired(long)} when time advances. Not thread-safe.
 */
public final class Timer {
    /** The expiry of a stopped timer. */
    public static final long NEVER = Long.MAX_VALUE;

    private final String name;
    private long expiry = NEVER;
    private long durationMs;
    private int expirations;

    /** @param name for logs, e.g. "T3-rtx" */
    public Timer(String name) {
        this.name = name;
    }

    /**
     * (Re)starts the timer.
     *
     * @param nowMs the current time, ms
     * @param durationMs the delay until expiry, ms, &gt;= 0
     */
    public void start(long nowMs, long durationMs) {
        this.durationMs = durationMs;
        this.expiry = nowMs + durationMs;
    }

    /** Stops the timer; the expiration counter is kept (see {@link #resetExpirations()}). */
    public void stop() {
        expiry = NEVER;
    }

    /** @return true if started and not stopped or fired */
    public boolean isRunning() {
        return expiry != NEVER;
    }

    /** @return absolute expiry time in ms, or {@link #NEVER} */
    public long expiry() {
        return expiry;
    }

    /** @return the duration given to the last start, ms */
    public long durationMs() {
        return durationMs;
    }

    /**
     * If the timer is running and its expiry is at or before {@code nowMs}, stops it, counts one more
     * expiration and returns true.
     */
    public boolean isExpired(long nowMs) {
        if (expiry != NEVER && expiry <= nowMs) {
            expiry = NEVER;
            expirations++;
            return true;
        }
        return false;
    }

    /** @return how many times the timer expired since the last {@link #resetExpirations()} */
    public int expirations() {
        return expirations;
    }

    /** Clears the expiration counter (on progress, e.g. an acknowledgement). */
    public void resetExpirations() {
        expirations = 0;
    }

    @Override
    public String toString() {
        return name + (isRunning() ? "(expires " + expiry + ")" : "(stopped)");
    }
}
