package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.jdatachannel.ice.Coturn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --turn ... --relay-only} reaches the server's own peer connections: with Debian's
 * coturn on 127.0.0.1 (ice's test {@link Coturn}, loopback only), the server's offer
 * ({@code POST /session}) carries a relayed candidate and no host candidate, and the pages are
 * told the same policy.
 */
@Timeout(60)
class ServeRelayOnlyTest {

    @Test
    void relayOnlyServerOffersOnlyRelayedCandidates() throws Exception {
        try (Coturn turn = Coturn.start()) {
            IceSetup ice = new IceSetup(List.of(turn.turnServer()), true);
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
        }
    }
}
