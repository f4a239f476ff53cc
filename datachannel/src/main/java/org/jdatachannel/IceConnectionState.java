package org.jdatachannel;

/**
 * W3C {@code RTCIceConnectionState} (webrtc-pc §4.3.3) of the one ICE transport a data-channel
 * peer uses (after an ICE restart: of the transport DTLS currently runs over).
 */
public enum IceConnectionState {
    /** Gathering or waiting for both descriptions. */
    NEW,
    /** Connectivity checks are running; no usable pair yet. */
    CHECKING,
    /** A usable pair is selected. */
    CONNECTED,
    /** Checks are over; the selected pair is in use. */
    COMPLETED,
    /** Consent (RFC 7675) is not being confirmed; connectivity may come back. */
    DISCONNECTED,
    /** Checks failed, or consent expired. */
    FAILED,
    /** {@link PeerConnection#close()} was called. Final. */
    CLOSED;

    /** @return the W3C spelling, e.g. {@code "disconnected"} */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
