package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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
    private static final String LINKS_MARK = "NAMESPACE links: ";
    private static final String ROUTES_MARK = "NAMESPACE routes: ";
    private static final String NS_SETUP = String.join("\n",
            "set -e",
            "ip link set lo up",
            "ip link add jdc0 type veth peer name jdc1",
            "ip addr add 198.18.0.1/24 dev jdc0",
            "ip addr add 198.18.0.2/24 dev jdc1",
            "ip link set jdc0 up",
            "ip link set jdc1 up",
            // Browsers without mDNS hiding gather only the default route's address when the page has
            // no media permission (RFC 8828 §5.2 mode 2): a default route via 198.18.0.1 out of jdc1
            // makes that 198.18.0.2; it ends at jdc0 in this namespace (no forwarding), see
            // BrowserNamespace.DEFAULT_ROUTE.
            "ip route add default via 198.18.0.1 dev jdc1",
            "rc=0",
            "\"$JDC_JAVA\" -Xmx768m org.jdatachannel.cli.RoomScenario 198.18.0.1 " + SCENARIO_SECONDS
                    + " \"$1\" \"$JDC_PAGES\" || rc=$?",
            "echo \"" + LINKS_MARK + "$(ip -o link show | cut -d: -f2 | cut -d@ -f1 | tr -d ' ' | sort | tr '\\n' ' ')\" >&2",
            "echo \"" + ROUTES_MARK + "$(ip route show | tr '\\n' ';')\" >&2",
            "exit $rc",
            "");
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

    private static JsonNode runInNamespace() throws Exception {
        Path scratch = Files.createTempDirectory("jdc-room-");
        Path stdout = scratch.resolve("scenario.out");
        Path stderr = scratch.resolve("scenario.err");
        Process ns = null;
        try {
            boolean asRoot = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                    StandardCharsets.US_ASCII).strip().equals("0");
            List<String> cmd = new ArrayList<>(List.of("unshare"));
            if (!asRoot) {
                cmd.addAll(List.of("--user", "--map-root-user"));
            }
            cmd.addAll(List.of("--net", "--pid", "--mount-proc", "--fork", "--kill-child",
                    "sh", "-c", NS_SETUP, "sh", scratch.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            String cp = System.getProperty("java.class.path", "");
            if (!cp.contains("test-classes")) {
                cp = System.getProperty("surefire.test.class.path", cp);
            }
            pb.environment().put("CLASSPATH", cp);
            pb.environment().put("JDC_JAVA", Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            pb.environment().put("JDC_PAGES", String.join(",", PAGES_IN.stream().map(Browser::id).toList()));
            pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            long t0 = System.nanoTime();
            ns = pb.start();
            boolean finished = ns.waitFor(SCENARIO_SECONDS + 40, TimeUnit.SECONDS);
            String out = Files.readString(stdout, StandardCharsets.UTF_8);
            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            System.out.println("---- room scenario stderr ----\n" + tail(err, 20000));
            if (!finished) {
                fail("the room scenario did not finish within " + (SCENARIO_SECONDS + 40) + " s; stdout:\n" + out);
            }
            String[] lines = out.strip().split("\n");
            JsonNode r;
            try {
                r = JSON.readTree(lines[lines.length - 1]);
            } catch (IOException e) {
                throw new AssertionError("no JSON result line (exit " + ns.exitValue() + "); stdout:\n" + out
                        + "\nstderr tail:\n" + tail(err, 4000), e);
            }
            System.out.printf("room scenario finished after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertEquals(r.path("ok").asBoolean(false) ? 0 : 1, ns.exitValue(), () -> "scenario exit status for " + r);
            // The isolation the network rule relies on: only lo and the veth pair, every route on the pair.
            String links = "";
            String routes = "";
            for (String l : err.lines().toList()) {
                if (l.startsWith(LINKS_MARK)) {
                    links = l.substring(LINKS_MARK.length()).strip();
                } else if (l.startsWith(ROUTES_MARK)) {
                    routes = l.substring(ROUTES_MARK.length()).strip();
                }
            }
            assertEquals("jdc0 jdc1 lo", links, "namespace links");
            for (String route : routes.split(";")) {
                String rt = route;
                assertTrue(rt.isBlank() || rt.contains("dev jdc0") || rt.contains("dev jdc1"), () -> "a route outside the veth pair: " + rt);
            }
            return r;
        } finally {
            if (ns != null) {
                BrowserScenario.killTree(ns);
            }
            BrowserScenario.deleteRecursively(scratch);
        }
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
