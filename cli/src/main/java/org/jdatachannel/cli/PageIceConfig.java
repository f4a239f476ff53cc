package org.jdatachannel.cli;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jdatachannel.ice.IceServer;

/**
 * The ICE configuration the demo pages give their {@code RTCPeerConnection}s (served as
 * {@code GET /config.json}): STUN/TURN servers and whether only relayed candidates may be used.
 * It lets browsers behind NATs reach the JVM peer and each other through the operator's servers.
 * Immutable; thread-safe.
 *
 * @param iceServers the servers, W3C {@code RTCIceServer}-shaped; never null
 * @param relayOnly  true for W3C {@code iceTransportPolicy: "relay"}
 */
record PageIceConfig(List<IceServer> iceServers, boolean relayOnly) {

    /** No servers, all candidates: what the pages used before (host candidates only). */
    static final PageIceConfig NONE = new PageIceConfig(List.of(), false);

    PageIceConfig {
        iceServers = List.copyOf(iceServers);
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
