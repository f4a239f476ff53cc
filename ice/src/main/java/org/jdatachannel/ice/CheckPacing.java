package org.jdatachannel.ice;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pacing interval Ta of connectivity checks, shared by all {@link IceAgent}s of the JVM.
 *
 * <p>RFC 8445 §14.2: "the combination of all transactions from all agents (if a given
 * implementation runs several concurrent agents) MUST NOT be sent more often than once every 5 ms
 * (as though there were one global Ta value for pacing all agents)". ice4j paces each agent on
 * its own with a fixed Ta of 20 ms ({@code Agent.calculateTa()}, ice4j 3.2-15-g6da2b08), which
 * spends 20 ms between the first check of a pair and the nomination check that follows its
 * success (a triggered check waits for the pacer's next beat, RFC 8445 §6.1.4.2), and which
 * exceeds the global rate once more than four agents check at the same time.
 *
 * <p>Here each agent's Ta is {@value #GLOBAL_MIN_MS} ms times the number of agents of this JVM
 * that are running checks and have checks waiting to be sent (an agent whose checks are all out,
 * such as a controlled agent waiting for the nomination, sends nothing at its beats), so that together they send at most one new check every 5 ms, and at
 * most ice4j's 20 ms (never slower than before): 5 ms for a lone agent, 10 ms for two, 20 ms from
 * four on. What this does not cover: retransmissions (ice4j's STUN client transactions) and
 * consent checks are timed by ice4j and not counted, agents check at these rates only while
 * they are in ice4j's RUNNING state, and an agent's count is updated at its pacer's beats, so an
 * agent that gets a new check to send (a triggered check, the nomination) may send it one beat
 * before the others have slowed down for it.
 *
 * <p>RFC 8445 §14.2 also says "ICE agents SHOULD use a default Ta value, 50 ms" and that a
 * different value is to be announced to the peer; ice4j already used 20 ms without announcing
 * it, and this keeps that choice for busy JVMs while a JVM that sets up few connections at once
 * gets its checks out sooner. See docs/ICE4J.md.
 *
 * <p>Thread-safe.
 */
final class CheckPacing {
    /** RFC 8445 §14.2's floor for the JVM-wide interval between new checks, ms. */
    static final long GLOBAL_MIN_MS = 5;
    /** ice4j's own fixed Ta, ms: the upper bound (what every agent used before). */
    static final long MAX_TA_MS = 20;

    private static final AtomicInteger CHECKING = new AtomicInteger();

    private CheckPacing() {
    }

    /**
     * @param checkingAgents agents of the JVM running checks (values below 1 count as 1)
     * @return the Ta for each of them, ms: {@code min(20, 5 × checkingAgents)}
     */
    static long ta(int checkingAgents) {
        return Math.min(MAX_TA_MS, GLOBAL_MIN_MS * Math.max(1, checkingAgents));
    }

    /** @return the Ta for an agent of this JVM now, ms */
    static long ta() {
        return ta(CHECKING.get());
    }

    /** @return agents of this JVM currently counted as running checks */
    static int checkingAgents() {
        return CHECKING.get();
    }

    /**
     * One agent's place in the count: counted while it is running checks ({@link #start} until
     * {@link #stop}) AND has checks waiting to be sent ({@link #waiting}), at most once.
     */
    static final class Slot {
        private boolean started;
        private boolean ended;
        private boolean waiting = true;
        private boolean counted;

        /** The agent started running checks; no effect after {@link #stop()} or a second call. */
        synchronized void start() {
            if (!ended) {
                started = true;
                update();
            }
        }

        /**
         * Whether the agent has checks waiting to be sent (pairs Waiting or Frozen, or a
         * triggered check queued), as seen at its pacer's last beat. An agent whose checks are
         * all sent (in progress or done), e.g. a controlled agent waiting for the nomination, sends
         * no new check at its beats and so does not slow the others down.
         */
        synchronized void waiting(boolean w) {
            waiting = w;
            update();
        }

        /** The agent stopped running checks (completed, failed or closed); idempotent and final. */
        synchronized void stop() {
            ended = true;
            update();
        }

        private void update() {
            boolean c = started && !ended && waiting;
            if (c != counted) {
                counted = c;
                if (c) {
                    CHECKING.incrementAndGet();
                } else {
                    CHECKING.decrementAndGet();
                }
            }
        }
    }
}
