package org.jdatachannel.sctp;

/**
 * Association states of RFC 9260 §4 (Figure 3). {@link #CLOSED} is both the state before
 * {@code connect} (an INIT from the peer is still accepted) and the final state after
 * {@link SctpOutput.Closed} was emitted.
 */
public enum AssociationState {
    /** No association (yet, or any more). */
    CLOSED,
    /** INIT sent, waiting for INIT ACK. */
    COOKIE_WAIT,
    /** COOKIE ECHO sent, waiting for COOKIE ACK. */
    COOKIE_ECHOED,
    /** Data may flow. */
    ESTABLISHED,
    /** {@code shutdown} called; draining outstanding data before sending SHUTDOWN. */
    SHUTDOWN_PENDING,
    /** SHUTDOWN sent, waiting for SHUTDOWN ACK. */
    SHUTDOWN_SENT,
    /** SHUTDOWN received; draining our outstanding data before sending SHUTDOWN ACK. */
    SHUTDOWN_RECEIVED,
    /** SHUTDOWN ACK sent, waiting for SHUTDOWN COMPLETE. */
    SHUTDOWN_ACK_SENT
}
