package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.jdatachannel.PeerConnection;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP side of {@link PeerServer}: status codes, errors, pages, and that it keeps serving. */
@Timeout(60)
class HttpEndpointsTest {

    private PeerServer server;
    private String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .proxy(HttpClient.Builder.NO_PROXY).build();

    @BeforeEach
    void start() throws Exception {
        server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of("127.0.0.1")));
        server.start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A well-formed offer from a real peer connection, with candidates. */
    private static String validOffer(PeerConnection pc) throws Exception {
        pc.createDataChannel(Scenario.ECHO, Channels.reliable(true));
        SessionDescriptionInit offer = pc.createOffer().get();
        pc.setLocalDescription(offer).get();
        pc.gatheringComplete().get();
        return pc.localDescription().sdp();
    }

    @Test
    void badOfferGets400WithTheLineNumberAndTheServerKeepsServing() throws Exception {
        // Line 3 is not of the form <type>=<value> (RFC 8866 §5).
        HttpResponse<String> bad = post("/offer", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nthis is not sdp\r\n");
        System.out.println("400 body: " + bad.body().strip());
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().matches("(?s).*line \\d+.*"), () -> "names the line: " + bad.body());

        HttpResponse<String> garbage = post("/offer", "\u0000\u0001garbage");
        assertEquals(400, garbage.statusCode(), garbage::body);
        assertTrue(garbage.body().contains("line "), garbage::body);

        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());

        PeerConnection pc = new PeerConnection(RtcConfiguration.builder()
                .iceAddressFilter(IceAddresses.of(List.of("127.0.0.1"))).build());
        try {
            HttpResponse<String> ok = post("/offer", validOffer(pc));
            assertEquals(200, ok.statusCode(), ok::body);
            assertTrue(ok.body().startsWith("v=0"), ok::body);
            assertEquals("application/sdp", ok.headers().firstValue("Content-Type").orElse(""));
        } finally {
            pc.close();
        }
    }

    @Test
    void sessionFlowStatusCodes() throws Exception {
        HttpResponse<String> created = post("/session", "");
        assertEquals(201, created.statusCode(), created::body);
        String location = created.headers().firstValue("Location").orElse("");
        assertTrue(location.matches("/session/[0-9a-f]+"), location);
        assertTrue(created.body().startsWith("v=0"), created::body);

        HttpResponse<String> badAnswer = post(location, "v=0\r\nnot sdp\r\n");
        assertEquals(400, badAnswer.statusCode());
        assertTrue(badAnswer.body().contains("line "), badAnswer::body);

        HttpResponse<String> unknown = post("/session/0123456789abcdef", "v=0\r\n");
        assertEquals(404, unknown.statusCode());

        assertEquals(405, get("/offer").statusCode());
        assertEquals(404, get("/nothing-here").statusCode());
    }

    @Test
    void pagesGetTheIceConfiguration() throws Exception {
        HttpResponse<String> none = get("/config.json");
        assertEquals(200, none.statusCode());
        assertEquals("application/json", none.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"iceServers\":[],\"iceTransportPolicy\":\"all\"}", none.body());
        assertEquals(405, post("/config.json", "").statusCode());
        var ice = new IceSetup(List.of(org.jdatachannel.ice.IceServer.stun("stun:stun.example.org"),
                org.jdatachannel.ice.IceServer.turn("turn:turn.example.org?transport=udp", "user", "secret")), true);
        try (PeerServer other = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of("127.0.0.1")), ice)) {
            other.start();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + "/config.json")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"iceServers\":[{\"urls\":[\"stun:stun.example.org\"]},{\"urls\":"
                    + "[\"turn:turn.example.org?transport=udp\"],\"username\":\"user\",\"credential\":\"secret\"}],"
                    + "\"iceTransportPolicy\":\"relay\"}", r.body());
        }
    }

    @Test
    void oversizedBodyGets413() throws Exception {
        HttpResponse<String> r = post("/offer", "a".repeat(PeerServer.MAX_BODY_BYTES + 1));
        assertEquals(413, r.statusCode());
    }

    @Test
    void pagesAreServed() throws Exception {
        HttpResponse<String> index = get("/");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("<html"), "demo page is HTML");
        assertTrue(index.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertEquals(200, get("/demo.js").statusCode());
        HttpResponse<String> roomJs = get("/room.js");
        assertEquals(200, roomJs.statusCode());
        assertTrue(roomJs.body().contains("/ws?room="), "the room demo signals over /ws");
        assertTrue(index.body().contains("room.js"), "the demo page loads the room demo");
        HttpResponse<String> interop = get("/interop.html");
        assertEquals(200, interop.statusCode());
        assertTrue(interop.body().contains("/result"), "the interop page reports to /result");
    }

    @Test
    void closedPeersAreForgotten() throws Exception {
        var r = EchoTest.run(new ClientSession.Options(URI.create(base), false, IceAddresses.of(List.of("127.0.0.1")),
                Duration.ofSeconds(40)));
        assertTrue(r.path("ok").asBoolean(), r::toString);
        // The client closed its connection when the test ended; the server must notice (DTLS
        // close_notify / SCTP shutdown) and drop its peer. Bounded poll of the condition.
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (server.peerCount() > 0 && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // poll every 20 ms
        }
        assertEquals(0, server.peerCount(), "peer connections left after the client closed");
    }

    @Test
    void resultsArePostedAndAwaited() throws Exception {
        assertEquals(400, post("/result", "not json").statusCode());
        assertEquals(400, post("/result", "[1,2]").statusCode());
        assertEquals(204, post("/result", "{\"ok\":true,\"test\":\"echo\"}").statusCode());
        String got = server.awaitResult(Duration.ofSeconds(5));
        assertNotNull(got);
        assertEquals("{\"ok\":true,\"test\":\"echo\"}", got);
    }

    /**
     * Clients that announce a body and never send it must not stop the server: their connections
     * are closed after {@link PeerServer#MAX_REQUEST_SECONDS} idle seconds, and a page request
     * meanwhile is served.
     */
    @Test
    void slowClientsDoNotStopTheServer() throws Exception {
        List<java.net.Socket> slow = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", server.port());
                s.getOutputStream().write(("POST /offer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sdp\r\n"
                        + "Content-Length: 100\r\n\r\nv=0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/"))
                    .timeout(Duration.ofSeconds(PeerServer.MAX_REQUEST_SECONDS + 20)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
    }

    /** Sends one raw HTTP/1.1 request with the given Host header; returns the status line. */
    private static String statusFor(int port, String path, String host, String extraHeaders) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders
                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            return all.substring(0, Math.max(0, all.indexOf("\r\n")));
        }
    }

    /** A WebSocket upgrade of /ws with Host and a matching Origin; returns "HTTP/1.1 NNN". */
    private static String wsStatus(int port, String host) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /ws?room=r HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /**
     * DNS rebinding: a page of another site whose name now resolves to us sends its own name in
     * Host (and a matching Origin): refused, the pages, /config.json and the /ws upgrade alike.
     * IP literals, localhost and names given with --allowed-host are served.
     */
    @Test
    void requestsForOtherHostsAreRefused() throws Exception {
        int port = server.port();
        for (String path : List.of("/", "/config.json", "/interop.html")) {
            assertTrue(statusFor(port, path, "rebind.example:" + port, "").contains(" 403 "), path);
            assertTrue(statusFor(port, path, "127.0.0.1:" + port, "").contains(" 200 "), path);
            assertTrue(statusFor(port, path, "localhost:" + port, "").contains(" 200 "), path);
            assertTrue(statusFor(port, path, "[::1]:" + port, "").contains(" 200 "), path);
        }
        assertEquals("HTTP/1.1 403", wsStatus(port, "rebind.example:" + port), "the upgrade for another host");
        assertEquals("HTTP/1.1 101", wsStatus(port, "localhost:" + port), "the upgrade for localhost");
        try (PeerServer named = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of("127.0.0.1")), IceSetup.NONE, new HostCheck(List.of("Demo.Example.org")))) {
            named.start();
            assertTrue(statusFor(named.port(), "/", "demo.example.org:" + named.port(), "").contains(" 200 "));
            assertTrue(statusFor(named.port(), "/", "other.example.org", "").contains(" 403 "));
        }
    }
}
