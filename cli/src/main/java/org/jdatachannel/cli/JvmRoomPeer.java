package org.jdatachannel.cli;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jdatachannel.SessionDescriptionInit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own peer in every room ({@link Rooms#JVM_ID}): one {@link org.jdatachannel.PeerConnection}
 * per browser that offers to it, with the server's channel behaviour ({@link ServerChannels}: the
 * room's {@code room-chat} and {@code room-file} channels, see {@link RoomChannels}).
 *
 * <p>The JVM peer only answers: a member that joins offers to everyone already in the room, and the
 * JVM peer is always there first. Its answer carries all its candidates (host candidates are
 * gathered synchronously); the browser's trickled candidates are added as they come, after the
 * offer has been applied. RFC 8838 (Abstract): trickle ICE lets agents "begin connectivity checks
 * while they are still gathering candidates, by incrementally exchanging candidates over time
 * instead of all at once". An end-of-candidates message needs no action here.
 *
 * <p>Thread-safe: called from WebSocket threads; every step on a connection is chained on its
 * futures, nothing blocks.
 */
final class JvmRoomPeer implements Rooms.JvmPeer {

    private static final Logger LOG = LoggerFactory.getLogger(JvmRoomPeer.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final PeerServer server;
    private final Rooms rooms;
    /** Key: room + '/' + browser id. */
    private final Map<String, Pair> pairs = new ConcurrentHashMap<>();

    /** The JVM peer's connection with one browser. */
    private static final class Pair {
        final PeerServer.Peer peer;
        /** Completes once the browser's offer is applied; candidates wait for it. */
        volatile CompletableFuture<Void> remoteSet;
        /** The tail of the candidate chain, so candidates are added in the order they came. */
        volatile CompletableFuture<Void> candidates;

        Pair(PeerServer.Peer peer) {
            this.peer = peer;
        }
    }

    JvmRoomPeer(PeerServer server, Rooms rooms) {
        this.server = server;
        this.rooms = rooms;
    }

    @Override
    public void onMessage(String room, String from, ObjectNode message) {
        String key = room + "/" + from;
        switch (message.path("type").asText()) {
            case "offer" -> onOffer(room, from, key, message.path("sdp").asText());
            case "candidate" -> onCandidate(room, from, key, message.path("candidate").path("candidate").asText());
            case "end-of-candidates" -> LOG.debug("{}: end of candidates", key);
            default -> rooms.sendFromJvm(room, from, error("the JVM peer only answers; send it an offer"));
        }
    }

    @Override
    public void onLeft(String room, String id) {
        Pair p = pairs.remove(room + "/" + id);
        if (p != null) {
            LOG.info("{}: left room '{}'; closing its connection", p.peer.name, room);
            server.forget(p.peer);
        }
    }

    private void onOffer(String room, String from, String key, String sdp) {
        Pair old = pairs.remove(key);
        if (old != null) {
            // Renegotiation from the page is a new connection here (the demo page offers once).
            server.forget(old.peer);
        }
        PeerServer.Peer peer = server.createPeer("room-" + room + "-" + from, "room '" + room + "' member " + from);
        if (peer == null) {
            rooms.sendFromJvm(room, from, error("the JVM peer has too many connections (limit " + PeerServer.MAX_PEERS + ")"));
            return;
        }
        Pair pair = new Pair(peer);
        try {
            pair.remoteSet = peer.pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp));
        } catch (RuntimeException e) {
            pair.remoteSet = CompletableFuture.failedFuture(e);
        }
        pair.candidates = pair.remoteSet.exceptionally(e -> null);
        pairs.put(key, pair);
        pair.remoteSet
                .thenCompose(v -> peer.pc.createAnswer())
                .thenCompose(answer -> peer.pc.setLocalDescription(answer))
                // Until the pc part's onIceCandidate lands, the answer carries every candidate.
                .thenCompose(v -> peer.pc.gatheringComplete())
                .orTimeout(PeerServer.SIGNALING_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> {
                    if (e != null) {
                        Throwable c = unwrap(e);
                        LOG.info("{}: cannot answer: {}", peer.name, c.toString());
                        pairs.remove(key, pair);
                        server.forget(peer);
                        var parse = PeerServer.findParseError(c);
                        rooms.sendFromJvm(room, from, error("the JVM peer cannot use this offer: "
                                + (parse != null ? parse.getMessage() : c.getMessage())));
                        return;
                    }
                    ObjectNode answer = NODES.objectNode();
                    answer.put("type", "answer");
                    answer.put("sdp", peer.pc.localDescription().sdp());
                    if (!rooms.sendFromJvm(room, from, answer)) {
                        onLeft(room, from);
                    } else {
                        LOG.info("{}: answered", peer.name);
                    }
                });
    }

    private void onCandidate(String room, String from, String key, String candidate) {
        Pair pair = pairs.get(key);
        if (pair == null) {
            rooms.sendFromJvm(room, from, error("candidate before an offer to the JVM peer; ignored"));
            return;
        }
        if (candidate.isEmpty()) {
            return; // W3C webrtc-pc: an RTCIceCandidateInit with an empty candidate is an end-of-candidates indication
        }
        // W3C webrtc-pc addIceCandidate: "If remoteDescription is null return a promise rejected
        // with a newly created InvalidStateError" -- so each candidate waits for the offer to be
        // applied, in the order the candidates came.
        synchronized (pair) {
            pair.candidates = pair.candidates.thenCompose(v -> pair.peer.pc.addIceCandidate(candidate)
                    .handle((ok, e) -> {
                        if (e != null) {
                            // e.g. an unresolvable mDNS name: skipped, the peer-reflexive path remains.
                            LOG.info("{}: skipped trickled candidate '{}': {}", pair.peer.name, candidate,
                                    unwrap(e).toString());
                        } else {
                            LOG.debug("{}: added trickled candidate {}", pair.peer.name, candidate);
                        }
                        return null;
                    }));
        }
    }

    private static ObjectNode error(String reason) {
        ObjectNode e = NODES.objectNode();
        e.put("type", "error");
        e.put("reason", reason);
        return e;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
