package org.jdatachannel;

/**
 * W3C {@code RTCSignalingState} (webrtc-pc §4.3.1), without the provisional-answer states (pranswer
 * is not supported).
 *
 * <pre>
 *   STABLE ──setLocalDescription(offer)──▶ HAVE_LOCAL_OFFER ──setRemoteDescription(answer)──▶ STABLE
 *   STABLE ──setRemoteDescription(offer)─▶ HAVE_REMOTE_OFFER ──setLocalDescription(answer)──▶ STABLE
 *   any ──close()──▶ CLOSED
 * </pre>
 */
public enum SignalingState {
    /** No offer/answer exchange in progress (also before the first one). */
    STABLE,
    /** Our offer is applied; waiting for the remote answer. */
    HAVE_LOCAL_OFFER,
    /** The remote offer is applied; our answer is due. */
    HAVE_REMOTE_OFFER,
    /** {@link PeerConnection#close()} was called. Final. */
    CLOSED;

    /** @return the W3C spelling, e.g. {@code "have-local-offer"} */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
