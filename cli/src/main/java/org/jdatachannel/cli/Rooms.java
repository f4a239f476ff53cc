package org.jdatachannel.cli;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room signaling over WebSocket ({@code GET /ws}, RFC 6455, served by Jetty): browsers join a
 * room, see each other and the server's own peer (the {@linkplain #JVM_ID JVM peer}, a member of
 * every room), and relay offers, answers and trickled ICE candidates to one member at a time.
 *
 * <p>Every message is one JSON object (UTF-8 text frame) with a {@code type}:
 * <ul>
 * <li>client to server: {@code {"type":"join","room":NAME}} (or connect to {@code /ws?room=NAME});
 * {@code {"type":"leave"}}; {@code {"type":"ping"}} (answered {@code pong}); and, addressed with
 * {@code "to":ID} to a member of the same room, {@code offer} / {@code answer} ({@code "sdp":STRING}),
 * {@code candidate} ({@code "candidate":{"candidate":STRING,"sdpMid":...,"sdpMLineIndex":...,
 * "usernameFragment":...}}, shaped like W3C RTCIceCandidateInit) and {@code end-of-candidates};</li>
 * <li>server to client: {@code {"type":"joined","room":NAME,"id":YOUR_ID,"peers":[{"id":..,"kind":
 * "browser"|"jvm"},...]}} (the other members), {@code {"type":"peer-joined","peer":{"id":..,"kind":..}}},
 * {@code {"type":"peer-left","id":..}}, relayed messages with {@code "from":ID} instead of
 * {@code to}, and {@code {"type":"error","reason":TEXT}} for anything refused (the socket stays open).</li>
 * </ul>
 * The server assigns ids (16 hex digits, random). Who offers is up to the clients; the demo page
 * lets the member who joins last offer to everyone already there.
 *
 * <p>A browser's handshake must come from a page of this server (its {@code Origin} names the host
 * and port it connected to), otherwise it gets 403. That alone does not stop DNS rebinding (the
 * attacker's name then is in both); {@link PeerServer} refuses requests whose {@code Host} is not
 * this server's before they get here ({@link HostCheck}).
 *
 * <p>Bounds: a message is at most {@value #MAX_MESSAGE_BYTES} bytes (larger ones close the socket
 * with status 1009, RFC 6455 §7.4.1 "a message that is too big for it to process"), at most
 * {@value #MAX_SOCKETS} sockets, {@value #MAX_ROOMS} rooms, {@value #MAX_MEMBERS} browsers per room,
 * {@value #MESSAGES_PER_SECOND} messages per second per socket (bursts of {@value #BURST}; excess
 * messages are dropped with one error, and a socket that keeps flooding is closed with 1008),
 * {@value #MAX_QUEUED_SENDS} messages queued towards a socket that does not read (then it is
 * closed), and a socket silent for {@link #IDLE_TIMEOUT} is closed.
 *
 * <p>Thread-safe: the room table is guarded by this object's monitor (signaling bookkeeping,
 * outside the protocol stack); sends are asynchronous and never block under it.
 */
final class Rooms implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rooms.class);

    /** Largest accepted WebSocket message, in bytes (an SDP with many candidates fits easily). */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /** Most WebSocket connections at once. */
    static final int MAX_SOCKETS = 256;
    /** Most rooms at once. */
    static final int MAX_ROOMS = 64;
    /** Most browsers (sockets) in one room; the JVM peer comes on top. A mesh of n members has
     *  n(n-1)/2 connections, so keep it small. */
    static final int MAX_MEMBERS = 8;
    /** Sustained messages per second a socket may send. */
    static final int MESSAGES_PER_SECOND = 50;
    /** Messages a socket may send at once before the rate applies. */
    static final int BURST = 100;
    /** Dropped messages after which a flooding socket is closed. */
    static final int MAX_DROPPED = 1000;
    /** Messages queued towards one socket before it counts as not reading and is closed. */
    static final int MAX_QUEUED_SENDS = 256;
    /** A socket that sends nothing for this long is closed (the page pings every 30 s). */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(2);
    /** The id of the server's own peer, a member of every room. */
    static final String JVM_ID = "jvm";
    /** Room names: 1 to 64 letters, digits, '-', '_' or '.'. */
    static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** What the server's own peer does when something happens in a room. Called without the lock. */
    interface JvmPeer {
        /** A browser sent the JVM peer a message ({@code offer}, {@code answer}, {@code candidate},
         *  {@code end-of-candidates}; {@code from} is set). Must not block. */
        void onMessage(String room, String from, ObjectNode message);

        /** A browser left the room (or its socket closed). Must not block. */
        void onLeft(String room, String id);
    }

    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger sockets = new AtomicInteger();
    /** Guarded by {@code this}. */
    private final Map<String, Map<String, Member>> rooms = new HashMap<>();
    private volatile JvmPeer jvm;
    private volatile boolean closed;

    Rooms() {
    }

    /** Sets the JVM peer (before the server starts). */
    void jvmPeer(JvmPeer peer) {
        this.jvm = peer;
    }

    /** Open WebSocket connections now (for tests). */
    int sockets() {
        return sockets.get();
    }

    /** Names of the rooms and their browser members' ids, for tests and logs. */
    synchronized Map<String, List<String>> snapshot() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        rooms.forEach((name, members) -> out.put(name, List.copyOf(members.keySet())));
        return out;
    }

    /** Jetty's {@code WebSocketCreator} for {@code /ws}: a new member, or 503 at the socket limit. */
    Object newSocket(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        if (closed) {
            Response.writeError(request, response, callback, 503, "server closing");
            return null;
        }
        // RFC 6455 §10.2: "If the origin indicated is unacceptable to the server, then it SHOULD
        // respond to the WebSocket handshake with a reply containing HTTP 403 Forbidden status
        // code." Pages of other sites may not join rooms from a visitor's browser; clients that
        // are not browsers send no Origin.
        String origin = request.getHeaders().get("Origin");
        if (origin != null && !sameOrigin(origin, request.getHttpURI().getAuthority())) {
            Response.writeError(request, response, callback, 403, "WebSocket from another origin: " + shorten(origin));
            return null;
        }
        // Counted from onWebSocketOpen to onWebSocketClose/Error only: an upgrade that fails after
        // this method (client gone before the 101, a handshake error) never opens and would leak
        // a count taken here. This check spares the upgrade when already full; onWebSocketOpen
        // enforces the limit.
        if (sockets.get() >= MAX_SOCKETS) {
            Response.writeError(request, response, callback, 503, "too many WebSocket connections (limit " + MAX_SOCKETS + ")");
            return null;
        }
        Fields query = org.eclipse.jetty.server.Request.extractQueryParameters(request);
        String room = query.getValue("room");
        return new RoomSocket(new Member(newId(), room));
    }

    /** True if {@code origin} (scheme://host[:port]) names the host and port the request was sent to. */
    static boolean sameOrigin(String origin, String authority) {
        try {
            java.net.URI o = new java.net.URI(origin);
            if (o.getHost() == null || authority == null) {
                return false;
            }
            int port = o.getPort() != -1 ? o.getPort() : "https".equals(o.getScheme()) ? 443 : 80;
            java.net.URI a = new java.net.URI("http://" + authority);
            int aPort = a.getPort() != -1 ? a.getPort() : 80;
            return o.getHost().equalsIgnoreCase(a.getHost()) && port == aPort;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private String newId() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Sends {@code message} from the JVM peer to browser {@code to} in {@code room}.
     *
     * @return false if that browser is not (any more) in the room
     */
    boolean sendFromJvm(String room, String to, ObjectNode message) {
        message.put("from", JVM_ID);
        message.remove("to");
        Member m;
        synchronized (this) {
            Map<String, Member> members = rooms.get(room);
            m = members == null ? null : members.get(to);
            if (m != null) {
                m.send(message);
            }
        }
        return m != null;
    }

    /** Closes every socket (status 1001, going away). */
    @Override
    public void close() {
        closed = true;
        List<Member> all = new ArrayList<>();
        synchronized (this) {
            rooms.values().forEach(r -> all.addAll(r.values()));
        }
        for (Member m : all) {
            m.closeSocket(StatusCode.SHUTDOWN, "server closing");
        }
    }

    private ObjectNode error(String reason) {
        ObjectNode e = json.createObjectNode();
        e.put("type", "error");
        e.put("reason", reason);
        return e;
    }

    private ObjectNode peerInfo(String id, String kind) {
        ObjectNode p = json.createObjectNode();
        p.put("id", id);
        p.put("kind", kind);
        return p;
    }

    /** One WebSocket connection: a member of at most one room at a time. */
    private final class Member implements Session.Listener.AutoDemanding {
        final String id;
        final String initialRoom;
        volatile Session session;
        /** Guarded by Rooms.this. */
        String room;
        // Token bucket for the rate limit; only touched by Jetty's message delivery, serial per socket.
        double tokens = BURST;
        long lastRefill = System.nanoTime();
        int dropped;
        boolean limitReported;
        boolean gone;
        /** True once onWebSocketOpen counted this socket. Guarded by Rooms.this. */
        boolean counted;

        Member(String id, String initialRoom) {
            this.id = id;
            this.initialRoom = initialRoom;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            this.session = s;
            synchronized (Rooms.this) {
                counted = true;
            }
            if (sockets.incrementAndGet() > MAX_SOCKETS) {
                LOG.info("ws {}: closing, too many WebSocket connections (limit {})", id, MAX_SOCKETS);
                // RFC 6455 §7.4.1: 1013 "Try Again Later" (registered in the IANA registry, RFC 6455 §11.7)
                s.close(1013, "too many WebSocket connections", org.eclipse.jetty.websocket.api.Callback.NOOP);
                return;
            }
            LOG.info("ws {}: connected from {}", id, s.getRemoteSocketAddress());
            if (initialRoom != null) {
                join(initialRoom);
            }
        }

        @Override
        public void onWebSocketText(String text) {
            if (!allow()) {
                return;
            }
            JsonNode node;
            try {
                node = json.readTree(text);
            } catch (JsonProcessingException e) {
                send(error("not JSON: " + e.getOriginalMessage()));
                return;
            }
            if (node == null || !node.isObject() || !node.path("type").isTextual()) {
                send(error("expected a JSON object with a string \"type\""));
                return;
            }
            ObjectNode msg = (ObjectNode) node;
            String type = msg.get("type").asText();
            try {
                switch (type) {
                    case "join" -> {
                        JsonNode r = msg.get("room");
                        if (r == null || !r.isTextual()) {
                            send(error("join needs a string \"room\""));
                        } else {
                            join(r.asText());
                        }
                    }
                    case "leave" -> leave();
                    case "ping" -> {
                        ObjectNode pong = json.createObjectNode();
                        pong.put("type", "pong");
                        send(pong);
                    }
                    case "offer", "answer", "candidate", "end-of-candidates" -> relay(type, msg);
                    default -> send(error("unknown message type '" + shorten(type) + "'"));
                }
            } catch (RuntimeException e) {
                // A bug of ours: answer, keep the socket and the server.
                LOG.error("ws {}: internal error on a '{}' message", id, shorten(type), e);
                send(error("internal error"));
            }
        }

        @Override
        public void onWebSocketBinary(java.nio.ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            callback.succeed();
            if (allow()) {
                send(error("binary messages are not used; send JSON text"));
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            gone();
            LOG.info("ws {}: closed ({} {})", id, statusCode, reason);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            LOG.debug("ws {}: {}", id, cause.toString());
            gone();
        }

        private void gone() {
            boolean wasCounted;
            synchronized (Rooms.this) {
                if (gone) {
                    return;
                }
                gone = true;
                wasCounted = counted;
            }
            if (wasCounted) {
                sockets.decrementAndGet();
            }
            leave();
        }

        /** The rate limit: true if this message may be handled. */
        private boolean allow() {
            long now = System.nanoTime();
            tokens = Math.min(BURST, tokens + (now - lastRefill) * MESSAGES_PER_SECOND / 1e9);
            lastRefill = now;
            if (tokens >= 1) {
                tokens -= 1;
                limitReported = false;
                return true;
            }
            dropped++;
            if (dropped > MAX_DROPPED) {
                LOG.info("ws {}: flooding ({} messages dropped); closing", id, dropped);
                closeSocket(StatusCode.POLICY_VIOLATION, "too many messages");
            } else if (!limitReported) {
                limitReported = true;
                send(error("rate limit: at most " + MESSAGES_PER_SECOND + " messages per second; message dropped"));
            }
            return false;
        }

        private void join(String name) {
            if (!ROOM_NAME.matcher(name).matches()) {
                send(error("room names are 1 to 64 letters, digits, '-', '_' or '.'"));
                return;
            }
            List<Member> others;
            synchronized (Rooms.this) {
                if (gone) {
                    return;
                }
                if (room != null) {
                    send(error("already in room '" + room + "'; leave first"));
                    return;
                }
                Map<String, Member> members = rooms.get(name);
                if (members == null && rooms.size() >= MAX_ROOMS) {
                    send(error("too many rooms (limit " + MAX_ROOMS + ")"));
                    return;
                }
                if (members != null && members.size() >= MAX_MEMBERS) {
                    send(error("room '" + name + "' is full (limit " + MAX_MEMBERS + " browsers)"));
                    return;
                }
                if (members == null) {
                    members = new LinkedHashMap<>();
                    rooms.put(name, members);
                }
                others = new ArrayList<>(members.values());
                room = name;
                ObjectNode joined = json.createObjectNode();
                joined.put("type", "joined");
                joined.put("room", name);
                joined.put("id", id);
                var peers = joined.putArray("peers");
                peers.add(peerInfo(JVM_ID, "jvm"));
                others.forEach(o -> peers.add(peerInfo(o.id, "browser")));
                members.put(id, this);
                send(joined);
                ObjectNode announce = json.createObjectNode();
                announce.put("type", "peer-joined");
                announce.set("peer", peerInfo(id, "browser"));
                others.forEach(o -> o.send(announce));
            }
            LOG.info("ws {}: joined room '{}' ({} other browsers)", id, name, others.size());
        }

        private void leave() {
            String left;
            synchronized (Rooms.this) {
                left = room;
                if (left == null) {
                    return;
                }
                room = null;
                Map<String, Member> members = rooms.get(left);
                if (members != null) {
                    members.remove(id);
                    if (members.isEmpty()) {
                        rooms.remove(left);
                    }
                    ObjectNode gone = json.createObjectNode();
                    gone.put("type", "peer-left");
                    gone.put("id", id);
                    new ArrayList<>(members.values()).forEach(o -> o.send(gone));
                }
            }
            LOG.info("ws {}: left room '{}'", id, left);
            JvmPeer j = jvm;
            if (j != null) {
                j.onLeft(left, id);
            }
        }

        private void relay(String type, ObjectNode msg) {
            JsonNode toNode = msg.get("to");
            if (toNode == null || !toNode.isTextual()) {
                send(error(type + " needs a string \"to\" (a member id)"));
                return;
            }
            String to = toNode.asText();
            switch (type) {
                case "offer", "answer" -> {
                    if (!msg.path("sdp").isTextual()) {
                        send(error(type + " needs a string \"sdp\""));
                        return;
                    }
                }
                case "candidate" -> {
                    if (!msg.path("candidate").isObject() || !msg.path("candidate").path("candidate").isTextual()) {
                        send(error("candidate needs an object \"candidate\" with a string \"candidate\" (RTCIceCandidateInit)"));
                        return;
                    }
                }
                default -> {
                }
            }
            msg.remove("to");
            msg.put("from", id);
            String inRoom;
            synchronized (Rooms.this) {
                inRoom = room;
                if (inRoom == null) {
                    send(error("join a room first"));
                    return;
                }
                if (to.equals(id)) {
                    send(error("cannot send " + type + " to yourself"));
                    return;
                }
                if (!to.equals(JVM_ID)) {
                    Member target = rooms.getOrDefault(inRoom, Map.of()).get(to);
                    if (target == null) {
                        send(error("no member '" + shorten(to) + "' in room '" + inRoom + "'"));
                    } else {
                        target.send(msg);
                    }
                    return;
                }
            }
            JvmPeer j = jvm;
            if (j == null) {
                send(error("the JVM peer is not available"));
            } else {
                j.onMessage(inRoom, id, msg);
            }
        }

        /** Queues a message; never blocks. A socket that does not read is closed. */
        void send(ObjectNode message) {
            Session s = session;
            if (s == null || !s.isOpen()) {
                return;
            }
            String text = message.toString();
            try {
                s.sendText(text, org.eclipse.jetty.websocket.api.Callback.from(() -> { },
                        err -> LOG.debug("ws {}: send failed: {}", id, err.toString())));
            } catch (RuntimeException e) {
                // Jetty refuses more than MAX_QUEUED_SENDS outstanding frames (WritePendingException).
                LOG.info("ws {}: cannot queue a message ({}); closing", id, e.toString());
                closeSocket(StatusCode.POLICY_VIOLATION, "not reading");
            }
        }

        void closeSocket(int status, String reason) {
            Session s = session;
            if (s != null && s.isOpen()) {
                s.close(status, reason, org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
