package org.jdatachannel.cli;

/**
 * The re-offer limits of one HTTP trickle session of {@link PeerServer}: a token bucket
 * ({@code perSecond} sustained, bursts of {@code burst}) over all re-offers, and at most
 * {@code maxRestarts} ICE restarts (each gathers anew: new sockets and, with TURN, a relay
 * allocation made with the server's credentials).
 *
 * <p>Thread-safe (synchronized; signaling bookkeeping outside the protocol stack).
 */
final class ReofferLimit {

    private final double perSecond;
    private final int burst;
    private final int maxRestarts;
    private double tokens;
    private long refilledAt;
    private int restarts;

    /**
     * @param perSecond   sustained re-offers per second, &gt; 0
     * @param burst       re-offers allowed at once, &gt;= 1
     * @param maxRestarts ICE restarts allowed in all, &gt;= 0
     * @param nowNanos    the current {@link System#nanoTime()}
     * @throws IllegalArgumentException if a bound is out of range
     */
    ReofferLimit(double perSecond, int burst, int maxRestarts, long nowNanos) {
        if (!(perSecond > 0) || burst < 1 || maxRestarts < 0) {
            throw new IllegalArgumentException("need perSecond > 0, burst >= 1, maxRestarts >= 0; got "
                    + perSecond + ", " + burst + ", " + maxRestarts);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxRestarts = maxRestarts;
        this.tokens = burst;
        this.refilledAt = nowNanos;
    }

    /**
     * Admits one re-offer or says why not (a refused one costs nothing).
     *
     * @param restart  whether it restarts ICE (new ice-ufrag)
     * @param nowNanos the current {@link System#nanoTime()}
     * @return null if it may go on, else the reason
     */
    synchronized String admit(boolean restart, long nowNanos) {
        tokens = Math.min(burst, tokens + Math.max(0, nowNanos - refilledAt) * perSecond / 1e9);
        refilledAt = nowNanos;
        if (tokens < 1) {
            return "too many re-offers (at most " + burst + " at once, then " + perSecond + " per second)";
        }
        if (restart && restarts >= maxRestarts) {
            return "too many ICE restarts on this session (limit " + maxRestarts + ")";
        }
        tokens -= 1;
        if (restart) {
            restarts++;
        }
        return null;
    }
}
