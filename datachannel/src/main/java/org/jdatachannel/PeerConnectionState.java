package org.jdatachannel;

/** W3C {@code RTCPeerConnectionState}, reduced to the transports a data-channel-only peer uses. */
public enum PeerConnectionState {
    /** No connectivity checks yet. */
    NEW,
    /** ICE checks or the DTLS handshake are in progress. */
    CONNECTING,
    /** ICE found a path and DTLS is up. */
    CONNECTED,
    /** ICE lost connectivity (it may come back). */
    DISCONNECTED,
    /** ICE, DTLS or SCTP failed, or the peer aborted the association. Final. */
    FAILED,
    /** {@link PeerConnection#close()} was called, or the peer closed the association cleanly. Final. */
    CLOSED
}
