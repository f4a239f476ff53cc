package org.jdatachannel.internal;

/**
 * {@link SctpPort} over the sctp module's {@code Association}. Placeholder until the sctp module's
 * association API lands: creating one fails.
 */
public final class SctpAssociationPort {
    /** Factory used by {@link org.jdatachannel.PeerConnection}. */
    public static final SctpPort.Factory FACTORY = (params, clock) -> {
        throw new UnsupportedOperationException("the sctp association is not available yet");
    };

    private SctpAssociationPort() {
    }
}
