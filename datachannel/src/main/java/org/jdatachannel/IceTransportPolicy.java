package org.jdatachannel;

/**
 * Which ICE candidates a {@link PeerConnection} may use, as the W3C {@code RTCIceTransportPolicy}
 * enum.
 */
public enum IceTransportPolicy {
    /** {@code "all"}: host, server-reflexive and relayed candidates (the default). */
    ALL,
    /**
     * {@code "relay"}: "The ICE Agent uses only media relay candidates such as candidates passing
     * through a TURN server" (W3C webrtc-pc §4.2.5). Needs a TURN server in
     * {@link RtcConfiguration#iceServers()}, otherwise no candidate is offered and ICE cannot
     * connect.
     */
    RELAY
}
