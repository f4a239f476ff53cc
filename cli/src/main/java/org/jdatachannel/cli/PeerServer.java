package org.jdatachannel.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import org.jdatachannel.DataChannel;
import org.jdatachannel.IceCandidateInit;
import org.jdatachannel.PeerConnection;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.jdatachannel.sdp.SdpParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code serve} command's HTTP signaling server and the peer connections it creates.
 *
 * <p>Endpoints (non-trickle: every SDP is complete, with all candidates):
 * <ul>
 * <li>{@code POST /offer}, body an SDP offer: 200 with the SDP answer ({@code application/sdp});
 * 400 with {@code line N: reason} when the offer does not parse. One peer connection per POST.</li>
 * <li>{@code POST /session}: 201 with the server's SDP offer and {@code Location: /session/<id>};
 * {@code POST /session/<id>} with the SDP answer: 204, 400 on a parse error (the session stays
 * pending), 404 for an unknown or expired id.</li>
 * <li>Trickle ICE over HTTP (RFC 8838; descriptions without candidates, candidates one by one):
 * {@code POST /trickle/offer} with an SDP offer: 200 with the answer and
 * {@code Location: /trickle/<id>}; {@code POST /trickle/session}: 201 with the server's offer and
 * {@code Location: /session/<id>} (answer as for {@code /session}); then
 * {@code POST /trickle/<id>/candidate} with a W3C {@code RTCIceCandidateInit} JSON object (204;
 * {@code "candidate": ""} is end-of-candidates) and {@code POST /trickle/<id>/candidates} with a
 * decimal index {@code n}: 200 with {@code {"candidates": [...], "next": m}}, the server's candidates
 * from index {@code n} on (the last one {@code ""}), waiting up to {@value #TRICKLE_POLL_MS} ms for
 * one (429 if a poll of the same session is already waiting, or {@value #MAX_WAITING_POLLS} polls
 * of all sessions are). 404 for an unknown id, 400 for a bad candidate or index, or beyond
 * {@value #MAX_TRICKLED_IN} candidates of one ICE generation. {@code POST /trickle/<id>/reoffer}
 * with a new SDP offer on the live session (renegotiation; an ICE restart when its credentials
 * are new, e.g. after the page's {@code restartIce()}): 200 with our answer without candidates;
 * a new ICE generation's candidates are appended to the server's candidate list after its first
 * {@code ""} (only the current generation's are kept); 400 if the offer cannot be used (the session
 * goes on unchanged); 429 beyond {@value #REOFFERS_PER_SECOND} re-offers a second (bursts of
 * {@value #REOFFER_BURST}) or {@value #MAX_RESTARTS} ICE restarts per session.</li>
 * <li>{@code POST /result}, a JSON object from the interop page: 204; kept for
 * {@link #awaitResult(Duration)}.</li>
 * <li>{@code GET /} the demo page (with the room demo), {@code GET /interop.html} the interop page.</li>
 * <li>{@code GET /config.json}: the pages' ICE configuration ({@link IceSetup}: STUN/TURN
 * servers, relay-only) for their {@code RTCPeerConnection}s.</li>
 * <li>{@code GET /ws}: WebSocket room signaling with trickle ICE, see {@link Rooms}; the server's
 * own peer in every room is {@link JvmRoomPeer}.</li>
 * </ul>
 * Channel behaviour by label is in {@link ServerChannels}; once connected the server opens channel
 * {@code hello} and sends {@code hello from jdatachannel}.
 *
 * <p>Every request, the {@code /ws} upgrade included, must name this server in its {@code Host}
 * (an IP literal, {@code localhost}, or a name allowed with {@code serve --allowed-host}), otherwise
 * it gets 403: see {@link HostCheck} (DNS rebinding).
 *
 * <p>Limits: a request must arrive within {@value #MAX_REQUEST_SECONDS} s (the connection is closed
 * otherwise), request bodies {@value #MAX_BODY_BYTES} bytes (413 above), {@value #MAX_PEERS} live
 * peer connections and {@value #MAX_PENDING_SESSIONS} sessions waiting for an answer (503 above),
 * a pending session expires after {@link #PENDING_SESSION_TTL}, a peer that is not connected
 * {@link #CONNECT_DEADLINE} after its creation is closed, and failed or closed peers are forgotten.
 *
 * <p>Thread-safe. HTTP requests run on a small pool; peer callbacks on each connection's event loop.
 */
public final class PeerServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerServer.class);

    /** Seconds an HTTP connection may stay idle (no bytes of a request arriving) before it is
     *  closed: a client that announces a body and never sends it holds a worker at most this long. */
    public static final int MAX_REQUEST_SECONDS = 10;
    /** Seconds a response may take, signaling waits included ({@link #SIGNALING_TIMEOUT} per step). */
    public static final int MAX_RESPONSE_SECONDS = 90;


    /** Largest accepted request body (SDP or result JSON), in bytes. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Most HTTP worker threads (pages, signaling requests, WebSocket messages). */
    public static final int HTTP_THREADS = 32;
    /** Most peer connections alive at once. */
    public static final int MAX_PEERS = 32;
    /** Most {@code POST /session} offers waiting for their answer. */
    public static final int MAX_PENDING_SESSIONS = 16;
    /** Most interop results kept until read. */
    public static final int MAX_RESULTS = 16;
    /** Bound on each signaling step (setting descriptions, gathering). */
    public static final Duration SIGNALING_TIMEOUT = Duration.ofSeconds(20);
    /** How long a {@code POST /session} offer waits for its answer. */
    public static final Duration PENDING_SESSION_TTL = Duration.ofSeconds(60);
    /** How long a new peer connection may take to connect. */
    public static final Duration CONNECT_DEADLINE = Duration.ofSeconds(60);
    /** Longest wait of one {@code POST /trickle/<id>/candidates} for a new candidate, in ms. */
    public static final long TRICKLE_POLL_MS = 5000;
    /** Most candidates one client may trickle to one peer connection per ICE generation. */
    public static final int MAX_TRICKLED_IN = 64;
    /** Most {@code POST /trickle/<id>/candidates} long polls waiting at once over all sessions
     *  (well below {@link #HTTP_THREADS}, so that polls never take all HTTP threads); 429 above.
     *  One session may have one poll waiting (429 for a second). */
    public static final int MAX_WAITING_POLLS = 8;
    /** Sustained {@code POST /trickle/<id>/reoffer} rate per session, per second (429 above). */
    public static final double REOFFERS_PER_SECOND = 1;
    /** Re-offers one session may send at once before {@link #REOFFERS_PER_SECOND} applies. */
    public static final int REOFFER_BURST = 3;
    /** Most ICE restarts (re-offers with new ICE credentials) per session; 429 above. Each one
     *  gathers anew (new sockets, a TURN allocation with the server's credentials). */
    public static final int MAX_RESTARTS = 16;
    /** The largest message the server accepts, advertised as {@code a=max-message-size}. */
    public static final long MAX_MESSAGE_SIZE = 1L << 20;

    private static final Map<String, String[]> PAGES = Map.of(
            "/", new String[] {"web/index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"web/index.html", "text/html; charset=utf-8"},
            "/demo.js", new String[] {"web/demo.js", "text/javascript; charset=utf-8"},
            "/room.js", new String[] {"web/room.js", "text/javascript; charset=utf-8"},
            "/interop.html", new String[] {"web/interop.html", "text/html; charset=utf-8"});

    private final Server jetty;
    private final ServerConnector connector;
    private final Rooms rooms;
    private final ScheduledExecutorService timers;
    private final ExecutorService closer;
    /** ICE servers and policy; TURN credentials are issued per peer and page from it. */
    private final IceSetup iceSetup;
    private final Predicate<InetAddress> iceFilter;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Map<String, Peer> pendingSessions = new ConcurrentHashMap<>();
    /** Peers signaled with trickle ICE, by id; each also in {@link #peers}. */
    private final Map<String, Peer> trickleSessions = new ConcurrentHashMap<>();
    private final BlockingQueue<String> results = new ArrayBlockingQueue<>(MAX_RESULTS);
    private final Map<String, byte[]> pageBytes = new ConcurrentHashMap<>();
    private final AtomicInteger peerCounter = new AtomicInteger();
    private final SecureRandom ids = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Long polls waiting now, over all sessions. */
    private final AtomicInteger waitingPolls = new AtomicInteger();

    /** One peer connection and what the server knows about it. */
    static final class Peer {
        final String name;
        final PeerConnection pc;
        final AtomicBoolean helloCreated = new AtomicBoolean();
        volatile boolean connected;
        /** The server's candidates for a trickle ICE client, or null without trickle. */
        volatile TrickleOut trickle;
        /** Candidates the trickle ICE client sent so far, by usernameFragment ("" for none given;
         *  at most MAX_RESTARTS + 2 generations). Guarded by this Peer. */
        final Map<String, Integer> trickledIn = new HashMap<>();
        /** True while a long poll of this session waits. */
        final AtomicBoolean polling = new AtomicBoolean();
        /** Limits of {@code POST /trickle/<id>/reoffer}. */
        final ReofferLimit reoffers = new ReofferLimit(REOFFERS_PER_SECOND, REOFFER_BURST, MAX_RESTARTS, System.nanoTime());

        Peer(String name, PeerConnection pc) {
            this.name = name;
            this.pc = pc;
        }
    }

    /**
     * Creates the server (not yet listening).
     *
     * @param bind the HTTP address; port 0 picks a free port
     * @param iceFilter the local addresses ICE may use, see {@link IceAddresses}
     * @throws IOException if the HTTP port cannot be bound
     */
    public PeerServer(InetSocketAddress bind, Predicate<InetAddress> iceFilter) throws IOException {
        this(bind, iceFilter, IceSetup.NONE);
    }

    /**
     * Creates the server (not yet listening) whose peer connections and pages use the given
     * STUN/TURN servers.
     *
     * @param bind the HTTP address; port 0 picks a free port
     * @param iceFilter the local addresses ICE may use, see {@link IceAddresses}
     * @param iceSetup STUN/TURN servers and policy for our peer connections, also told to the pages
     *                 by {@code GET /config.json}
     * @throws IOException if the HTTP port cannot be bound
     */
    PeerServer(InetSocketAddress bind, Predicate<InetAddress> iceFilter, IceSetup iceSetup) throws IOException {
        this(bind, iceFilter, iceSetup, new HostCheck(List.of()));
    }

    /**
     * Creates the server (not yet listening) as {@link #PeerServer(InetSocketAddress, Predicate, IceSetup)}
     * that answers only requests whose {@code Host} {@code hosts} allows (others get 403).
     */
    PeerServer(InetSocketAddress bind, Predicate<InetAddress> iceFilter, IceSetup iceSetup, HostCheck hosts)
            throws IOException {
        this.iceFilter = iceFilter;
        this.iceSetup = iceSetup;
        for (String[] page : PAGES.values()) {
            pageBytes.computeIfAbsent(page[0], PeerServer::loadResource);
        }
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "jdc-server-timers"));
        this.closer = Executors.newSingleThreadExecutor(r -> daemon(r, "jdc-server-closer"));
        // Bounded: at most HTTP_THREADS workers (a signaling request may wait up to
        // SIGNALING_TIMEOUT for gathering; WebSocket messages are handled without blocking).
        QueuedThreadPool pool = new QueuedThreadPool(HTTP_THREADS, 4);
        pool.setName("jdc-http");
        pool.setDaemon(true);
        this.jetty = new Server(pool);
        HttpConfiguration httpConfig = new HttpConfiguration();
        httpConfig.setSendServerVersion(false);
        this.connector = new ServerConnector(jetty, new HttpConnectionFactory(httpConfig));
        connector.setHost(bind.getAddress().getHostAddress());
        connector.setPort(bind.getPort());
        connector.setIdleTimeout(TimeUnit.SECONDS.toMillis(MAX_REQUEST_SECONDS));
        connector.setAcceptQueueSize(64);
        jetty.addConnector(connector);
        this.rooms = new Rooms();
        rooms.jvmPeer(new JvmRoomPeer(this, rooms));
        // GET /ws upgrades to a WebSocket (RFC 6455) for room signaling; every other request goes
        // to the HTTP handler below.
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(jetty, container -> {
            container.setMaxTextMessageSize(Rooms.MAX_MESSAGE_BYTES);
            container.setMaxBinaryMessageSize(Rooms.MAX_MESSAGE_BYTES);
            container.setIdleTimeout(Rooms.IDLE_TIMEOUT);
            container.setMaxOutgoingFrames(Rooms.MAX_QUEUED_SENDS);
            container.addMapping("/ws", (req, resp, cb) -> rooms.newSocket(req, resp, cb));
        });
        ws.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                PeerServer.this.handle(new Exchange(request, response, callback));
                return true;
            }
        });
        // Before anything else (pages, signaling, /config.json, the /ws upgrade): the Host must
        // name this server, against DNS rebinding (HostCheck).
        jetty.setHandler(new Handler.Wrapper(ws) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String host = request.getHeaders().get(org.eclipse.jetty.http.HttpHeader.HOST) == null ? null
                        : request.getHttpURI().getHost();
                if (!hosts.allows(host)) {
                    LOG.info("refused a request for host '{}' from {} (not this server's; see --allowed-host)",
                            host, request.getConnectionMetaData().getRemoteSocketAddress());
                    Response.writeError(request, response, callback, 403,
                            "this server does not serve host '" + host + "' (serve --allowed-host)");
                    return true;
                }
                return super.handle(request, response, callback);
            }
        });
        connector.open(); // binds now, so that a busy port is reported here
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static byte[] loadResource(String name) {
        try (InputStream in = PeerServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " in the cli jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }

    /**
     * Starts serving.
     *
     * @throws IOException if the HTTP server cannot start
     */
    public void start() throws IOException {
        try {
            jetty.start();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot start the HTTP server: " + e, e);
        }
        LOG.info("serving on http://{}:{}/ (ICE addresses: {})", address().getAddress().getHostAddress(),
                port(), iceFilter);
    }

    /**
     * Creates and closes one throw-away peer connection in the background, so that the one-time
     * initialisation of the stack (ice4j configuration, key generation, JIT) is not paid by the
     * first real client. It creates an offer only: sockets are bound on the ICE addresses but no
     * packet is sent. Failures are logged at debug. Returns at once.
     */
    public void warmUpInBackground() {
        Thread t = new Thread(() -> {
            PeerConnection pc = null;
            try {
                pc = new PeerConnection(rtcFor("warm-up"));
                pc.createDataChannel("warm-up", Channels.reliable(true));
                pc.createOffer().get(SIGNALING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                LOG.debug("warm-up done");
            } catch (Exception e) {
                LOG.debug("warm-up failed", e);
            } finally {
                if (pc != null) {
                    pc.close();
                }
            }
        }, "jdc-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** The bound HTTP port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** Long polls waiting now over all sessions (for tests). */
    int waitingPolls() {
        return waitingPolls.get();
    }

    /** The bound HTTP address. */
    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), port());
    }

    /** Number of live peer connections (including ones waiting for an answer). */
    public int peerCount() {
        return peers.size();
    }

    /** The rooms and the ids of their browser members, in join order (tests, logs). */
    java.util.Map<String, java.util.List<String>> roomsSnapshot() {
        return rooms.snapshot();
    }

    /** Open WebSocket connections of the rooms (for tests). */
    int webSocketCount() {
        return rooms.sockets();
    }

    /**
     * Waits for the next JSON object posted to {@code /result}.
     *
     * @return the JSON text, or {@code null} if none arrived within {@code timeout}
     * @throws InterruptedException if interrupted while waiting
     */
    public String awaitResult(Duration timeout) throws InterruptedException {
        return results.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the HTTP server and closes every peer connection. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        rooms.close();
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("stopping the HTTP server failed", e);
        }
        for (Peer p : peers.values()) {
            closeQuietly(p);
        }
        peers.clear();
        pendingSessions.clear();
        trickleSessions.clear();
        timers.shutdownNow();
        closer.shutdown();
        try {
            closer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(Exchange ex) {
        try {
            String path = ex.path();
            String method = ex.method();
            if (path.equals("/offer")) {
                requirePost(ex, method, () -> handleOffer(ex, false));
            } else if (path.equals("/session")) {
                requirePost(ex, method, () -> handleNewSession(ex, false));
            } else if (path.startsWith("/session/")) {
                requirePost(ex, method, () -> handleSessionAnswer(ex, path.substring("/session/".length())));
            } else if (path.equals("/trickle/offer")) {
                requirePost(ex, method, () -> handleOffer(ex, true));
            } else if (path.equals("/trickle/session")) {
                requirePost(ex, method, () -> handleNewSession(ex, true));
            } else if (path.startsWith("/trickle/") && path.endsWith("/candidate")) {
                String id = path.substring("/trickle/".length(), path.length() - "/candidate".length());
                requirePost(ex, method, () -> handleTrickleCandidate(ex, id));
            } else if (path.startsWith("/trickle/") && path.endsWith("/reoffer")) {
                String id = path.substring("/trickle/".length(), path.length() - "/reoffer".length());
                requirePost(ex, method, () -> handleTrickleReoffer(ex, id));
            } else if (path.startsWith("/trickle/") && path.endsWith("/candidates")) {
                String id = path.substring("/trickle/".length(), path.length() - "/candidates".length());
                requirePost(ex, method, () -> handleTricklePoll(ex, id));
            } else if (path.equals("/result")) {
                requirePost(ex, method, () -> handleResult(ex));
            } else if (path.equals("/config.json")) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    ex.header("Allow", "GET, HEAD");
                    respond(ex, 405, "text/plain; charset=utf-8", "use GET\n");
                } else {
                    ex.header("Cache-Control", "no-store");
                    // A TURN secret gives every page its own time-limited credential.
                    respond(ex, 200, "application/json", iceSetup.toJson(json, System.currentTimeMillis() / 1000,
                            "page-" + newSessionId()).getBytes(StandardCharsets.UTF_8));
                }
            } else if (PAGES.containsKey(path)) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    ex.header("Allow", "GET, HEAD");
                    respond(ex, 405, "text/plain; charset=utf-8", "use GET\n");
                } else {
                    String[] page = PAGES.get(path);
                    ex.header("Cache-Control", "no-store");
                    byte[] body = pageBytes.get(page[0]);
                    respond(ex, 200, page[1], body);
                }
            } else {
                respond(ex, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
            }
        } catch (IOException e) {
            // The client went away or stopped sending (idle timeout): nothing to answer.
            LOG.debug("{} {}: {}", ex.method(), ex.uri(), e.toString());
            ex.abort(e);
        } catch (RuntimeException e) {
            // A bug of ours; never let it kill the server.
            LOG.error("internal error handling {} {}", ex.method(), ex.uri(), e);
            try {
                if (!ex.responded()) {
                    respond(ex, 500, "text/plain; charset=utf-8", "internal error: " + e + "\n");
                }
            } catch (IOException | RuntimeException ignored) {
                ex.abort(e);
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void requirePost(Exchange ex, String method, IoAction action) throws IOException {
        if (!method.equals("POST")) {
            // RFC 9110 §15.5.6: "The origin server MUST generate an Allow header field in a 405
            // response containing a list of the target resource's currently supported methods."
            ex.header("Allow", "POST");
            respond(ex, 405, "text/plain; charset=utf-8", "use POST\n");
            return;
        }
        action.run();
    }

    /**
     * {@code POST /offer}: the peer offers, the server answers with every candidate; with
     * {@code trickle} ({@code POST /trickle/offer}) neither description carries candidates, they go
     * through the trickle session named by the answer's Location.
     */
    private void handleOffer(Exchange ex, boolean trickle) throws IOException {
        String sdp = readBody(ex);
        if (sdp == null) {
            return;
        }
        Peer p = newPeer(ex);
        if (p == null) {
            return;
        }
        String id = trickle ? startTrickle(p) : null;
        try {
            await(p.pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp)));
            SessionDescriptionInit answer = await(p.pc.createAnswer());
            await(p.pc.setLocalDescription(answer));
            String text = trickle ? withoutCandidates(answer.sdp()) : completeLocalDescription(p);
            LOG.info("{}: answered {} offer ({} bytes of SDP){}", p.name, trickle ? "a trickle" : "an", text.length(),
                    trickle ? ", trickle id " + id : "");
            LOG.debug("{}: answer:\n{}", p.name, text);
            if (trickle) {
                ex.header("Location", "/trickle/" + id);
            }
            respond(ex, 200, "application/sdp", text);
        } catch (SignalingException e) {
            forget(p);
            signalingError(ex, p, "offer", e);
        }
    }

    /** Our local description once ICE gathering is complete (non-trickle signaling). */
    private String completeLocalDescription(Peer p) throws SignalingException {
        await(p.pc.gatheringComplete());
        return p.pc.localDescription().sdp();
    }

    /**
     * {@code POST /session}: the server offers (with every candidate); the answer comes to the
     * Location. With {@code trickle} ({@code POST /trickle/session}) the offer has no candidates and
     * the session id is also the trickle session's.
     */
    private void handleNewSession(Exchange ex, boolean trickle) throws IOException {
        if (readBody(ex) == null) {
            return;
        }
        if (pendingSessions.size() >= MAX_PENDING_SESSIONS) {
            respond(ex, 503, "text/plain; charset=utf-8",
                    "too many sessions waiting for an answer (limit " + MAX_PENDING_SESSIONS + ")\n");
            return;
        }
        Peer p = newPeer(ex);
        if (p == null) {
            return;
        }
        String id = trickle ? startTrickle(p) : null;
        try {
            // An offer needs at least one channel to carry an m=application section.
            openHello(p);
            SessionDescriptionInit offer = await(p.pc.createOffer());
            await(p.pc.setLocalDescription(offer));
            String text = trickle ? withoutCandidates(offer.sdp()) : completeLocalDescription(p);
            if (id == null) {
                id = newSessionId();
            }
            awaitAnswer(id, p);
            LOG.info("{}: offered {}session {} ({} bytes of SDP)", p.name, trickle ? "trickle " : "", id, text.length());
            LOG.debug("{}: offer:\n{}", p.name, text);
            // RFC 9110 §15.3.2 (201 Created): "the primary resource created by the request is
            // identified by either a Location header field in the response or, if no Location
            // header field is received, by the target URI."
            ex.header("Location", "/session/" + id);
            respond(ex, 201, "application/sdp", text);
        } catch (SignalingException e) {
            forget(p);
            signalingError(ex, p, "session", e);
        }
    }

    /**
     * Holds our offer's peer under {@code id} until {@code POST /session/<id>} brings the answer;
     * closes it if none comes within {@link #PENDING_SESSION_TTL}.
     */
    private void awaitAnswer(String id, Peer p) {
        pendingSessions.put(id, p);
        timers.schedule(() -> {
            if (pendingSessions.remove(id, p)) {
                LOG.info("{}: no answer for session {} within {}; closing", p.name, id, PENDING_SESSION_TTL);
                forget(p);
            }
        }, PENDING_SESSION_TTL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code POST /session/<id>}: the answer to a server offer. */
    private void handleSessionAnswer(Exchange ex, String id) throws IOException {
        String sdp = readBody(ex);
        if (sdp == null) {
            return;
        }
        Peer p = pendingSessions.remove(id);
        if (p == null) {
            respond(ex, 404, "text/plain; charset=utf-8", "no pending session '" + id + "' (unknown or expired)\n");
            return;
        }
        try {
            await(p.pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, sdp)));
            LOG.info("{}: session {} answered", p.name, id);
            respond(ex, 204, null, (byte[]) null);
        } catch (SignalingException e) {
            if (e.parseError != null) {
                // The offer is still valid: let the client try again with a correct answer.
                pendingSessions.putIfAbsent(id, p);
            } else {
                forget(p);
            }
            signalingError(ex, p, "answer", e);
        }
    }

    /**
     * Makes {@code p} a trickle ICE peer: its candidates go to a {@link TrickleOut} from now on
     * (register before setLocalDescription, which starts reporting them).
     *
     * @return the id of its trickle endpoints
     */
    private String startTrickle(Peer p) {
        String id = newSessionId();
        TrickleOut out = new TrickleOut();
        p.trickle = out;
        p.pc.onIceCandidate(out::add);
        trickleSessions.put(id, p);
        return id;
    }

    /**
     * Our SDP without {@code a=candidate} and {@code a=end-of-candidates} lines: createOffer and
     * createAnswer already list the host candidates gathered so far, which a trickle client gets
     * one by one instead. RFC 8838 §5: an initial ICE description may carry any mix of candidates,
     * including "conveying no candidates at all".
     */
    static String withoutCandidates(String sdp) {
        StringBuilder out = new StringBuilder(sdp.length());
        for (String line : sdp.split("\r\n", -1)) {
            if (line.startsWith("a=candidate:") || line.equals("a=end-of-candidates")) {
                continue;
            }
            out.append(line).append("\r\n");
        }
        // split(-1) leaves one empty string after the final CRLF
        return out.substring(0, out.length() - 2);
    }

    /**
     * {@code POST /trickle/<id>/reoffer}: a new offer on the live session (renegotiation; with new
     * ICE credentials it is an ICE restart, e.g. after the page's {@code restartIce()}): 200 with
     * our answer, without candidates; the candidates of a new ICE generation are appended to the
     * session's candidate list (after the first end-of-candidates).
     */
    private void handleTrickleReoffer(Exchange ex, String id) throws IOException {
        String sdp = readBody(ex);
        if (sdp == null) {
            return;
        }
        Peer p = trickleSessions.get(id);
        if (p == null) {
            respond(ex, 404, "text/plain; charset=utf-8", "no trickle session '" + id + "' (unknown or closed)\n");
            return;
        }
        String refused = admitReoffer(p, sdp);
        if (refused != null) {
            LOG.info("{}: refused a re-offer on trickle session {}: {}", p.name, id, refused);
            respond(ex, 429, "text/plain; charset=utf-8", refused + "\n");
            return;
        }
        try {
            await(p.pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp)));
            SessionDescriptionInit answer = await(p.pc.createAnswer());
            await(p.pc.setLocalDescription(answer));
            String bare = withoutCandidates(answer.sdp());
            LOG.info("{}: answered a re-offer on trickle session {} ({} bytes of SDP)", p.name, id, bare.length());
            respond(ex, 200, "application/sdp", bare);
        } catch (SignalingException e) {
            // A re-offer we cannot accept leaves the session as it was (no rollback needed).
            signalingError(ex, p, "re-offer", e);
        }
    }

    /**
     * The re-offer limits of a session ({@link ReofferLimit}); an ICE restart is an offer whose
     * {@code a=ice-ufrag} differs from the current remote description's.
     *
     * @return null if the re-offer may go on, else why not
     */
    private static String admitReoffer(Peer p, String offer) {
        SessionDescriptionInit remote = p.pc.remoteDescription();
        String before = remote == null ? null : ufragOf(remote.sdp());
        String after = ufragOf(offer);
        boolean restart = before != null && after != null && !before.equals(after);
        return p.reoffers.admit(restart, System.nanoTime());
    }

    /** The first {@code a=ice-ufrag} value of an SDP, or null. */
    static String ufragOf(String sdp) {
        int i = sdp.indexOf("a=ice-ufrag:");
        if (i < 0) {
            return null;
        }
        int end = i + "a=ice-ufrag:".length();
        while (end < sdp.length() && !Character.isWhitespace(sdp.charAt(end))) {
            end++;
        }
        return sdp.substring(i + "a=ice-ufrag:".length(), end);
    }

    /** {@code POST /trickle/<id>/candidate}: one of the client's candidates (RTCIceCandidateInit). */
    private void handleTrickleCandidate(Exchange ex, String id) throws IOException {
        String body = readBody(ex);
        if (body == null) {
            return;
        }
        Peer p = trickleSessions.get(id);
        if (p == null) {
            respond(ex, 404, "text/plain; charset=utf-8", "no trickle session '" + id + "' (unknown or closed)\n");
            return;
        }
        IceCandidateInit c;
        try {
            JsonNode n = json.readTree(body);
            if (n == null || !n.isObject() || !n.path("candidate").isTextual()) {
                throw new IllegalArgumentException("expected a JSON object with a string \"candidate\"");
            }
            JsonNode index = n.path("sdpMLineIndex");
            if (!index.isMissingNode() && !index.isNull() && !index.canConvertToInt()) {
                throw new IllegalArgumentException("sdpMLineIndex is not an integer: " + index);
            }
            c = new IceCandidateInit(n.path("candidate").asText(), textOrNull(n.path("sdpMid")),
                    index.isIntegralNumber() ? Integer.valueOf(index.intValue()) : null,
                    textOrNull(n.path("usernameFragment")));
        } catch (IOException | IllegalArgumentException e) {
            respond(ex, 400, "text/plain; charset=utf-8", "bad candidate: " + e.getMessage() + "\n");
            return;
        }
        String refused = countTrickledIn(p, c.usernameFragment());
        if (refused != null) {
            respond(ex, 400, "text/plain; charset=utf-8", refused + "\n");
            return;
        }
        try {
            await(p.pc.addIceCandidate(c));
            LOG.debug("{}: trickled candidate '{}'", p.name, c.candidate());
            respond(ex, 204, null, (byte[]) null);
        } catch (SignalingException e) {
            // A candidate we cannot use does not end the session.
            signalingError(ex, p, "candidate", e);
        }
    }

    /**
     * Counts one trickled candidate against its ICE generation's limit ({@value #MAX_TRICKLED_IN}
     * per usernameFragment; a candidate without one counts for the current generation, "").
     *
     * @return null if it may be used, else why not
     */
    private static String countTrickledIn(Peer p, String ufrag) {
        String key = ufrag == null ? "" : ufrag;
        synchronized (p) {
            Integer n = p.trickledIn.get(key);
            if (n == null && p.trickledIn.size() >= MAX_RESTARTS + 2) {
                return "candidates of too many ICE generations (limit " + (MAX_RESTARTS + 1) + ")";
            }
            int count = n == null ? 1 : n + 1;
            if (count > MAX_TRICKLED_IN) {
                return "more than " + MAX_TRICKLED_IN + " candidates in one ICE generation";
            }
            p.trickledIn.put(key, count);
            return null;
        }
    }

    private static String textOrNull(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }

    /** {@code POST /trickle/<id>/candidates}: the server's candidates from an index on. */
    private void handleTricklePoll(Exchange ex, String id) throws IOException {
        String body = readBody(ex);
        if (body == null) {
            return;
        }
        Peer p = trickleSessions.get(id);
        if (p == null || p.trickle == null) {
            respond(ex, 404, "text/plain; charset=utf-8", "no trickle session '" + id + "' (unknown or closed)\n");
            return;
        }
        int from;
        try {
            from = Integer.parseInt(body.strip());
            if (from < 0) {
                throw new NumberFormatException("negative");
            }
        } catch (NumberFormatException e) {
            respond(ex, 400, "text/plain; charset=utf-8", "the body must be a candidate index >= 0\n");
            return;
        }
        // A long poll holds an HTTP thread up to TRICKLE_POLL_MS: one per session and
        // MAX_WAITING_POLLS in all, so that polls cannot starve the other requests and /ws.
        if (!p.polling.compareAndSet(false, true)) {
            respond(ex, 429, "text/plain; charset=utf-8", "a poll of this session is already waiting\n");
            return;
        }
        TrickleOut.Batch batch;
        try {
            if (waitingPolls.incrementAndGet() > MAX_WAITING_POLLS) {
                respond(ex, 429, "text/plain; charset=utf-8", "too many waiting polls (limit " + MAX_WAITING_POLLS + "); retry\n");
                return;
            }
            batch = p.trickle.since(from, TRICKLE_POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(ex, 503, "text/plain; charset=utf-8", "server shutting down\n");
            return;
        } finally {
            waitingPolls.decrementAndGet();
            p.polling.set(false);
        }
        List<IceCandidateInit> list = batch.candidates();
        ObjectNode o = json.createObjectNode();
        ArrayNode a = o.putArray("candidates");
        for (IceCandidateInit c : list) {
            ObjectNode j = a.addObject();
            j.put("candidate", c.candidate());
            j.put("sdpMid", c.sdpMid());
            j.putPOJO("sdpMLineIndex", c.sdpMLineIndex());
            j.put("usernameFragment", c.usernameFragment());
        }
        o.put("next", batch.next());
        respond(ex, 200, "application/json", o.toString());
    }

    /** {@code POST /result}: a JSON object reported by the interop page. */
    private void handleResult(Exchange ex) throws IOException {
        String body = readBody(ex);
        if (body == null) {
            return;
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            respond(ex, 400, "text/plain; charset=utf-8", "not JSON: " + e.getMessage() + "\n");
            return;
        }
        if (node == null || !node.isObject()) {
            respond(ex, 400, "text/plain; charset=utf-8", "expected a JSON object\n");
            return;
        }
        String compact = node.toString();
        LOG.info("interop result: {}", compact);
        if (!results.offer(compact)) {
            respond(ex, 503, "text/plain; charset=utf-8", "result queue full\n");
            return;
        }
        respond(ex, 204, null, (byte[]) null);
    }

    private void signalingError(Exchange ex, Peer p, String what, SignalingException e) throws IOException {
        if (e.parseError != null) {
            LOG.info("{}: rejected {}: {}", p.name, what, e.parseError.getMessage());
            respond(ex, 400, "text/plain; charset=utf-8", "invalid SDP " + what + ": " + e.parseError.getMessage() + "\n");
        } else if (e.getCause() instanceof IllegalArgumentException || e.getCause() instanceof IllegalStateException) {
            LOG.info("{}: rejected {}: {}", p.name, what, e.getCause().toString());
            respond(ex, 400, "text/plain; charset=utf-8", "cannot use this " + what + ": " + e.getCause().getMessage() + "\n");
        } else {
            LOG.warn("{}: {} failed", p.name, what, e);
            respond(ex, 500, "text/plain; charset=utf-8", what + " failed: " + e.getMessage() + "\n");
        }
    }

    // ---------------------------------------------------------------- peers

    /** The configuration of a new peer connection of ours, with its own TURN credential if any. */
    private RtcConfiguration rtcFor(String peerName) {
        String id = peerName.replaceAll("[^A-Za-z0-9_-]", "_");
        id = id.substring(0, Math.min(id.length(), 64));
        return iceSetup.applyTo(RtcConfiguration.builder().iceAddressFilter(iceFilter).maxMessageSize(MAX_MESSAGE_SIZE),
                System.currentTimeMillis() / 1000, id).build();
    }

    /** Creates and registers a peer connection, or answers 503 and returns null at the limit. */
    private Peer newPeer(Exchange ex) throws IOException {
        Peer p = createPeer("peer-" + peerCounter.incrementAndGet(), String.valueOf(ex.remote()));
        if (p == null) {
            respond(ex, 503, "text/plain; charset=utf-8", "too many peer connections (limit " + MAX_PEERS + ")\n");
        }
        return p;
    }

    /**
     * Creates and registers a peer connection with the server's channel behaviour
     * ({@link ServerChannels}), the connect deadline and clean-up on failure.
     *
     * @param name a unique name for logs and the registry
     * @param origin who asked for it, for the log
     * @return the peer, or null at the {@value #MAX_PEERS} limit or when the server is closed
     */
    Peer createPeer(String name, String origin) {
        Peer p;
        synchronized (peers) { // check and insert together, so the limit holds under concurrent requests
            if (closed.get() || peers.size() >= MAX_PEERS || peers.containsKey(name)) {
                return null;
            }
            p = new Peer(name, new PeerConnection(rtcFor(name)));
            peers.put(p.name, p);
        }
        PeerConnection pc = p.pc;
        InteropControl control = new InteropControl(p.name, pc);
        pc.onDataChannel(ch -> ServerChannels.attach(p.name, ch, control));
        pc.onConnectionStateChange(st -> onStateChange(p, st));
        timers.schedule(() -> {
            if (!p.connected && peers.containsKey(p.name)) {
                LOG.info("{}: not connected within {}; closing", p.name, CONNECT_DEADLINE);
                forget(p);
            }
        }, CONNECT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("{}: created for {}", p.name, origin);
        return p;
    }

    /** Runs on the peer's event loop: must not block. */
    private void onStateChange(Peer p, PeerConnectionState st) {
        LOG.info("{}: connection state {}", p.name, st);
        switch (st) {
            case CONNECTED -> {
                p.connected = true;
                openHello(p);
            }
            case FAILED, CLOSED -> forget(p);
            default -> {
            }
        }
    }

    /** Opens the server's {@code hello} channel once per peer; it sends one string when open. */
    private void openHello(Peer p) {
        if (!p.helloCreated.compareAndSet(false, true)) {
            return;
        }
        try {
            DataChannel hello = p.pc.createDataChannel(Scenario.HELLO, Channels.reliable(true));
            AtomicBoolean sent = new AtomicBoolean();
            Runnable sendHello = () -> {
                if (sent.compareAndSet(false, true)) {
                    try {
                        hello.send(Scenario.HELLO_TEXT);
                        LOG.info("{}: sent hello on channel id {}", p.name, hello.id());
                    } catch (IllegalArgumentException | IllegalStateException e) {
                        LOG.warn("{}: cannot send hello: {}", p.name, e.getMessage());
                    }
                }
            };
            hello.onOpen(sendHello);
            if (Channels.isOpen(hello)) {
                sendHello.run();
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("{}: cannot open the hello channel: {}", p.name, e.getMessage());
        }
    }

    /** Removes the peer and closes it off the caller's thread (callers may be event loops). */
    void forget(Peer p) {
        if (peers.remove(p.name) != null) {
            pendingSessions.values().remove(p);
            trickleSessions.values().remove(p);
            try {
                closer.execute(() -> closeQuietly(p));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                closeQuietly(p); // server shutting down
            }
        }
    }

    private static void closeQuietly(Peer p) {
        try {
            p.pc.close();
        } catch (RuntimeException e) {
            LOG.warn("{}: close failed", p.name, e);
        }
    }

    private String newSessionId() {
        byte[] b = new byte[12];
        ids.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ---------------------------------------------------------------- helpers

    /** A signaling step failed; {@link #parseError} is set when the SDP did not parse. */
    private static final class SignalingException extends Exception {
        final SdpParseException parseError;

        SignalingException(String message, Throwable cause, SdpParseException parseError) {
            super(message, cause);
            this.parseError = parseError;
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws SignalingException {
        try {
            return f.get(SIGNALING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new SignalingException(String.valueOf(c), c, findParseError(c));
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new SignalingException("timed out after " + SIGNALING_TIMEOUT, e, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignalingException("interrupted", e, null);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SignalingException(e.toString(), e, null);
        }
    }

    static SdpParseException findParseError(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof SdpParseException spe) {
                return spe;
            }
        }
        return null;
    }

    /** Reads the request body, or answers 413 and returns null when it exceeds the limit. */
    private static String readBody(Exchange ex) throws IOException {
        InputStream in = ex.body();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > MAX_BODY_BYTES) {
                // RFC 9110 §15.5.14 (413 Content Too Large): "the request content is larger than
                // the server is willing or able to process."
                respond(ex, 413, "text/plain; charset=utf-8", "request body larger than " + MAX_BODY_BYTES + " bytes\n");
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void respond(Exchange ex, int code, String contentType, String body) throws IOException {
        ex.respond(code, contentType, body);
    }

    private static void respond(Exchange ex, int code, String contentType, byte[] body) throws IOException {
        ex.respond(code, contentType, body);
    }
}
