package org.jdatachannel.cli;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jdatachannel.IceTransportPolicy;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.ice.IceConfig;
import org.jdatachannel.ice.IceServer;

/**
 * The STUN/TURN servers of {@code serve} and whether only relayed candidates may be used: for the
 * server's own peer connections ({@link RtcConfiguration} {@code iceServers} /
 * {@code iceTransportPolicy}) and for the demo pages' {@code RTCPeerConnection}s (served as
 * {@code GET /config.json}). It lets browsers behind NATs reach the JVM peer and each other
 * through the operator's servers. Immutable; thread-safe.
 *
 * @param iceServers the servers, W3C {@code RTCIceServer}-shaped; never null
 * @param relayOnly  true for W3C {@code iceTransportPolicy: "relay"}
 */
record IceSetup(List<IceServer> iceServers, boolean relayOnly) {

    /** No servers, all candidates: what the pages used before (host candidates only). */
    static final IceSetup NONE = new IceSetup(List.of(), false);

    /**
     * @throws IllegalArgumentException with more than {@link IceConfig#MAX_ICE_SERVERS} servers, or
     *                                  relay-only without a TURN server
     */
    IceSetup {
        iceServers = List.copyOf(iceServers);
        if (iceServers.size() > IceConfig.MAX_ICE_SERVERS) {
            throw new IllegalArgumentException("at most " + IceConfig.MAX_ICE_SERVERS + " ICE servers, got " + iceServers.size());
        }
        if (relayOnly && iceServers.stream().noneMatch(s -> s.parsedUrls().stream().anyMatch(IceServer.Url::isTurn))) {
            throw new IllegalArgumentException("--relay-only needs a --turn server");
        }
    }

    /** Applies the servers and the policy to a peer-connection configuration. */
    RtcConfiguration.Builder applyTo(RtcConfiguration.Builder b) {
        return b.iceServers(iceServers).iceTransportPolicy(relayOnly ? IceTransportPolicy.RELAY : IceTransportPolicy.ALL);
    }

    /**
     * @return the W3C {@code RTCConfiguration} subset as JSON: {@code {"iceServers":[{"urls":[..],
     *         "username":..,"credential":..}],"iceTransportPolicy":"all"|"relay"}}
     */
    String toJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        ArrayNode servers = root.putArray("iceServers");
        for (IceServer s : iceServers) {
            ObjectNode o = servers.addObject();
            ArrayNode urls = o.putArray("urls");
            s.urls().forEach(urls::add);
            if (s.username() != null) {
                o.put("username", s.username());
                o.put("credential", s.credential());
            }
        }
        root.put("iceTransportPolicy", relayOnly ? "relay" : "all");
        return root.toString();
    }
}
