package org.jdatachannel.ice;

/**
 * The state of an {@link IceAgent}, modelled on the W3C {@code RTCIceTransportState} values.
 *
 * <pre>
 *   NEW ──start()──▶ CHECKING ──pair selected──▶ CONNECTED ──checks over──▶ COMPLETED
 *                       │                          │    ▲                      │
 *                       │                 no consent│    │consent answered     │
 *                       │                 answer for▼    │again                │
 *                       │                        DISCONNECTED ◀────────────────┘
 *                       │                             │ no answer for consentTimeoutMs
 *                       └──────────▶ FAILED ◀─────────┘
 *   any state ──close()──▶ CLOSED
 * </pre>
 *
 * <p>Mapping from ice4j's {@code IceProcessingState}: {@code WAITING} is {@link #NEW},
 * {@code RUNNING} is {@link #CHECKING}, {@code COMPLETED} (every component has a selected pair)
 * is {@link #CONNECTED}, {@code TERMINATED} (ice4j stopped checking, 3 s after completion) is
 * {@link #COMPLETED}, {@code FAILED} is {@link #FAILED}. Consent (RFC 7675 §5.1) is judged per
 * agent from the age of the last answered consent check on the selected pair:
 * {@link #DISCONNECTED} after {@link IceConfig#disconnectedTimeoutMs()}, back to
 * {@link #CONNECTED} (then {@link #COMPLETED} if ice4j's checks are over) when a check is
 * answered again, {@link #FAILED} after {@link IceConfig#consentTimeoutMs()}.
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
    /** No consent check answered for {@link IceConfig#disconnectedTimeoutMs()}; may recover. Sending still works. */
    DISCONNECTED,
    /** Checks failed, or consent to send expired (RFC 7675). Terminal until {@link #CLOSED}. */
    FAILED,
    /** {@link IceAgent#close()} was called. Terminal. */
    CLOSED
}
