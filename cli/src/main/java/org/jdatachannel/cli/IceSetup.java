package org.jdatachannel.cli;

import java.util.ArrayList;
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
 * through the operator's servers. Static TURN credentials in {@code iceServers} are handed to
 * every page as they are; with {@code turnSecret} each page and each of the server's peer
 * connections gets its own time-limited credential instead. Immutable; thread-safe.
 *
 * @param iceServers the servers with static or no credentials, W3C {@code RTCIceServer}-shaped;
 *                   never null
 * @param turnSecret TURN servers with time-limited credentials ({@link TurnRestSecret}), or null
 * @param relayOnly  true for W3C {@code iceTransportPolicy: "relay"}
 */
record IceSetup(List<IceServer> iceServers, TurnRestSecret turnSecret, boolean relayOnly) {

    /** No servers, all candidates: what the pages used before (host candidates only). */
    static final IceSetup NONE = new IceSetup(List.of(), false);

    /**
     * @throws IllegalArgumentException with more than {@link IceConfig#MAX_ICE_SERVERS} servers, or
     *                                  relay-only without a TURN server
     */
    IceSetup {
        iceServers = List.copyOf(iceServers);
        int count = iceServers.size() + (turnSecret == null ? 0 : 1);
        if (count > IceConfig.MAX_ICE_SERVERS) {
            throw new IllegalArgumentException("at most " + IceConfig.MAX_ICE_SERVERS + " ICE servers, got " + count);
        }
        if (relayOnly && turnSecret == null
                && iceServers.stream().noneMatch(s -> s.parsedUrls().stream().anyMatch(IceServer.Url::isTurn))) {
            throw new IllegalArgumentException("--relay-only needs a --turn server");
        }
    }

    /** Servers with static credentials (or none) only. */
    IceSetup(List<IceServer> iceServers, boolean relayOnly) {
        this(iceServers, null, relayOnly);
    }

    /**
     * The servers for one user, with a fresh time-limited TURN credential if there is a secret.
     *
     * @param nowEpochSeconds the current Unix time in seconds
     * @param id              who the credential is for (see {@link TurnRestSecret#issue})
     */
    List<IceServer> serversFor(long nowEpochSeconds, String id) {
        if (turnSecret == null) {
            return iceServers;
        }
        List<IceServer> all = new ArrayList<>(iceServers);
        all.add(turnSecret.issue(nowEpochSeconds, id));
        return all;
    }

    /** Applies the servers (credentials issued for {@code id}) and the policy to a configuration. */
    RtcConfiguration.Builder applyTo(RtcConfiguration.Builder b, long nowEpochSeconds, String id) {
        return b.iceServers(serversFor(nowEpochSeconds, id))
                .iceTransportPolicy(relayOnly ? IceTransportPolicy.RELAY : IceTransportPolicy.ALL);
    }

    /**
     * @return the W3C {@code RTCConfiguration} subset for one page as JSON: {@code {"iceServers":
     *         [{"urls":[..],"username":..,"credential":..}],"iceTransportPolicy":"all"|"relay"}}
     */
    String toJson(ObjectMapper json, long nowEpochSeconds, String id) {
        ObjectNode root = json.createObjectNode();
        ArrayNode servers = root.putArray("iceServers");
        for (IceServer s : serversFor(nowEpochSeconds, id)) {
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
