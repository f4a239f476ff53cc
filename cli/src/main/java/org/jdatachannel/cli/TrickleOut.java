package org.jdatachannel.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jdatachannel.IceCandidateInit;

/**
 * The server's trickled ICE candidates for one peer of the HTTP trickle endpoints of
 * {@link PeerServer}, kept until the client fetches them by index (long polling). Candidates are
 * appended by the peer connection's {@code onIceCandidate} (the end-of-candidates indication is a
 * candidate {@code ""}, RFC 8838 §4.4) and read from HTTP worker threads.
 *
 * <p>Indexes are absolute over the session. Only the current ICE generation is kept: when a
 * candidate of a new generation (another {@code usernameFragment}, after an ICE restart) arrives,
 * those of the previous generations are dropped (RFC 8445 §9: an ICE restart starts over with new
 * candidates; the old ones are of no use to the client any more) and reading from an index before
 * them starts at the first kept one.
 *
 * <p>Bounded: at most {@value #MAX_CANDIDATES} candidates per generation; later ones are dropped
 * (and counted). Thread-safe (one monitor; waits are bounded by the caller's timeout).
 */
final class TrickleOut {

    /** Most candidates kept for one ICE generation of one peer (a data-only session has a handful). */
    static final int MAX_CANDIDATES = 64;

    /** Candidates from index {@code next - candidates.size()} on, and the index after the last. */
    record Batch(List<IceCandidateInit> candidates, int next) {
    }

    private final List<IceCandidateInit> candidates = new ArrayList<>();
    /** Absolute index of candidates.get(0). */
    private int base;
    /** The usernameFragment of the kept generation, null until one is known. */
    private String generation;
    private int dropped;

    /** Appends a candidate (or the end-of-candidates {@code ""}) and wakes waiting readers. */
    synchronized void add(IceCandidateInit c) {
        String ufrag = c.usernameFragment();
        if (ufrag != null && generation != null && !Objects.equals(ufrag, generation)) {
            base += candidates.size();
            candidates.clear();
        }
        if (ufrag != null) {
            generation = ufrag;
        }
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
     * @param from   absolute index of the first candidate wanted, 0 or more (before the kept
     *               generation: from its first candidate; beyond the end: nothing after the wait)
     * @param waitMs the longest wait in milliseconds, 0 or more
     * @return a copy of the candidates found, possibly none, and the index to ask for next
     * @throws IllegalArgumentException if {@code from} or {@code waitMs} is negative
     * @throws InterruptedException     if interrupted while waiting
     */
    synchronized Batch since(int from, long waitMs) throws InterruptedException {
        if (from < 0 || waitMs < 0) {
            throw new IllegalArgumentException("from and waitMs must be >= 0, got " + from + ", " + waitMs);
        }
        long end = System.nanoTime() + waitMs * 1_000_000L;
        while (base + candidates.size() <= from) {
            long left = (end - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return new Batch(List.of(), from);
            }
            wait(left);
        }
        int start = Math.max(from, base) - base;
        return new Batch(List.copyOf(candidates.subList(start, candidates.size())), base + candidates.size());
    }
}
