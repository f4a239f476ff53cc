package org.jdatachannel.ice;

/**
 * Measures how long ago consent on the selected pair was last confirmed (RFC 7675 §5.1), on the
 * monotonic clock. ice4j stamps a pair with the wall-clock time of each answered consent check
 * ({@code CandidatePair.getConsentFreshness()}); a wall-clock step (NTP, the user changing the
 * time) would make that stamp look ancient or in the future. So the stamp is used only as a
 * change signal: each {@link #observe} notes when the stamp (or the selected pair) changed and
 * ages from that monotonic instant. The error is at most one observation period.
 *
 * <p>Not thread-safe: used by one agent's consent watch task only.
 */
final class ConsentAge {
    private Object pair;
    private long stamp;
    private long confirmedAtNanos;

    /**
     * @param startNanos monotonic time (as {@link System#nanoTime()}) when ICE connected: the
     *                   checks that connected it granted consent (RFC 7675 §5.1)
     */
    ConsentAge(long startNanos) {
        this.confirmedAtNanos = startNanos;
    }

    /**
     * @param selectedPair the selected pair now (identity compared)
     * @param freshness    its consent stamp now (any clock; only changes matter)
     * @param nowNanos     the monotonic time now
     * @return milliseconds since consent was last seen confirmed, at least 0
     */
    long observe(Object selectedPair, long freshness, long nowNanos) {
        if (selectedPair != pair) {
            // A newly selected pair: its nomination was an answered check (RFC 7675 §5.1: the
            // ICE checks grant initial consent), so count from now.
            pair = selectedPair;
            stamp = freshness;
            confirmedAtNanos = nowNanos;
        } else if (freshness != stamp) {
            stamp = freshness;
            confirmedAtNanos = nowNanos;
        }
        return Math.max(0, (nowNanos - confirmedAtNanos) / 1_000_000);
    }
}
