package org.jdatachannel.cli;

import java.util.ArrayList;
import java.util.List;

import org.jdatachannel.IceCandidateInit;

/**
 * The server's trickled ICE candidates for one peer of the HTTP trickle endpoints of
 * {@link PeerServer}, kept until the client fetches them by index (long polling). Candidates are
 * appended by the peer connection's {@code onIceCandidate} (the end-of-candidates indication is a
 * candidate {@code ""}, RFC 8838 §4.4) and read from HTTP worker threads.
 *
 * <p>Bounded: at most {@value #MAX_CANDIDATES} candidates; later ones are dropped (and counted).
 * Thread-safe (one monitor; waits are bounded by the caller's timeout).
 */
final class TrickleOut {

    /** Most candidates kept for one peer (a data-only session has a handful). */
    static final int MAX_CANDIDATES = 64;

    private final List<IceCandidateInit> candidates = new ArrayList<>();
    private int dropped;

    /** Appends a candidate (or the end-of-candidates {@code ""}) and wakes waiting readers. */
    synchronized void add(IceCandidateInit c) {
        if (candidates.size() >= MAX_CANDIDATES) {
            dropped++;
            return;
        }
        candidates.add(c);
        notifyAll();
    }

    /** @return how many candidates were dropped at the bound */
    synchronized int dropped() {
        return dropped;
    }

    /**
     * Returns the candidates from index {@code from} on, waiting up to {@code waitMs} for one when
     * there is none yet.
     *
     * @param from   index of the first candidate wanted, 0 or more (beyond the end: an empty list
     *               after the wait)
     * @param waitMs the longest wait in milliseconds, 0 or more
     * @return a copy of the candidates at {@code from}, {@code from + 1}, ...; possibly empty
     * @throws IllegalArgumentException if {@code from} or {@code waitMs} is negative
     * @throws InterruptedException     if interrupted while waiting
     */
    synchronized List<IceCandidateInit> since(int from, long waitMs) throws InterruptedException {
        if (from < 0 || waitMs < 0) {
            throw new IllegalArgumentException("from and waitMs must be >= 0, got " + from + ", " + waitMs);
        }
        long end = System.nanoTime() + waitMs * 1_000_000L;
        while (candidates.size() <= from) {
            long left = (end - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return List.of();
            }
            wait(left);
        }
        return List.copyOf(candidates.subList(from, candidates.size()));
    }
}
