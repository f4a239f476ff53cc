package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jdatachannel.DataChannel;
import org.jdatachannel.IceCandidateInit;
import org.jdatachannel.PeerConnection;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP trickle ICE endpoints of {@link PeerServer} with a Java client over 127.0.0.1: both
 * roles connect with descriptions that carry no candidates and candidates exchanged one by one
 * (the browser tests drive the same endpoints from {@code interop.html?trickle=1}); bad requests
 * get 400/404/405 and leave the session usable.
 */
@Timeout(90)
class TrickleHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T = 20;

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
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static PeerConnection client() {
        return new PeerConnection(RtcConfiguration.builder().iceAddressFilter(IceAddresses.of(List.of("127.0.0.1")))
                .build());
    }

    private static boolean hasCandidates(String sdp) {
        return sdp.contains("\na=candidate:") || sdp.contains("\na=end-of-candidates");
    }

    private static String json(IceCandidateInit c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("candidate", c.candidate());
        o.put("sdpMid", c.sdpMid());
        o.putPOJO("sdpMLineIndex", c.sdpMLineIndex());
        o.put("usernameFragment", c.usernameFragment());
        return o.toString();
    }

    /** Posts our candidates until our end-of-candidates; returns how many (the "" included). */
    private int postCandidates(String trickle, BlockingQueue<IceCandidateInit> ours) throws Exception {
        int n = 0;
        while (true) {
            IceCandidateInit c = ours.poll(T, TimeUnit.SECONDS);
            assertNotNull(c, "our next candidate");
            HttpResponse<String> r = post(trickle + "/candidate", json(c));
            assertEquals(204, r.statusCode(), () -> c + ": " + r.body());
            n++;
            if (c.candidate().isEmpty()) {
                return n;
            }
        }
    }

    /** Fetches and adds the server's candidates until its end-of-candidates; returns them. */
    private List<String> fetchCandidates(String trickle, PeerConnection pc) throws Exception {
        List<String> got = new ArrayList<>();
        int next = 0;
        while (got.isEmpty() || !got.get(got.size() - 1).isEmpty()) {
            HttpResponse<String> r = post(trickle + "/candidates", Integer.toString(next));
            assertEquals(200, r.statusCode(), r::body);
            JsonNode j = JSON.readTree(r.body());
            for (JsonNode c : j.path("candidates")) {
                IceCandidateInit init = new IceCandidateInit(c.path("candidate").asText(),
                        c.path("sdpMid").isTextual() ? c.path("sdpMid").asText() : null,
                        c.path("sdpMLineIndex").isInt() ? c.path("sdpMLineIndex").asInt() : null,
                        c.path("usernameFragment").isTextual() ? c.path("usernameFragment").asText() : null);
                pc.addIceCandidate(init).get(T, TimeUnit.SECONDS);
                got.add(init.candidate());
            }
            assertEquals(next + j.path("candidates").size(), j.path("next").asInt(), r::body);
            next = j.path("next").asInt();
        }
        return got;
    }

    @Test
    void clientOffersWithTrickle() throws Exception {
        PeerConnection pc = client();
        try {
            BlockingQueue<IceCandidateInit> ours = new LinkedBlockingQueue<>();
            pc.onIceCandidate(ours::add);
            DataChannel echo = pc.createDataChannel(Scenario.ECHO, Channels.reliable(true));
            BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
            echo.onMessage(m -> inbox.add(m.text()));
            CompletableFuture<Void> open = new CompletableFuture<>();
            echo.onOpen(() -> open.complete(null));
            SessionDescriptionInit offer = pc.createOffer().get(T, TimeUnit.SECONDS);
            pc.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            HttpResponse<String> r = post("/trickle/offer", PeerServer.withoutCandidates(offer.sdp()));
            assertEquals(200, r.statusCode(), r::body);
            assertFalse(hasCandidates(r.body()), () -> "the answer carries no candidates:\n" + r.body());
            String trickle = r.headers().firstValue("Location").orElseThrow();
            assertTrue(trickle.startsWith("/trickle/"), trickle);
            pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, r.body()))
                    .get(T, TimeUnit.SECONDS);
            int sent = postCandidates(trickle, ours);
            List<String> got = fetchCandidates(trickle, pc);
            System.out.printf("trickle, client offers: sent %d candidates, got %s%n", sent, got);
            assertTrue(got.stream().anyMatch(c -> c.contains(" 127.0.0.1 ")), got::toString);
            open.get(T, TimeUnit.SECONDS);
            echo.send("over trickled candidates");
            assertEquals("over trickled candidates", inbox.poll(T, TimeUnit.SECONDS));
        } finally {
            pc.close();
        }
    }

    @Test
    void serverOffersWithTrickle() throws Exception {
        PeerConnection pc = client();
        try {
            BlockingQueue<IceCandidateInit> ours = new LinkedBlockingQueue<>();
            pc.onIceCandidate(ours::add);
            BlockingQueue<String> hello = new LinkedBlockingQueue<>();
            pc.onDataChannel(ch -> ch.onMessage(m -> hello.add(ch.label() + ": " + m.text())));
            HttpResponse<String> r = post("/trickle/session", "");
            assertEquals(201, r.statusCode(), r::body);
            assertFalse(hasCandidates(r.body()), () -> "the offer carries no candidates:\n" + r.body());
            String session = r.headers().firstValue("Location").orElseThrow();
            assertTrue(session.startsWith("/session/"), session);
            String trickle = "/trickle/" + session.substring("/session/".length());
            pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, r.body()))
                    .get(T, TimeUnit.SECONDS);
            SessionDescriptionInit answer = pc.createAnswer().get(T, TimeUnit.SECONDS);
            pc.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
            // Candidates before the answer: the server holds them until the answer is applied.
            IceCandidateInit first = ours.poll(T, TimeUnit.SECONDS);
            assertNotNull(first);
            assertEquals(204, post(trickle + "/candidate", json(first)).statusCode());
            HttpResponse<String> a = post(session, PeerServer.withoutCandidates(answer.sdp()));
            assertEquals(204, a.statusCode(), a::body);
            int sent = 1 + (first.candidate().isEmpty() ? 0 : postCandidates(trickle, ours));
            List<String> got = fetchCandidates(trickle, pc);
            System.out.printf("trickle, server offers: sent %d candidates, got %s%n", sent, got);
            assertEquals(Scenario.HELLO + ": " + Scenario.HELLO_TEXT, hello.poll(T, TimeUnit.SECONDS));
        } finally {
            pc.close();
        }
    }

    @Test
    void badTrickleRequestsAreRefusedAndTheSessionGoesOn() throws Exception {
        assertEquals(404, post("/trickle/nope/candidate", "{\"candidate\":\"\"}").statusCode());
        assertEquals(404, post("/trickle/nope/candidates", "0").statusCode());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/trickle/offer")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));

        HttpResponse<String> s = post("/trickle/session", "");
        assertEquals(201, s.statusCode(), s::body);
        String trickle = "/trickle/" + s.headers().firstValue("Location").orElseThrow().substring("/session/".length());
        for (String bad : List.of("not json", "[]", "{\"candidate\": 5}", "{}",
                "{\"candidate\": \"candidate:1 1 udp 1 127.0.0.1 9 typ host\", \"sdpMLineIndex\": \"x\"}",
                "{\"candidate\": \"candidate:1 1 udp 1 127.0.0.1 9 typ host\", \"sdpMLineIndex\": 70000}",
                "{\"candidate\": \"candidate:garbage\", \"sdpMid\": \"0\"}")) {
            HttpResponse<String> r = post(trickle + "/candidate", bad);
            assertEquals(400, r.statusCode(), () -> bad + " -> " + r.body());
        }
        for (String bad : List.of("-1", "abc", "")) {
            HttpResponse<String> r = post(trickle + "/candidates", bad);
            assertEquals(400, r.statusCode(), () -> "index '" + bad + "' -> " + r.body());
        }
        // The session still serves its candidates (its host candidate, then end-of-candidates).
        HttpResponse<String> poll = post(trickle + "/candidates", "0");
        assertEquals(200, poll.statusCode(), poll::body);
        JsonNode j = JSON.readTree(poll.body());
        assertTrue(j.path("candidates").size() >= 1, poll::body);
        assertTrue(j.path("candidates").get(0).path("candidate").asText().contains(" 127.0.0.1 "), poll::body);
        // At most MAX_TRICKLED_IN candidates per session (the bad ones above counted too).
        int status = 0;
        for (int i = 0; i <= PeerServer.MAX_TRICKLED_IN && status != 400; i++) {
            status = post(trickle + "/candidate", "{\"candidate\": \"candidate:" + i + " 1 udp 1 127.0.0.1 " + (10000 + i)
                    + " typ host\", \"sdpMid\": \"0\"}").statusCode();
        }
        assertEquals(400, status, "the bound on trickled candidates");
    }

    private String newTrickleSession() throws Exception {
        HttpResponse<String> s = post("/trickle/session", "");
        assertEquals(201, s.statusCode(), s::body);
        return "/trickle/" + s.headers().firstValue("Location").orElseThrow().substring("/session/".length());
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits (bounded) until the server has {@code n} long polls waiting. */
    private void awaitWaitingPolls(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (server.waitingPolls() != n) {
            assertTrue(System.nanoTime() < end, "waiting polls: " + server.waitingPolls() + ", want " + n);
            Thread.sleep(10);
        }
    }

    @Test
    void longPollsAreLimitedPerSessionAndInAll() throws Exception {
        // Long polls from an index far beyond the candidates wait TRICKLE_POLL_MS on an HTTP thread.
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i <= PeerServer.MAX_WAITING_POLLS; i++) {
            sessions.add(newTrickleSession());
        }
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        waiting.add(postAsync(sessions.get(0) + "/candidates", "1000"));
        awaitWaitingPolls(1);
        HttpResponse<String> second = post(sessions.get(0) + "/candidates", "1000");
        assertEquals(429, second.statusCode(), "a second poll of the same session: " + second.body());
        for (int i = 1; i < PeerServer.MAX_WAITING_POLLS; i++) {
            waiting.add(postAsync(sessions.get(i) + "/candidates", "1000"));
        }
        awaitWaitingPolls(PeerServer.MAX_WAITING_POLLS);
        HttpResponse<String> over = post(sessions.get(PeerServer.MAX_WAITING_POLLS) + "/candidates", "1000");
        assertEquals(429, over.statusCode(), "a poll over the global cap: " + over.body());
        // Other requests are served meanwhile.
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/config.json")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        for (CompletableFuture<HttpResponse<String>> w : waiting) {
            HttpResponse<String> r = w.get(T, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r::body);
            assertEquals(0, JSON.readTree(r.body()).path("candidates").size(), r::body);
        }
        awaitWaitingPolls(0);
        // The refused session polls again once the others are done.
        HttpResponse<String> later = post(sessions.get(PeerServer.MAX_WAITING_POLLS) + "/candidates", "0");
        assertEquals(200, later.statusCode(), later::body);
    }

    @Test
    void trickledCandidatesAreBoundedPerIceGeneration() throws Exception {
        // (The peer connection holds at most 100 candidates before its remote description: so
        // the full bound for one generation, then one candidate of the next.)
        String trickle = newTrickleSession();
        for (String ufrag : List.of("genA", "genB")) {
            int n = ufrag.equals("genA") ? PeerServer.MAX_TRICKLED_IN : 1;
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = post(trickle + "/candidate", "{\"candidate\": \"candidate:" + i
                        + " 1 udp 1 127.0.0.1 " + (10000 + i) + " typ host\", \"sdpMid\": \"0\", \"usernameFragment\": \""
                        + ufrag + "\"}");
                assertEquals(204, r.statusCode(), () -> ufrag + ": " + r.body());
            }
            if (n == PeerServer.MAX_TRICKLED_IN) {
                HttpResponse<String> over = post(trickle + "/candidate", "{\"candidate\": \"candidate:99 1 udp 1 127.0.0.1 9"
                        + " typ host\", \"sdpMid\": \"0\", \"usernameFragment\": \"" + ufrag + "\"}");
                assertEquals(400, over.statusCode(), over::body);
                assertTrue(over.body().contains("one ICE generation"), over::body);
            }
        }
    }

    @Test
    void reoffersAreRateLimited() throws Exception {
        String trickle = newTrickleSession();
        // Unusable re-offers (400) count too; more than the burst at once gets 429.
        int tooMany = 0;
        for (int i = 0; i < 10 && tooMany == 0; i++) {
            int status = post(trickle + "/reoffer", "v=0\r\ngarbage").statusCode();
            if (status == 429) {
                tooMany = i;
            } else {
                assertEquals(400, status);
            }
        }
        assertTrue(tooMany >= PeerServer.REOFFER_BURST, "429 after the burst, at " + tooMany);
    }
}
