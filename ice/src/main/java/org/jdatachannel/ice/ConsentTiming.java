package org.jdatachannel.ice;

import org.ice4j.ice.AgentConfig;

/**
 * The consent-check timing ice4j uses in this JVM (RFC 7675 §5.1), as ice4j itself reads it
 * ({@link AgentConfig#config}, after {@link Ice4jGlobals#apply()}), and the shortest
 * per-agent verdict timeouts it allows.
 *
 * <p>Why: the check interval is JVM-wide while {@link IceConfig#disconnectedTimeoutMs()} and
 * {@link IceConfig#consentTimeoutMs()} are per agent. A timeout shorter than the gap between two
 * checks would report a healthy path {@link IceState#DISCONNECTED} (or {@link IceState#FAILED})
 * between two answered checks.
 *
 * @param intervalMs     ice4j's consent check interval, ms
 * @param randomized     whether ice4j randomizes it (RFC 7675 §5.1: "randomized ... between 0.8
 *                       and 1.2 of the nominal value")
 * @param originalWaitMs wait before the first retransmission of a check, ms
 */
record ConsentTiming(long intervalMs, boolean randomized, long originalWaitMs) {
    /** Allowance for scheduling jitter and the watch's own tick, ms. */
    static final long MARGIN_MS = 500;

    /** @return the timing in effect for agents created now */
    static ConsentTiming effective() {
        Ice4jGlobals.apply();
        AgentConfig c = AgentConfig.config;
        return new ConsentTiming(c.getConsentFreshnessInterval().toMillis(), c.getRandomizeConsentFreshnessInterval(),
                c.getConsentFreshnessOriginalWaitInterval().toMillis());
    }

    /** @return the longest gap between two consent checks, ms (1.2 times the interval when randomized) */
    long maxCheckGapMs() {
        return randomized ? (intervalMs * 6 + 4) / 5 : intervalMs;
    }

    /**
     * @return the shortest allowed {@link IceConfig#disconnectedTimeoutMs()}: the longest gap
     *         between checks, plus two first-retransmission waits (one lost request or answer is
     *         repaired by a retransmission, not reported), plus {@link #MARGIN_MS}
     */
    long minDisconnectedTimeoutMs() {
        return maxCheckGapMs() + 2 * originalWaitMs + MARGIN_MS;
    }

    /**
     * Checks a configuration's consent timeouts against this timing (nothing to check when
     * consent freshness is off).
     *
     * @param config the configuration
     * @throws IllegalArgumentException if {@code disconnectedTimeoutMs} is below
     *                                  {@link #minDisconnectedTimeoutMs()} or
     *                                  {@code consentTimeoutMs} is not above it
     */
    void check(IceConfig config) {
        if (!config.consentFreshness()) {
            return;
        }
        long min = minDisconnectedTimeoutMs();
        String why = "ice4j sends a consent check every " + intervalMs + " ms" + (randomized ? " (randomized up to "
                + maxCheckGapMs() + " ms)" : "") + ", a JVM-wide setting (see Ice4jGlobals); with first "
                + "retransmission " + originalWaitMs + " ms (twice) and " + MARGIN_MS + " ms margin";
        if (config.disconnectedTimeoutMs() < min) {
            throw new IllegalArgumentException("disconnectedTimeoutMs must be at least " + min + " ms, was "
                    + config.disconnectedTimeoutMs() + ": " + why + " a shorter timeout reports a healthy path "
                    + "disconnected between two answered checks");
        }
        if (config.consentTimeoutMs() <= config.disconnectedTimeoutMs()) {
            throw new IllegalArgumentException("consentTimeoutMs (" + config.consentTimeoutMs()
                    + ") must exceed disconnectedTimeoutMs (" + config.disconnectedTimeoutMs() + "), and so be at least "
                    + (min + 1) + " ms: " + why);
        }
    }
}
