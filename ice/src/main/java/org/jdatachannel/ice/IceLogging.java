package org.jdatachannel.ice;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes ice4j's java.util.logging output to SLF4J.
 *
 * <p>{@link #install()} removes the JUL root handlers, installs {@link SLF4JBridgeHandler}, and
 * sets the JUL level of the very chatty {@code org.ice4j} and {@code org.jitsi} loggers to
 * {@code WARNING} unless the application already gave them a level (ice4j logs every candidate
 * and pair at INFO). To see ice4j's detail, set e.g.
 * {@code java.util.logging.Logger.getLogger("org.ice4j").setLevel(Level.FINE)} after installing.
 *
 * <p>Thread-safe and idempotent.
 */
public final class IceLogging {
    private static boolean installed;
    /** JUL holds loggers weakly; keep the ones we configured so their level sticks. */
    private static final List<Logger> CONFIGURED = new ArrayList<>();

    private IceLogging() {
    }

    /** Installs the JUL→SLF4J bridge once; later calls do nothing. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        for (String name : new String[] {"org.ice4j", "org.jitsi"}) {
            Logger logger = Logger.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARNING);
            }
            CONFIGURED.add(logger);
        }
    }

    /** @return whether {@link #install()} has run */
    public static synchronized boolean isInstalled() {
        return installed;
    }
}
