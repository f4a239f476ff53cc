package org.jdatachannel.cli;

import static org.jdatachannel.cli.WsClient.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Rooms} over a real WebSocket on 127.0.0.1 (the JDK's client against the server's Jetty):
 * membership, relaying to the addressed member only, bounds, and bad input answered with errors.
 */
@Timeout(60)
class RoomSignalingTest {

    private PeerServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of("127.0.0.1")));
        server.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        server.close();
    }

    private WsClient connect(String query) throws Exception {
        WsClient c = WsClient.connect(server.port(), query);
        clients.add(c);
        return c;
    }

    private static List<String> ids(JsonNode peers) {
        List<String> out = new ArrayList<>();
        peers.forEach(p -> out.add(p.path("id").asText() + ":" + p.path("kind").asText()));
        return out;
    }

    @Test
    void joinSeeOthersAndLeave() throws Exception {
        WsClient a = connect("?room=r1");
        JsonNode aj = a.next("joined");
        assertEquals("r1", aj.path("room").asText());
        String aId = aj.path("id").asText();
        assertTrue(aId.matches("[0-9a-f]{16}"), aId);
        assertEquals(List.of("jvm:jvm"), ids(aj.path("peers")), "the JVM peer is in every room");

        WsClient b = connect("");
        b.send(msg("join").put("room", "r1"));
        JsonNode bj = b.next("joined");
        String bId = bj.path("id").asText();
        assertNotEquals(aId, bId);
        assertEquals(List.of("jvm:jvm", aId + ":browser"), ids(bj.path("peers")));
        JsonNode announced = a.next("peer-joined");
        assertEquals(bId, announced.path("peer").path("id").asText());
        assertEquals("browser", announced.path("peer").path("kind").asText());
        assertEquals(Map.of("r1", List.of(aId, bId)), server.roomsSnapshot());

        // Joining twice is refused; leaving and re-joining works.
        b.send(msg("join").put("room", "r2"));
        assertTrue(b.next("error").path("reason").asText().contains("already in room"));
        b.send(msg("leave"));
        assertEquals(bId, a.next("peer-left").path("id").asText());
        b.send(msg("join").put("room", "r2"));
        assertEquals("r2", b.next("joined").path("room").asText());

        // A socket that closes leaves its room; an empty room is forgotten.
        a.closeNormally();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.roomsSnapshot().containsKey("r1") && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // bounded poll of the condition
        }
        assertEquals(Map.of("r2", List.of(bId)), server.roomsSnapshot());
    }

    @Test
    void relaysOnlyToTheAddressedMember() throws Exception {
        WsClient a = connect("?room=mesh");
        String aId = a.next("joined").path("id").asText();
        WsClient b = connect("?room=mesh");
        String bId = b.next("joined").path("id").asText();
        WsClient c = connect("?room=mesh");
        String cId = c.next("joined").path("id").asText();
        WsClient other = connect("?room=elsewhere");
        String otherId = other.next("joined").path("id").asText();
        a.drainWithPing();
        b.drainWithPing();

        a.send(msg("offer").put("to", bId).put("sdp", "v=0\r\n"));
        JsonNode offer = b.next("offer");
        assertEquals(aId, offer.path("from").asText());
        assertFalse(offer.has("to"), "the recipient sees who sent it, not its own id");
        assertEquals("v=0\r\n", offer.path("sdp").asText());

        var cand = msg("candidate").put("to", aId);
        cand.putObject("candidate").put("candidate", "candidate:1 1 udp 1 198.18.0.9 9 typ host")
                .put("sdpMid", "0").put("sdpMLineIndex", 0);
        b.send(cand);
        JsonNode gotCand = a.next("candidate");
        assertEquals(bId, gotCand.path("from").asText());
        assertEquals("0", gotCand.path("candidate").path("sdpMid").asText());
        b.send(msg("end-of-candidates").put("to", aId));
        assertEquals(bId, a.next("end-of-candidates").path("from").asText());
        b.send(msg("answer").put("to", aId).put("sdp", "v=0\r\n"));
        assertEquals(bId, a.next("answer").path("from").asText());

        assertEquals(List.of(), c.drainWithPing(), "the third member saw nothing of a and b's exchange");
        assertEquals(List.of(), other.drainWithPing(), "nor did a member of another room");

        // A member of another room, or oneself, cannot be addressed.
        a.send(msg("offer").put("to", otherId).put("sdp", "v=0\r\n"));
        assertTrue(a.next("error").path("reason").asText().contains("no member"));
        a.send(msg("offer").put("to", aId).put("sdp", "v=0\r\n"));
        assertTrue(a.next("error").path("reason").asText().contains("yourself"));
        assertEquals(List.of(), other.drainWithPing());
        assertTrue(cId.length() > 0);
    }

    @Test
    void badInputIsAnsweredWithErrorsAndTheSocketStays() throws Exception {
        WsClient a = connect("");
        List<String> bad = List.of(
                "not json",
                "[1,2]",
                "{\"type\":5}",
                "{\"type\":\"teleport\"}",
                "{\"type\":\"offer\",\"to\":\"jvm\",\"sdp\":\"v=0\"}",          // not in a room yet
                "{\"type\":\"join\"}",
                "{\"type\":\"join\",\"room\":\"no spaces allowed\"}",
                "{\"type\":\"join\",\"room\":\"" + "x".repeat(65) + "\"}",
                "{\"type\":\"join\",\"room\":{}}",
                "{" + "\"a\":[".repeat(50) + "]".repeat(10));
        for (String text : bad) {
            a.send(text);
            JsonNode e = a.next();
            assertEquals("error", e.path("type").asText(), () -> "for " + text + ": " + e);
            assertFalse(e.path("reason").asText().isEmpty());
        }
        a.send(msg("join").put("room", "ok"));
        a.next("joined");
        List<String> badRelays = List.of(
                "{\"type\":\"offer\",\"sdp\":\"v=0\"}",                     // no to
                "{\"type\":\"offer\",\"to\":\"jvm\"}",                      // no sdp
                "{\"type\":\"answer\",\"to\":\"jvm\",\"sdp\":7}",
                "{\"type\":\"candidate\",\"to\":\"jvm\",\"candidate\":\"x\"}",
                "{\"type\":\"candidate\",\"to\":\"jvm\",\"candidate\":{}}",
                "{\"type\":\"answer\",\"to\":\"jvm\",\"sdp\":\"v=0\"}",     // the JVM peer only answers
                "{\"type\":\"offer\",\"to\":\"jvm\",\"sdp\":\"garbage\"}"); // JVM peer cannot parse it
        for (String text : badRelays) {
            a.send(text);
            JsonNode e = a.next();
            assertEquals("error", e.path("type").asText(), () -> "for " + text + ": " + e);
        }
        assertEquals(List.of(), a.drainWithPing());
        // Candidates may come before the offer: the JVM peer keeps a bounded number of them.
        for (int i = 0; i <= JvmRoomPeer.MAX_EARLY_CANDIDATES; i++) {
            var c = msg("candidate").put("to", "jvm");
            c.putObject("candidate").put("candidate", "candidate:" + i + " 1 udp 1 198.18.0.9 9 typ host").put("sdpMid", "0");
            a.send(c);
        }
        List<JsonNode> early = a.drainWithPing();
        assertEquals(1, early.size(), early::toString);
        assertTrue(early.get(0).path("reason").asText().contains("before an offer"), early::toString);
        assertFalse(a.closeCode.isDone(), "the socket is still open");
    }

    @Test
    void handshakesFromPagesOfOtherOriginsAreRefused() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().proxy(java.net.http.HttpClient.Builder.NO_PROXY).build();
        var refused = http.newWebSocketBuilder().header("Origin", "http://evil.example:" + server.port())
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws?room=o"),
                        new java.net.http.WebSocket.Listener() { });
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> refused.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof java.net.http.WebSocketHandshakeException, () -> String.valueOf(e.getCause()));
        assertEquals(403, ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        var accepted = http.newWebSocketBuilder().header("Origin", "http://127.0.0.1:" + server.port())
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws?room=o"),
                        new java.net.http.WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
        accepted.abort();
        assertTrue(Rooms.sameOrigin("https://h.example", "h.example:443"));
        assertTrue(Rooms.sameOrigin("http://H.example", "h.example"));
        assertFalse(Rooms.sameOrigin("http://h.example:8080", "h.example:8081"));
        assertFalse(Rooms.sameOrigin("null", "h.example"));
        assertFalse(Rooms.sameOrigin("http://[bad", "h.example"));
    }

    @Test
    void oversizedMessageClosesWith1009() throws Exception {
        WsClient a = connect("?room=big");
        a.next("joined");
        a.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(Rooms.MAX_MESSAGE_BYTES) + "\"}");
        int code = a.closeCode.get(10, TimeUnit.SECONDS);
        // RFC 6455 §7.4.1: 1009 "a message that is too big for it to process".
        assertEquals(1009, code);
        // The server keeps serving.
        WsClient b = connect("?room=big");
        b.next("joined");
    }

    @Test
    void roomsAndMembersAreBounded() throws Exception {
        for (int i = 0; i < Rooms.MAX_MEMBERS; i++) {
            connect("?room=full").next("joined");
        }
        WsClient late = connect("?room=full");
        assertTrue(late.next("error").path("reason").asText().contains("full"));
        // Rooms: MAX_ROOMS in all; one is "full" already.
        for (int i = 1; i < Rooms.MAX_ROOMS; i++) {
            connect("?room=r" + i).next("joined");
        }
        WsClient tooMany = connect("?room=one-more");
        assertTrue(tooMany.next("error").path("reason").asText().contains("too many rooms"));
        assertEquals(Rooms.MAX_ROOMS, server.roomsSnapshot().size());
    }

    @Test
    void floodingIsRateLimited() throws Exception {
        WsClient a = connect("?room=flood");
        a.next("joined");
        int sent = Rooms.BURST * 8; // fast enough on a loaded machine to outrun the refill; fewer drops than MAX_DROPPED
        for (int i = 0; i < sent; i++) {
            a.send(msg("ping"));
        }
        int pongs = 0;
        JsonNode n;
        while (!(n = a.next()).path("type").asText().equals("error")) {
            assertEquals("pong", n.path("type").asText(), n::toString);
            pongs++;
        }
        assertTrue(n.path("reason").asText().contains("rate limit"), n::toString);
        System.out.println("flood: " + sent + " pings, " + pongs + " pongs before the rate-limit error");
        assertTrue(pongs >= Rooms.BURST && pongs < sent, "pongs " + pongs);
        // Dropping is not closing: once the bucket refills, pings are answered again (bounded retries).
        boolean answered = false;
        for (int i = 0; i < 40 && !answered; i++) {
            a.send(msg("ping"));
            JsonNode r;
            while ((r = a.poll(java.time.Duration.ofMillis(250))) != null && !answered) {
                answered = r.path("type").asText().equals("pong");
            }
        }
        assertTrue(answered, "pings answered again after the flood");
        assertFalse(a.closeCode.isDone(), "rate limiting drops messages, it does not close the socket");
    }

    private void awaitSockets(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.webSocketCount() != n) {
            assertTrue(System.nanoTime() < end, "open sockets: " + server.webSocketCount() + ", want " + n);
            Thread.sleep(10); // bounded poll of the condition
        }
    }

    /**
     * The socket count (bound {@link Rooms#MAX_SOCKETS}) goes down for every way a socket ends:
     * a normal close, an abort without a close frame, and upgrades whose client vanishes before or
     * while the server answers (never opened: never counted).
     */
    @Test
    void socketCountFollowsClosesAbortsAndFailedUpgrades() throws Exception {
        WsClient a = connect("?room=c");
        WsClient b = connect("?room=c");
        WsClient c = connect("");
        a.next("joined");
        b.next("joined");
        awaitSockets(3);
        a.close(); // abort: TCP closed without a close frame
        b.closeNormally();
        awaitSockets(1);
        c.close();
        awaitSockets(0);
        for (int i = 0; i < 20; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                s.setSoLinger(true, 0); // close with RST
                s.getOutputStream().write(("GET /ws?room=c HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                        + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + (i % 2 == 0 ? "\r\n" : ""))
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
        }
        WsClient d = connect("?room=c");
        d.next("joined");
        awaitSockets(1);
        d.closeNormally();
        awaitSockets(0);
    }
}
