package org.jdatachannel;

/** W3C {@code RTCDataChannelState}: the life cycle of a {@link DataChannel}. */
public enum DataChannelState {
    /** Created, waiting for the SCTP association (or for the DCEP OPEN to be sent). */
    CONNECTING,
    /** Messages can be sent and received. */
    OPEN,
    /** {@code close()} was called or the peer reset its stream; waiting for both directions to reset. */
    CLOSING,
    /** Both stream directions are reset, or the connection ended. Final. */
    CLOSED
}
