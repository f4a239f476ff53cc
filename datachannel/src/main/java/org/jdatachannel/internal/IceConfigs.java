package org.jdatachannel.internal;

import org.jdatachannel.IceTransportPolicy;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.ice.IceConfig;

/** Maps a {@link RtcConfiguration} to the {@link IceConfig} of one ICE agent. */
public final class IceConfigs {
    private IceConfigs() {
    }

    /**
     * @param config      the peer connection's configuration
     * @param controlling the ICE role (RFC 8445 §6.1.1: the offerer controls)
     * @return a builder of the ICE agent configuration, filled with the address filter, ICE
     *         servers, transport policy, consent and disconnected timeouts
     */
    public static IceConfig.Builder builder(RtcConfiguration config, boolean controlling) {
        return IceConfig.builder()
                .controlling(controlling)
                .addressFilter(config.iceAddressFilter())
                .iceServers(config.iceServers())
                .relayOnly(config.iceTransportPolicy() == IceTransportPolicy.RELAY)
                .consentTimeoutMs(config.iceConsentTimeoutMs())
                .disconnectedTimeoutMs(config.iceDisconnectedTimeoutMs());
    }
}
