package org.jdatachannel.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.jdatachannel.PeerConnection;
import org.jdatachannel.dtls.DtlsCertificate;

/**
 * Certificates for peer connections configured without one, generated a few ahead on the shared
 * {@code jdatachannel-certgen} threads ({@link PeerConnection#generateCertificate}) so that the
 * key generation and self-signature (about 0.5 ms of CPU warm, a few ms while the JIT is cold)
 * are not paid inside {@code new PeerConnection(...)}.
 *
 * <p>W3C webrtc-pc §4.4.1 (constructor): when the configuration has no certificates, the user
 * agent generates one for the connection. Every certificate handed out here is still fresh and
 * used by one connection only (never shared, never handed out twice); it was merely generated
 * before the connection was constructed. At most {@link #SPARES} spares exist, ready or being
 * generated (two: both ends of a connection are often created together in one JVM); a connection
 * created while none is planned generates its own on the caller's thread. A spare that would
 * expire within {@link #MIN_REMAINING} is dropped.
 *
 * <p>When: spares are generated after a set-up, not during one. {@link #take()} does not start
 * new generations; the connection calls {@link #refill()} once its own set-up is over (10 ms
 * after SCTP up, when its channels' DCEP messages and open callbacks are done, or when it failed
 * or was closed). Generating at {@code take()} (as before) put two key generations and
 * signatures on the 2-core machine's CPUs exactly while the connection that took the spare was
 * signalling and shaking hands (issue 6: its signalling phase took ~2 ms longer than with a
 * shared certificate). If the spare {@code take()} finds is still being generated, it waits for
 * it up to {@link #WAIT_MS} (less work than generating another) and otherwise generates one
 * itself, leaving the pending spare for the next connection.
 *
 * <p>Thread-safe.
 */
final class SpareCertificate {
    /** Most certificates generated ahead (ready or being generated). */
    static final int SPARES = 2;
    /** A spare must be valid at least this much longer to be handed out. */
    static final Duration MIN_REMAINING = Duration.ofDays(1);
    /** Longest wait of {@link #take()} for a spare being generated, ms (a warm generation takes ~0.5 ms). */
    static final long WAIT_MS = 20;

    /** Spares planned (ready or being generated), oldest first; at most {@link #SPARES}. */
    private static final ConcurrentLinkedDeque<CompletableFuture<DtlsCertificate>> PLANNED =
            new ConcurrentLinkedDeque<>();
    /** Size of {@link #PLANNED} (the deque's size() is O(n) and not atomic with offers). */
    private static final AtomicInteger COUNT = new AtomicInteger();

    private SpareCertificate() {
    }

    /**
     * Blocks at most {@link #WAIT_MS} for a spare being generated, or for the generation of a new
     * certificate on this thread when no spare is planned.
     *
     * @return a new ECDSA P-256 certificate ({@link DtlsCertificate#generate()}'s kind and
     *         validity), never handed out before: the oldest planned spare, else one generated now
     *         on this thread
     */
    static DtlsCertificate take() {
        for (CompletableFuture<DtlsCertificate> f; (f = PLANNED.pollFirst()) != null; ) {
            COUNT.decrementAndGet();
            DtlsCertificate s;
            try {
                s = f.get(WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                putBack(f);
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                putBack(f);
                break;
            } catch (ExecutionException | CancellationException e) {
                continue; // generation failed or was refused (queue full): one spare fewer
            }
            if (!s.isExpired(Instant.now().plus(MIN_REMAINING))) {
                return s;
            }
        }
        return DtlsCertificate.generate();
    }

    /** A spare still being generated goes back to the head, for the next {@link #take()}. */
    private static void putBack(CompletableFuture<DtlsCertificate> f) {
        COUNT.incrementAndGet();
        PLANNED.offerFirst(f);
    }

    /**
     * Starts generating spares on the {@code jdatachannel-certgen} threads until {@link #SPARES}
     * are ready or being generated. Called by a connection whose set-up is over; never blocks, and
     * returns after one attempt when the certgen threads refuse work (their queue is full).
     */
    static void refill() {
        while (true) {
            int p = COUNT.get();
            if (p >= SPARES) {
                return;
            }
            if (COUNT.compareAndSet(p, p + 1)) {
                CompletableFuture<DtlsCertificate> f = PeerConnection.generateCertificate(
                        DtlsCertificate.KeyType.ECDSA_P256, DtlsCertificate.DEFAULT_VALIDITY);
                if (f.isCompletedExceptionally()) {
                    // Refused at once (the certgen queue is full): give the slot back and stop. Trying
                    // again here would spin on this thread (an event loop, or close()) for as long as
                    // the queue stays full; the next refill() tries again, and take() generates one
                    // on its caller's thread meanwhile.
                    COUNT.decrementAndGet();
                    return;
                }
                PLANNED.offerLast(f);
                // Queue full or generation failed: the slot is freed for the next refill (unless a
                // take() already removed it, which then skips it).
                f.whenComplete((c, e) -> {
                    if (e != null && PLANNED.remove(f)) {
                        COUNT.decrementAndGet();
                    }
                });
            }
        }
    }

    /** @return spares ready now (generated, not failed; for tests) */
    static int ready() {
        return readyFingerprints().size();
    }

    /** @return spares planned now, ready or being generated (for tests) */
    static int planned() {
        return COUNT.get();
    }

    /** @return the SHA-256 fingerprints of the spares ready now, oldest first (for tests) */
    static List<String> readyFingerprints() {
        return PLANNED.stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .map(f -> f.join().sha256Fingerprint())
                .toList();
    }
}
