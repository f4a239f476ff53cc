package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jdatachannel.IceTransportPolicy;
import org.jdatachannel.PeerConnection;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.ice.IceServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --turn URL --turn-secret SECRET}: time-limited TURN credentials (coturn's
 * {@code --use-auth-secret}), checked against Debian's coturn on 127.0.0.1 started here with that
 * option (ice's test Coturn runs a static user only): the server's own relay-only offer gets a
 * relayed candidate, a page's credential from {@code GET /config.json} (its own, not the secret)
 * allocates a relay, and a credential whose expiry has passed does not.
 */
@Timeout(120)
class TurnRestCredentialTest {

    private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
    private static final String SECRET = "jdc-shared-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A known vector: HMAC-SHA1("jdc-shared-secret", "1700000000:page") in base64, by openssl. */
    @Test
    void credentialIsBase64HmacSha1OfTheUsername() throws Exception {
        TurnRestSecret s = new TurnRestSecret(List.of("turn:127.0.0.1:3478"), SECRET, Duration.ofHours(1));
        IceServer issued = s.issue(1_700_000_000L - 3600, "page");
        assertEquals("1700000000:page", issued.username());
        Process p = new ProcessBuilder("sh", "-c", "printf %s '1700000000:page' | openssl dgst -sha1 -hmac '" + SECRET
                + "' -binary | base64").redirectErrorStream(true).start();
        String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(expected, issued.credential());
        assertFalse(s.toString().contains(SECRET), "toString hides the secret");
    }

    @Test
    void issuedCredentialsWorkWithCoturnAndExpire() throws Exception {
        if (!Files.isExecutable(TURNSERVER)) {
            fail(TURNSERVER + " is missing: run `bash .ci/run`, which installs Debian's coturn");
        }
        Path dir = Files.createTempDirectory("jdc-turn-rest-");
        Process turn = null;
        try {
            int port = 0;
            for (int attempt = 0; attempt < 3 && turn == null; attempt++) {
                try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
                    port = probe.getLocalPort();
                }
                turn = startCoturn(dir, port); // null if the port was taken meanwhile
            }
            if (turn == null) {
                fail("turnserver did not start:\n" + log(dir));
            }
            String url = "turn:127.0.0.1:" + port + "?transport=udp";
            TurnRestSecret secret = new TurnRestSecret(List.of(url), SECRET, Duration.ofMinutes(10));
            IceSetup ice = new IceSetup(List.of(), secret, true);
            try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                    IceAddresses.of(List.of("127.0.0.1")), ice)) {
                server.start();
                HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
                String base = "http://127.0.0.1:" + server.port();
                // The server's own peer connection: its credential from the secret.
                HttpResponse<String> offer = http.send(HttpRequest.newBuilder(URI.create(base + "/session"))
                        .timeout(Duration.ofSeconds(40)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(201, offer.statusCode(), offer::body);
                assertTrue(offer.body().contains(" typ relay"), offer::body);
                // A page's credential.
                JsonNode page = JSON.readTree(get(http, base + "/config.json"));
                JsonNode other = JSON.readTree(get(http, base + "/config.json"));
                JsonNode s = page.path("iceServers").get(0);
                assertEquals(url, s.path("urls").get(0).asText());
                String user = s.path("username").asText();
                long expiry = Long.parseLong(user.substring(0, user.indexOf(':')));
                long now = System.currentTimeMillis() / 1000;
                assertTrue(expiry > now && expiry <= now + 600, user);
                assertFalse(page.toString().contains(SECRET), "the secret is not handed out");
                assertNotEquals(user, other.path("iceServers").get(0).path("username").asText(), "one credential per page");
                IceServer pageServer = IceServer.turn(url, user, s.path("credential").asText());
                assertTrue(relayCandidates(pageServer), "the page's credential allocates a relay");
                // Expired: issued as if 20 minutes ago with a 10-minute lifetime.
                IceServer expired = secret.issue(now - 1200, "expired");
                assertFalse(relayCandidates(expired), "an expired credential allocates nothing");
                String turnLog = log(dir);
                assertTrue(turnLog.contains("expired"), () -> "coturn refused it as expired:\n" + turnLog);
            }
        } finally {
            if (turn != null) {
                turn.destroy();
                if (!turn.waitFor(5, TimeUnit.SECONDS)) {
                    turn.destroyForcibly();
                }
            }
            BrowserScenario.deleteRecursively(dir);
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return r.body();
    }

    /** Whether a relay-only Java peer connection with {@code server} gathers a relayed candidate. */
    private static boolean relayCandidates(IceServer server) throws Exception {
        PeerConnection pc = new PeerConnection(RtcConfiguration.builder()
                .iceAddressFilter(IceAddresses.of(List.of("127.0.0.1"))).iceServers(List.of(server))
                .iceTransportPolicy(IceTransportPolicy.RELAY).build());
        try {
            pc.createDataChannel("x", Channels.reliable(true));
            pc.setLocalDescription(pc.createOffer().get(40, TimeUnit.SECONDS)).get(40, TimeUnit.SECONDS);
            pc.gatheringComplete().get(60, TimeUnit.SECONDS);
            String sdp = pc.localDescription().sdp();
            System.out.println("relay-only candidates with " + server.username() + ": "
                    + sdp.lines().filter(l -> l.startsWith("a=candidate")).toList());
            return sdp.contains(" typ relay");
        } finally {
            pc.close();
        }
    }

    /** coturn with TURN REST credentials (--use-auth-secret); null if the port was taken. */
    private static Process startCoturn(Path dir, int port) throws IOException, InterruptedException {
        Path log = dir.resolve("turn.log");
        Files.deleteIfExists(log);
        Process p = new ProcessBuilder(TURNSERVER.toString(), "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
                "--listening-port=" + port, "--use-auth-secret", "--static-auth-secret=" + SECRET, "--realm=jdc.test",
                "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--no-stdout-log", "--log-file=" + log,
                "--simple-log", "--pidfile=" + dir.resolve("turn.pid"), "--verbose")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        String ready = "UDP listener opened on: 127.0.0.1:" + port;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!log(dir).contains(ready)) {
            if (!p.isAlive() || System.nanoTime() > end) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return null;
            }
            Thread.sleep(20); // bounded poll for the listener
        }
        return p;
    }

    private static String log(Path dir) throws IOException {
        Path log = dir.resolve("turn.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
