package org.jdatachannel.ice;

/**
 * The state of an {@link IceAgent}, modelled on the W3C {@code RTCIceTransportState} values.
 *
 * <pre>
 *   NEW ──start()──▶ CHECKING ──pair selected──▶ CONNECTED ──checks over──▶ COMPLETED
 *                       │                             │                         │
 *                       └──────────▶ FAILED ◀─────────┴──── consent lost ───────┘
 *   any state ──close()──▶ CLOSED
 * </pre>
 *
 * <p>Mapping from ice4j's {@code IceProcessingState}: {@code WAITING} is {@link #NEW},
 * {@code RUNNING} is {@link #CHECKING}, {@code COMPLETED} (every component has a selected pair)
 * is {@link #CONNECTED}, {@code TERMINATED} (ice4j stopped checking, 3 s after completion) is
 * {@link #COMPLETED}, {@code FAILED} is {@link #FAILED}. Consent loss on the selected pair
 * (RFC 7675 §5.1) is reported as {@link #FAILED}. {@link #DISCONNECTED} is reserved; the current
 * implementation does not emit it.
 */
public enum IceState {
    /** Gathering or waiting for {@link IceAgent#start()}. */
    NEW,
    /** Connectivity checks are running and no pair is selected yet. */
    CHECKING,
    /** A candidate pair is selected; {@link IceAgent#transport()} can send. */
    CONNECTED,
    /** Checks are over; the selected pair is still usable. */
    COMPLETED,
    /** Reserved for a temporary loss of connectivity; not emitted yet. */
    DISCONNECTED,
    /** Checks failed, or consent to send expired (RFC 7675). Terminal until {@link #CLOSED}. */
    FAILED,
    /** {@link IceAgent#close()} was called. Terminal. */
    CLOSED
}
