package org.jdatachannel.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.jdatachannel.PeerConnection;
import org.jdatachannel.dtls.DtlsCertificate;

/**
 * Certificates for peer connections configured without one, generated a few ahead on the shared
 * {@code jdatachannel-certgen} threads ({@link PeerConnection#generateCertificate}) so that the
 * key generation and self-signature (about 2 ms of CPU with the JDK's EC code, more on a busy
 * machine) are not paid inside {@code new PeerConnection(...)}.
 *
 * <p>W3C webrtc-pc §4.4.1 (constructor): when the configuration has no certificates, the user
 * agent generates one for the connection. Every certificate handed out here is still fresh and
 * used by one connection only (never shared, never handed out twice); it was merely generated
 * before the connection was constructed. At most {@link #SPARES} spares exist (two: both ends of
 * a connection are often created together in one JVM); the first connections of the JVM, and any
 * created while no spare is ready, generate their own on the caller's thread as before. A spare
 * that would expire within {@link #MIN_REMAINING} is dropped.
 *
 * <p>Thread-safe.
 */
final class SpareCertificate {
    /** Most certificates generated ahead (ready or being generated). */
    static final int SPARES = 2;
    /** A spare must be valid at least this much longer to be handed out. */
    static final Duration MIN_REMAINING = Duration.ofDays(1);

    private static final ConcurrentLinkedQueue<DtlsCertificate> READY = new ConcurrentLinkedQueue<>();
    /** Spares ready plus spares being generated; at most {@link #SPARES}. */
    private static final AtomicInteger PLANNED = new AtomicInteger();

    private SpareCertificate() {
    }

    /**
     * @return a new ECDSA P-256 certificate ({@link DtlsCertificate#generate()}'s kind and
     *         validity): a ready spare if there is one, else one generated now on this thread;
     *         starts generating spares in the background up to {@link #SPARES}
     */
    static DtlsCertificate take() {
        DtlsCertificate c = null;
        for (DtlsCertificate s; c == null && (s = READY.poll()) != null; ) {
            PLANNED.decrementAndGet();
            if (!s.isExpired(Instant.now().plus(MIN_REMAINING))) {
                c = s;
            }
        }
        refill();
        return c != null ? c : DtlsCertificate.generate();
    }

    /** @return spares ready now (for tests) */
    static int ready() {
        return READY.size();
    }

    /** @return the SHA-256 fingerprints of the spares ready now, oldest first (for tests) */
    static java.util.List<String> readyFingerprints() {
        return READY.stream().map(DtlsCertificate::sha256Fingerprint).toList();
    }

    /** Starts generating spares until {@link #SPARES} are ready or being generated. */
    private static void refill() {
        while (true) {
            int p = PLANNED.get();
            if (p >= SPARES) {
                return;
            }
            if (PLANNED.compareAndSet(p, p + 1)) {
                PeerConnection.generateCertificate(DtlsCertificate.KeyType.ECDSA_P256, DtlsCertificate.DEFAULT_VALIDITY)
                        .whenComplete((cert, e) -> {
                            if (e != null) {
                                // Queue full or generation failed: one spare fewer; take() retries.
                                PLANNED.decrementAndGet();
                            } else {
                                READY.add(cert);
                            }
                        });
            }
        }
    }
}
