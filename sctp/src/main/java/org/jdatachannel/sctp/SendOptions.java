package org.jdatachannel.sctp;

/**
 * Per-message send options (RFC 8831 §6.1 channel types map onto these).
 *
 * @param unordered true to send with the U bit (RFC 9260 §6.6): delivered as soon as complete
 * @param maxRetransmits partial reliability (RFC 3758): the message is abandoned after this many
 *     retransmissions of any of its fragments; -1 means unlimited, otherwise 0..Integer.MAX_VALUE
 * @param lifetimeMs partial reliability (RFC 3758 "timed reliability"): the message is abandoned
 *     when not fully acknowledged this many milliseconds after {@code send}; -1 means unlimited,
 *     otherwise &gt;= 0
 */
public record SendOptions(boolean unordered, int maxRetransmits, long lifetimeMs) {
    /** Ordered and fully reliable. */
    public static final SendOptions RELIABLE_ORDERED = new SendOptions(false, -1, -1);
    /** Unordered and fully reliable. */
    public static final SendOptions RELIABLE_UNORDERED = new SendOptions(true, -1, -1);

    /**
     * @throws IllegalArgumentException if {@code maxRetransmits < -1} or {@code lifetimeMs < -1}
     */
    public SendOptions {
        if (maxRetransmits < -1) {
            throw new IllegalArgumentException("maxRetransmits " + maxRetransmits + " must be -1 or >= 0");
        }
        if (lifetimeMs < -1) {
            throw new IllegalArgumentException("lifetimeMs " + lifetimeMs + " must be -1 or >= 0");
        }
    }

    /** @return true if either partial reliability limit is set */
    public boolean partiallyReliable() {
        return maxRetransmits >= 0 || lifetimeMs >= 0;
    }
}
