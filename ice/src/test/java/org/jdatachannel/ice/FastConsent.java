package org.jdatachannel.ice;

import java.util.Map;

/**
 * Shortened RFC 7675 consent timing for tests (shared with other modules through ice's test-jar):
 * a consent check every 300 ms (not randomized), retransmitted 3 times 100 ms apart, and
 * per-agent timeouts that {@link ConsentTiming} accepts for it. ice4j reads these JVM-wide
 * properties once (jitsi-metaconfig caches them), so a test class using them must run in its own
 * JVM (surefire {@code reuseForks=false}) and call {@link #set()} before the first ice4j class loads.
 */
public final class FastConsent {
    /** The ice4j properties. */
    public static final Map<String, String> PROPERTIES = Map.of(
            "ice4j.consent-freshness.interval", "300 milliseconds",
            "ice4j.consent-freshness.original-wait-interval", "100 milliseconds",
            "ice4j.consent-freshness.max-wait-interval", "100 milliseconds",
            "ice4j.consent-freshness.max-retransmissions", "3",
            "ice4j.consent-freshness.randomize-interval", "false");

    /** A disconnectedTimeoutMs valid under {@link #PROPERTIES} (minimum 1000 ms). */
    public static final int DISCONNECTED_TIMEOUT_MS = 1500;
    /** A consentTimeoutMs valid under {@link #PROPERTIES}. */
    public static final int CONSENT_TIMEOUT_MS = 4000;

    private FastConsent() {
    }

    /** Sets {@link #PROPERTIES} as system properties. */
    public static void set() {
        PROPERTIES.forEach(System::setProperty);
    }

    /** Clears {@link #PROPERTIES}. */
    public static void clear() {
        PROPERTIES.keySet().forEach(System::clearProperty);
    }
}
