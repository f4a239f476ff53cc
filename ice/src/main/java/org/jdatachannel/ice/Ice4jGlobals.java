package org.jdatachannel.ice;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM-global ice4j settings this library sets, once, before the first ice4j class loads.
 *
 * <p>ice4j 3.2 reads its configuration through jitsi-metaconfig from Typesafe Config
 * ({@code ConfigFactory.defaultReference()}), in which JVM system properties override the
 * {@code reference.conf} bundled in the ice4j jar. A value the application already set as a
 * system property is left alone (logged). Settings:
 * <ul>
 *   <li>{@code ice4j.harvest.mapping.aws.enabled=false} and the legacy
 *       {@code org.ice4j.ice.harvest.DISABLE_AWS_HARVESTER=true}: otherwise the first
 *       {@code Agent} probes {@code http://169.254.169.254/} (EC2 metadata) over HTTP.</li>
 *   <li>{@code ice4j.harvest.mapping.aws.force=false}.</li>
 *   <li>Consent freshness (RFC 7675 §5.1) timers. ice4j's defaults (a check every 15 s, each
 *       retransmitted every 500 ms and given up after about 15 s) are not the RFC's, and ice4j
 *       fails the selected pair when a single check goes unanswered. RFC 7675 §5.1:
 *       "Implementations SHOULD set a default interval of 5 seconds" (randomized between 0.8 and
 *       1.2 times, ice4j's default) and "Consent expires after 30 seconds". Set:
 *       {@code ice4j.consent-freshness.interval=5 seconds},
 *       {@code original-wait-interval} and {@code max-wait-interval} {@code 500 milliseconds},
 *       {@code max-retransmissions=50}. ice4j's retransmission timer starts at its global 100 ms
 *       first wait whatever {@code original-wait-interval} says, so a check gives up after
 *       100 + 200 + 400 + 48 × 500 ms = 24.7 s (ice4j then marks the pair Failed but keeps
 *       sending consent checks on it). The verdict itself is per agent, not ice4j's: each
 *       {@link IceAgent} watches the age of the last answered consent check against
 *       {@link IceConfig#disconnectedTimeoutMs()} and {@link IceConfig#consentTimeoutMs()}; only
 *       the check interval is JVM-wide.
 *       Each key is left alone when the application set it or its legacy ice4j name
 *       ({@link #LEGACY_NAMES}).</li>
 *   <li>{@code org.ice4j.MAX_RETRANSMISSIONS=6} and {@code org.ice4j.MAX_CTRAN_RETRANS_TIMER=1600}
 *       (ms): ice4j's own defaults for every STUN client transaction that does not pass its own
 *       timing, which includes ordinary ICE connectivity checks (a check gives up after
 *       100 + 200 + 400 + 800 + 1600 × 3 ms = 6.3 s). Set explicitly because the constructor of
 *       ice4j's {@code StunCandidateHarvester} (used for STUN/TURN gathering) sets them to 3 and
 *       400 ms when unset, which would silently shorten every later connectivity check in the
 *       JVM to 1.1 s. Gathering is bounded per agent instead
 *       ({@link IceConfig#gatheringTimeoutMs()}).</li>
 * </ul>
 * Everything else is configured per agent, not globally: no host harvester of ice4j runs
 * ({@code Agent.setUseDynamicPorts(false)} and our own host harvester binds exactly the allowed
 * addresses), the per-component merging socket is off ({@code createComponent(..., false)}),
 * consent freshness is set per agent. The STUN mapping harvester list
 * ({@code ice4j.harvest.mapping.stun.addresses}) is empty by default and is not touched.
 *
 * <p>ice4j itself sets the system property {@code org.ice4j.ALWAYS_SIGN=true} in every
 * {@code Agent} constructor (FINGERPRINT on all STUN messages).
 *
 * <p>The full list of JVM-wide effects (these properties, ice4j's static thread pools, the
 * threads STUN/TURN gathering adds, the JUL bridge of {@link IceLogging}) is in
 * {@code docs/ICE4J.md}; keep both in sync.
 */
final class Ice4jGlobals {
    private static final Logger LOG = LoggerFactory.getLogger(Ice4jGlobals.class);

    static final String CONSENT_INTERVAL = "ice4j.consent-freshness.interval";
    static final String CONSENT_ORIGINAL_WAIT = "ice4j.consent-freshness.original-wait-interval";
    static final String CONSENT_MAX_WAIT = "ice4j.consent-freshness.max-wait-interval";
    static final String CONSENT_MAX_RETRANSMISSIONS = "ice4j.consent-freshness.max-retransmissions";

    static final String CTRAN_RETRANSMISSIONS = "org.ice4j.MAX_RETRANSMISSIONS"; // StackProperties.MAX_CTRAN_RETRANSMISSIONS
    static final String CTRAN_MAX_WAIT = "org.ice4j.MAX_CTRAN_RETRANS_TIMER";

    /** The properties set, in order. */
    static final Map<String, String> PROPERTIES;

    static {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ice4j.harvest.mapping.aws.enabled", "false");
        p.put("ice4j.harvest.mapping.aws.force", "false");
        p.put("org.ice4j.ice.harvest.DISABLE_AWS_HARVESTER", "true");
        // RFC 7675 §5.1, see the class description.
        p.put(CONSENT_INTERVAL, "5 seconds");
        p.put(CONSENT_ORIGINAL_WAIT, "500 milliseconds");
        p.put(CONSENT_MAX_WAIT, "500 milliseconds");
        p.put(CONSENT_MAX_RETRANSMISSIONS, "50");
        // See the class description: keep ice4j's STUN transaction defaults JVM-wide.
        p.put(CTRAN_RETRANSMISSIONS, "6");
        p.put(CTRAN_MAX_WAIT, "1600");
        PROPERTIES = java.util.Collections.unmodifiableMap(p);
        LEGACY_NAMES = Map.of(
                CONSENT_INTERVAL, "org.ice4j.ice.CONSENT_FRESHNESS_INTERVAL",
                CONSENT_ORIGINAL_WAIT, "org.ice4j.ice.CONSENT_FRESHNESS_WAIT_INTERVAL",
                CONSENT_MAX_WAIT, "org.ice4j.ice.CONSENT_FRESHNESS_MAX_WAIT_INTERVAL",
                CONSENT_MAX_RETRANSMISSIONS, "org.ice4j.ice.CONSENT_FRESHNESS_MAX_RETRANSMISSIONS");
    }

    /**
     * ice4j's older property names (read before the new ones) for keys in {@link #PROPERTIES}:
     * when the application set the old name, the new one is not set.
     */
    static final Map<String, String> LEGACY_NAMES;

    private static boolean applied;

    private Ice4jGlobals() {
    }

    /** Sets the properties once; call before touching any ice4j class. Thread-safe. */
    static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        applyTo(System.getProperties());
    }

    /**
     * Sets every key of {@link #PROPERTIES} in {@code target} unless it, or its legacy name, is
     * already set there (then it is logged and left alone). Separate from {@link #apply()} for
     * tests.
     *
     * @param target the properties to update (the JVM's system properties in production)
     */
    static void applyTo(java.util.Properties target) {
        for (Map.Entry<String, String> e : PROPERTIES.entrySet()) {
            String old = target.getProperty(e.getKey());
            String legacy = LEGACY_NAMES.get(e.getKey());
            String legacyValue = legacy == null ? null : target.getProperty(legacy);
            if (old == null && legacyValue == null) {
                target.setProperty(e.getKey(), e.getValue());
            } else if (old == null) {
                LOG.info("System property {}={} already set by the application; {} not set", legacy, legacyValue,
                        e.getKey());
            } else if (!old.equals(e.getValue())) {
                LOG.info("System property {}={} already set by the application; jdatachannel would set {}",
                        e.getKey(), old, e.getValue());
            }
        }
    }
}
