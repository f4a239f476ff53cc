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
 * </ul>
 * Everything else is configured per agent, not globally: no host harvester of ice4j runs
 * ({@code Agent.setUseDynamicPorts(false)} and our own host harvester binds exactly the allowed
 * addresses), the per-component merging socket is off ({@code createComponent(..., false)}),
 * consent freshness is set per agent. The STUN mapping harvester list
 * ({@code ice4j.harvest.mapping.stun.addresses}) is empty by default and is not touched.
 *
 * <p>ice4j itself sets the system property {@code org.ice4j.ALWAYS_SIGN=true} in every
 * {@code Agent} constructor (FINGERPRINT on all STUN messages).
 */
final class Ice4jGlobals {
    private static final Logger LOG = LoggerFactory.getLogger(Ice4jGlobals.class);

    /** The properties set, in order. */
    static final Map<String, String> PROPERTIES;

    static {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ice4j.harvest.mapping.aws.enabled", "false");
        p.put("ice4j.harvest.mapping.aws.force", "false");
        p.put("org.ice4j.ice.harvest.DISABLE_AWS_HARVESTER", "true");
        PROPERTIES = java.util.Collections.unmodifiableMap(p);
    }

    private static boolean applied;

    private Ice4jGlobals() {
    }

    /** Sets the properties once; call before touching any ice4j class. Thread-safe. */
    static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        for (Map.Entry<String, String> e : PROPERTIES.entrySet()) {
            String old = System.getProperty(e.getKey());
            if (old == null) {
                System.setProperty(e.getKey(), e.getValue());
            } else if (!old.equals(e.getValue())) {
                LOG.warn("System property {}={} already set by the application; jdatachannel would set {}",
                        e.getKey(), old, e.getValue());
            }
        }
    }
}
