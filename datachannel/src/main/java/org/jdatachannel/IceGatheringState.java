package org.jdatachannel;

/** W3C {@code RTCIceGatheringState} (webrtc-pc §4.3.2). */
public enum IceGatheringState {
    /** Nothing gathered for a local description yet. */
    NEW,
    /** Candidates are being reported through {@link PeerConnection#onIceCandidate}. */
    GATHERING,
    /** Gathering has ended; the end-of-candidates event (candidate {@code ""}) was reported. */
    COMPLETE;

    /** @return the W3C spelling, e.g. {@code "gathering"} */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
