package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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

import org.jdatachannel.ice.IceServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --turn ... --relay-only} reaches the server's own peer connections: with Debian's
 * coturn on 127.0.0.1 (started here, loopback only), the server's offer ({@code POST /session})
 * carries a relayed candidate and no host candidate, and the pages are told the same policy.
 */
@Timeout(60)
class ServeRelayOnlyTest {

    private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");

    @Test
    void relayOnlyServerOffersOnlyRelayedCandidates() throws Exception {
        if (!Files.isExecutable(TURNSERVER)) {
            fail(TURNSERVER + " is missing: run `bash .ci/run`, which installs Debian's coturn");
        }
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            port = probe.getLocalPort();
        }
        Path dir = Files.createTempDirectory("jdc-turn-");
        Path log = dir.resolve("turn.log");
        Process turn = new ProcessBuilder(TURNSERVER.toString(), "-n", "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1", "--listening-port=" + port, "--lt-cred-mech", "--user=jdc:jdc-secret",
                "--realm=jdc.test", "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--no-stdout-log",
                "--log-file=" + log, "--simple-log", "--pidfile=" + dir.resolve("turn.pid"), "--verbose")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String ready = "UDP listener opened on: 127.0.0.1:" + port;
            while (!(Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(ready))) {
                if (!turn.isAlive() || System.nanoTime() > end) {
                    fail("turnserver did not start:\n" + (Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)"));
                }
                Thread.sleep(20); // bounded poll for the listener
            }
            IceSetup ice = new IceSetup(List.of(IceServer.turn("turn:127.0.0.1:" + port + "?transport=udp",
                    "jdc", "jdc-secret")), true);
            try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                    IceAddresses.of(List.of("127.0.0.1")), ice)) {
                server.start();
                HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
                String base = "http://127.0.0.1:" + server.port();
                HttpResponse<String> offer = http.send(HttpRequest.newBuilder(URI.create(base + "/session"))
                        .timeout(Duration.ofSeconds(40)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(201, offer.statusCode(), offer::body);
                String sdp = offer.body();
                System.out.println("relay-only offer candidates: " + sdp.lines().filter(l -> l.startsWith("a=candidate")).toList());
                assertTrue(sdp.contains(" typ relay"), () -> "a relayed candidate: " + sdp);
                assertFalse(sdp.contains(" typ host"), () -> "no host candidate under relay-only: " + sdp);
                HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create(base + "/config.json"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(config.body().contains("\"iceTransportPolicy\":\"relay\""), config::body);
            }
        } finally {
            turn.destroy();
            if (!turn.waitFor(5, TimeUnit.SECONDS)) {
                turn.destroyForcibly();
            }
            BrowserScenario.deleteRecursively(dir);
        }
    }
}
