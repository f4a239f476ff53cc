package org.jdatachannel.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jdatachannel.IceCandidateInit;
import org.jdatachannel.SessionDescriptionInit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own peer in every room ({@link Rooms#JVM_ID}): one {@link org.jdatachannel.PeerConnection}
 * per browser that offers to it, with the server's channel behaviour ({@link ServerChannels}: the
 * room's {@code room-chat} and {@code room-file} channels, see {@link RoomChannels}).
 *
 * <p>The JVM peer only answers: a member that joins offers to everyone already in the room, and the
 * JVM peer is always there first. A member's re-offer on a live connection (e.g. after the page's
 * {@code restartIce()}) renegotiates that connection, and its channels go on; an offer after the
 * connection failed or closed starts a new one. Trickle ICE both ways (RFC 8838, Abstract: agents "begin
 * connectivity checks while they are still gathering candidates, by incrementally exchanging
 * candidates over time instead of all at once"): the answer goes out as soon as it is set, each
 * local candidate follows in a {@code candidate} message (then {@code end-of-candidates}), and the
 * browser's candidates are added as they come ({@link org.jdatachannel.PeerConnection#addIceCandidate(IceCandidateInit)}
 * holds those that arrive before the offer is applied).
 *
 * <p>Thread-safe: called from WebSocket threads and connection event loops; nothing blocks.
 */
final class JvmRoomPeer implements Rooms.JvmPeer {

    private static final Logger LOG = LoggerFactory.getLogger(JvmRoomPeer.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final PeerServer server;
    private final Rooms rooms;
    /** Most candidates kept per member that sent them before its offer. */
    static final int MAX_EARLY_CANDIDATES = 32;

    /** Key: room + '/' + browser id. */
    private final Map<String, Pair> pairs = new ConcurrentHashMap<>();
    /** Candidates that came before their offer (a client may send them in either order); same keys. */
    private final Map<String, List<JsonNode>> earlyCandidates = new ConcurrentHashMap<>();

    /** The JVM peer's connection with one browser. */
    private static final class Pair {
        final PeerServer.Peer peer;
        /** Our candidates found before the answer was sent; guarded by this. Null once it was sent
         *  (a re-offer sets it again until its answer is sent). */
        List<ObjectNode> early = new ArrayList<>();
        /** True once the first answer was sent; guarded by this. */
        boolean answered;
        /** True while a re-offer is being answered; guarded by this. */
        boolean renegotiating;
        /** Limits of re-offers on this connection (each ICE restart gathers anew). */
        final ReofferLimit reoffers = new ReofferLimit(PeerServer.REOFFERS_PER_SECOND, PeerServer.REOFFER_BURST,
                PeerServer.MAX_RESTARTS, System.nanoTime());

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
            case "candidate" -> onCandidate(room, from, key, message.path("candidate"));
            case "end-of-candidates" -> LOG.debug("{}: end of candidates", key);
            default -> rooms.sendFromJvm(room, from, error("the JVM peer only answers; send it an offer"));
        }
    }

    @Override
    public void onLeft(String room, String id) {
        earlyCandidates.remove(room + "/" + id);
        Pair p = pairs.remove(room + "/" + id);
        if (p != null) {
            LOG.info("{}: left room '{}'; closing its connection", p.peer.name, room);
            server.forget(p.peer);
        }
    }

    private void onOffer(String room, String from, String key, String sdp) {
        Pair live = pairs.get(key);
        if (live != null && renegotiate(room, from, key, live, sdp)) {
            return;
        }
        Pair old = pairs.remove(key);
        if (old != null) {
            // The member's previous connection failed, closed, or is still in its first exchange:
            // this offer starts a new one.
            server.forget(old.peer);
        }
        PeerServer.Peer peer = server.createPeer("room-" + room + "-" + from, "room '" + room + "' member " + from);
        if (peer == null) {
            rooms.sendFromJvm(room, from, error("the JVM peer has too many connections (limit " + PeerServer.MAX_PEERS + ")"));
            return;
        }
        Pair pair = new Pair(peer);
        pairs.put(key, pair);
        // Set before setLocalDescription (PeerConnection.onIceCandidate); runs on the event loop.
        peer.pc.onIceCandidate(c -> {
            ObjectNode m = NODES.objectNode();
            if (c.isEndOfCandidates()) {
                m.put("type", "end-of-candidates");
            } else {
                m.put("type", "candidate");
                ObjectNode init = m.putObject("candidate");
                init.put("candidate", c.candidate());
                init.put("sdpMid", c.sdpMid());
                if (c.sdpMLineIndex() != null) {
                    init.put("sdpMLineIndex", c.sdpMLineIndex());
                }
                init.put("usernameFragment", c.usernameFragment());
            }
            synchronized (pair) {
                if (pair.early != null) {
                    pair.early.add(m); // the answer goes first
                    return;
                }
            }
            rooms.sendFromJvm(room, from, m);
        });
        for (JsonNode early : earlyCandidates.getOrDefault(key, List.of())) {
            addCandidate(room, from, pair, early); // held by the PeerConnection until the offer is applied
        }
        earlyCandidates.remove(key);
        CompletableFuture<Void> remoteSet;
        try {
            remoteSet = peer.pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp));
        } catch (RuntimeException e) {
            remoteSet = CompletableFuture.failedFuture(e);
        }
        remoteSet
                .thenCompose(v -> peer.pc.createAnswer())
                .thenCompose(answer -> peer.pc.setLocalDescription(answer))
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
                        return;
                    }
                    List<ObjectNode> early;
                    synchronized (pair) {
                        early = pair.early;
                        pair.early = null;
                        pair.answered = true;
                    }
                    early.forEach(m -> rooms.sendFromJvm(room, from, m));
                    LOG.info("{}: answered; trickling candidates", peer.name);
                });
    }

    /**
     * A re-offer from a member whose connection is live (its first answer sent, not failed or
     * closed): renegotiation on the same {@link org.jdatachannel.PeerConnection}, an ICE restart
     * when its credentials are new (RFC 8829 §5.2.1/§5.3.1 subsequent offers and answers; RFC 8445
     * §9), so the page's data channels survive. The answer goes first, then our candidates of a new
     * generation. A re-offer we cannot use leaves the connection as it was (error to the member).
     *
     * @return false if the connection is not live (the caller starts a new one)
     */
    private boolean renegotiate(String room, String from, String key, Pair pair, String sdp) {
        var state = pair.peer.pc.connectionState();
        synchronized (pair) {
            if (!pair.answered || state == org.jdatachannel.PeerConnectionState.FAILED
                    || state == org.jdatachannel.PeerConnectionState.CLOSED) {
                return false;
            }
            if (pair.renegotiating) {
                rooms.sendFromJvm(room, from, error("a re-offer is still being answered; wait for its answer"));
                return true;
            }
        }
        SessionDescriptionInit current = pair.peer.pc.remoteDescription();
        String before = current == null ? null : PeerServer.ufragOf(current.sdp());
        String after = PeerServer.ufragOf(sdp);
        boolean restart = before != null && after != null && !before.equals(after);
        String refused = pair.reoffers.admit(restart, System.nanoTime());
        if (refused != null) {
            rooms.sendFromJvm(room, from, error(refused));
            return true;
        }
        synchronized (pair) {
            pair.renegotiating = true;
            pair.early = new ArrayList<>(); // the new generation's candidates follow the answer
        }
        PeerServer.Peer peer = pair.peer;
        CompletableFuture<Void> remoteSet;
        try {
            remoteSet = peer.pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp));
        } catch (RuntimeException e) {
            remoteSet = CompletableFuture.failedFuture(e);
        }
        remoteSet
                .thenCompose(v -> peer.pc.createAnswer())
                .thenCompose(answer -> peer.pc.setLocalDescription(answer))
                .orTimeout(PeerServer.SIGNALING_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> {
                    ObjectNode out;
                    if (e != null) {
                        Throwable c = unwrap(e);
                        LOG.info("{}: cannot use a re-offer: {}", peer.name, c.toString());
                        var parse = PeerServer.findParseError(c);
                        out = error("the JVM peer cannot use this re-offer (the connection goes on as before): "
                                + (parse != null ? parse.getMessage() : c.getMessage()));
                    } else {
                        out = NODES.objectNode();
                        out.put("type", "answer");
                        out.put("sdp", peer.pc.localDescription().sdp());
                        LOG.info("{}: answered a re-offer{}", peer.name, restart ? " (ICE restart)" : "");
                    }
                    if (!rooms.sendFromJvm(room, from, out)) {
                        onLeft(room, from);
                        return;
                    }
                    List<ObjectNode> early;
                    synchronized (pair) {
                        early = pair.early;
                        pair.early = null;
                        pair.renegotiating = false;
                    }
                    early.forEach(m -> rooms.sendFromJvm(room, from, m));
                });
        return true;
    }

    private void onCandidate(String room, String from, String key, JsonNode init) {
        Pair pair = pairs.get(key);
        if (pair == null) {
            List<JsonNode> early = earlyCandidates.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
            if (early.size() >= MAX_EARLY_CANDIDATES) {
                rooms.sendFromJvm(room, from, error("more than " + MAX_EARLY_CANDIDATES
                        + " candidates before an offer to the JVM peer; ignored"));
            } else {
                early.add(init);
            }
            return;
        }
        addCandidate(room, from, pair, init);
    }

    private void addCandidate(String room, String from, Pair pair, JsonNode init) {
        IceCandidateInit c;
        try {
            c = new IceCandidateInit(init.path("candidate").asText(),
                    init.path("sdpMid").isTextual() ? init.path("sdpMid").asText() : null,
                    init.path("sdpMLineIndex").canConvertToInt() ? init.path("sdpMLineIndex").asInt() : null,
                    init.path("usernameFragment").isTextual() ? init.path("usernameFragment").asText() : null);
        } catch (IllegalArgumentException e) {
            rooms.sendFromJvm(room, from, error("bad candidate: " + e.getMessage()));
            return;
        }
        if (c.sdpMid() == null && c.sdpMLineIndex() == null) {
            // W3C webrtc-pc addIceCandidate: "If both sdpMid and sdpMLineIndex are null, return a
            // promise rejected with a newly created TypeError." Browsers always send one; be lenient
            // with hand-written clients and take the data section.
            c = new IceCandidateInit(c.candidate(), null, 0, c.usernameFragment());
        }
        IceCandidateInit candidate = c;
        pair.peer.pc.addIceCandidate(candidate).whenComplete((ok, e) -> {
            if (e != null) {
                LOG.info("{}: skipped trickled candidate '{}': {}", pair.peer.name, candidate.candidate(),
                        unwrap(e).toString());
            } else {
                LOG.debug("{}: added trickled candidate {}", pair.peer.name, candidate.candidate());
            }
        });
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
