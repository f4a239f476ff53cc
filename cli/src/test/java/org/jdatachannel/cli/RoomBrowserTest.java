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
 * The room demo end to end: two headless Chromium pages and the JVM peer in one room, signaling
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

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final int PAGES = 2;
    private static final int SCENARIO_SECONDS = 120;
    private static final String NS_SETUP = String.join("\n",
            "set -e",
            "ip link set lo up",
            "ip link add jdc0 type veth peer name jdc1",
            "ip addr add 198.18.0.1/24 dev jdc0",
            "ip addr add 198.18.0.2/24 dev jdc1",
            "ip link set jdc0 up",
            "ip link set jdc1 up",
            // Chromium without mDNS hiding gathers only the default route's address when the page
            // has no media permission: give the namespace a default route (it leads nowhere but
            // the other veth end, inside the namespace).
            "ip route add default dev jdc0",
            "\"$JDC_JAVA\" -Xmx512m org.jdatachannel.cli.RoomScenario 198.18.0.1 \"$JDC_CHROMIUM\" "
                    + SCENARIO_SECONDS + " \"$1\" " + PAGES,
            "");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoChromiumPagesAndTheJvmPeerChatAndSendFilesInOneRoom() throws Exception {
        if (!Files.isExecutable(Paths.get(CHROMIUM))) {
            fail(CHROMIUM + " is missing; run `bash .ci/run`, which installs it");
        }
        JsonNode r = runInNamespace();
        assertTrue(r.path("ok").asBoolean(false), () -> "room scenario failed: " + r.toPrettyString());
        JsonNode pages = r.path("pages");
        assertEquals(PAGES, pages.size());
        Set<String> ids = new HashSet<>();
        pages.forEach(p -> ids.add(p.path("id").asText()));
        assertEquals(PAGES, ids.size(), "each page got its own id");
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
            pb.environment().put("JDC_CHROMIUM", CHROMIUM);
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
            return r;
        } finally {
            if (ns != null) {
                ChromiumScenario.killTree(ns);
            }
            ChromiumScenario.deleteRecursively(scratch);
        }
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
