package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The room demo end to end: two headless Chromium pages, one Firefox ESR page and the JVM peer in
 * one room, signaling
 * over the server's WebSocket with trickle ICE, a mesh of data channels (browser⇄browser directly,
 * each browser⇄JVM peer); each page sends a chat line (the other page receives it, the JVM peer
 * acknowledges it) and a 64 KiB file to every member (each receiver confirms its SHA-256).
 *
 * <p>Same network rule as {@link ChromiumInteropTest}: everything runs in a fresh network + PID
 * namespace ({@code unshare}) with a veth pair in 198.18.0.0/24; the JVM peer's ICE uses
 * 198.18.0.1 only. See {@link RoomScenario}.
 */
@Timeout(200)
class RoomBrowserTest {

    /** The pages: two Chromium, one Firefox ESR. */
    private static final List<Browser> PAGES_IN = List.of(Browser.CHROMIUM, Browser.CHROMIUM, Browser.FIREFOX);
    private static final int PAGES = PAGES_IN.size();
    private static final int SCENARIO_SECONDS = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void chromiumFirefoxAndTheJvmPeerChatAndSendFilesInOneRoom() throws Exception {
        for (Browser b : PAGES_IN) {
            BrowserNamespace.requireTools(b);
        }
        JsonNode r = runInNamespace();
        assertTrue(r.path("ok").asBoolean(false), () -> "room scenario failed: " + r.toPrettyString());
        JsonNode pages = r.path("pages");
        assertEquals(PAGES, pages.size());
        Set<String> ids = new HashSet<>();
        pages.forEach(p -> ids.add(p.path("id").asText()));
        assertEquals(PAGES, ids.size(), "each page got its own id");
        for (Browser b : PAGES_IN) {
            long expected = PAGES_IN.stream().filter(b::equals).count();
            long seen = 0;
            for (JsonNode p : pages) {
                seen += p.path("userAgent").asText().contains(b.userAgentToken()) ? 1 : 0;
            }
            assertEquals(expected, seen, () -> b.id() + " pages among " + pages);
        }
        for (JsonNode p : pages) {
            String self = p.path("id").asText();
            List<String> members = new ArrayList<>();
            p.path("members").forEach(m -> members.add(m.asText()));
            assertTrue(members.contains("jvm:jvm"), () -> "the JVM peer is a member: " + p);
            for (String other : ids) {
                if (!other.equals(self)) {
                    assertTrue(members.contains(other + ":browser"), () -> "sees the other page: " + p);
                    // The other page's chat line came over the browser⇄browser channel.
                    assertTrue(p.path("chats").path(other).toString().contains("hi from " + other), p::toString);
                }
            }
            assertTrue(p.path("chats").path("jvm").toString().contains("received: hi from " + self),
                    () -> "the JVM peer acknowledged the chat line: " + p);
            assertEquals(PAGES, p.path("acks").size(), () -> "one ack per member: " + p);
            for (JsonNode a : p.path("acks")) {
                assertTrue(a.path("ok").asBoolean(), a::toString);
                assertEquals(a.path("expected").asText(), a.path("sha256").asText(), a::toString);
                assertEquals(64 * 1024 + 7, a.path("size").asInt(), a::toString);
            }
            assertEquals(PAGES - 1, p.path("received").size(), () -> "a file from every other page: " + p);
            p.path("received").forEach(f -> assertTrue(f.path("ok").asBoolean(), f::toString));
        }
        for (JsonNode p : pages) {
            System.out.printf("ROOM page %s: setupMs=%d fileMs=%d (%s)%n", p.path("id").asText(), p.path("setupMs").asLong(),
                    p.path("fileMs").asLong(), p.path("userAgent").asText().replaceAll(".*(Chrome|Firefox)/([0-9]+).*", "$1 $2"));
        }
        System.out.println("ROOM result: " + r);
    }

    /**
     * {@link RoomScenario} in {@link BrowserNamespace}'s private namespace, with the default route
     * (browsers without mDNS hiding gather only the default route's address when the page has no
     * media permission, RFC 8828 §5.2 mode 2; see {@link BrowserNamespace#DEFAULT_ROUTE}).
     */
    private static JsonNode runInNamespace() throws Exception {
        String pages = String.join(",", PAGES_IN.stream().map(Browser::id).toList());
        return BrowserNamespace.runJava("room", true, SCENARIO_SECONDS + 40, scratch -> List.of("-Xmx768m",
                "org.jdatachannel.cli.RoomScenario", BrowserNamespace.JAVA_ICE_ADDRESS, String.valueOf(SCENARIO_SECONDS),
                scratch.toString(), pages));
    }
}
