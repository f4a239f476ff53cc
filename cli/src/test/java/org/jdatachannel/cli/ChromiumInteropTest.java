package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Java⇄headless Chromium, both offer/answer roles, in a private network namespace.
 *
 * <p>Chromium's WebRTC ignores loopback, and tests must never send to this machine's own
 * addresses, so each case runs {@code unshare --net --pid --mount-proc --fork --kill-child}: inside, a
 * shell brings {@code lo} up, creates the veth pair {@code jdc0}/{@code jdc1} with 198.18.0.1/24
 * and 198.18.0.2/24, and runs {@link ChromiumScenario} in a child JVM with this JVM's classpath.
 * The scenario serves on 127.0.0.1 inside the namespace, restricts ICE to 198.18.0.1 and drives
 * {@code interop.html?role=...}; Chromium keeps its default mDNS-hidden host candidates, so the
 * Java side connects through peer-reflexive candidates. When the namespace's first process exits,
 * the kernel kills everything left in it (Chromium included).
 */
@Timeout(180)
class ChromiumInteropTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String NS_SETUP = String.join("\n",
            "set -e",
            "ip link set lo up",
            "ip link add jdc0 type veth peer name jdc1",
            "ip addr add 198.18.0.1/24 dev jdc0",
            "ip addr add 198.18.0.2/24 dev jdc1",
            "ip link set jdc0 up",
            "ip link set jdc1 up",
            "\"$JDC_JAVA\" -Xmx512m org.jdatachannel.cli.ChromiumScenario \"$1\" 198.18.0.1 \"$JDC_CHROMIUM\" 60 \"$2\"",
            "");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean asRoot;

    @BeforeAll
    static void requireTools() throws Exception {
        String hint = " The browser tests need Debian's chromium, unshare (util-linux) and ip (iproute2), and root"
                + " or user namespaces to create a network namespace: run `bash .ci/run`, which installs them and"
                + " runs the build.";
        if (!Files.isExecutable(Paths.get(CHROMIUM))) {
            fail(CHROMIUM + " is missing." + hint);
        }
        for (String tool : List.of("unshare", "ip")) {
            if (findOnPath(tool) == null) {
                fail("`" + tool + "` is not on the PATH." + hint);
            }
        }
        // As root the namespaces are created directly; otherwise a user namespace maps us to root
        // inside it (unshare --user --map-root-user), which is enough to create a veth pair there.
        asRoot = run(List.of("id", "-u"), 10).strip().equals("0");
        // Debian's wrapper script may print a shell warning before the version line.
        String version = run(List.of(CHROMIUM, "--version"), 30).lines().filter(l -> l.startsWith("Chromium"))
                .findFirst().orElse("(unknown)");
        System.out.println("Chromium version: " + version);
    }

    private static Path findOnPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(File.pathSeparator)) {
            Path p = Paths.get(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path p = Paths.get(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs a short command, returns its output; fails the test if it does not finish in time. */
    private static String run(List<String> cmd, int seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("jdc-cmd-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                ChromiumScenario.killTree(p);
                fail(String.join(" ", cmd) + " did not finish within " + seconds + " s");
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The test JVM's classpath, for the child JVM (surefire runs without a manifest-only jar). */
    private static String testClasspath() {
        String cp = System.getProperty("java.class.path", "");
        if (!cp.contains("test-classes")) {
            cp = System.getProperty("surefire.test.class.path", cp);
        }
        return cp;
    }

    @ParameterizedTest(name = "Chromium role={0}")
    @ValueSource(strings = {"offer", "answer"})
    void chromiumEchoScenario(String role) throws Exception {
        JsonNode r = runInNamespace(role);
        assertTrue(r.path("ok").asBoolean(false), () -> "Chromium scenario failed: " + r.toPrettyString());
        assertEquals("echo", r.path("test").asText());
        assertEquals(role, r.path("role").asText());
        assertEquals(Scenario.HELLO_TEXT, r.path("hello").asText());
        assertEquals(Scenario.echoMessages().size(), r.path("messages").asInt());
        assertTrue(r.path("userAgent").asText().contains("Chrome"), () -> "a Chromium user agent: " + r);
        assertTrue(r.path("setupMs").asLong(-1) >= 0, () -> "setup time recorded: " + r);
        System.out.printf("CHROMIUM role=%s setupMs=%d orderedMs=%d unorderedMs=%d closeChecksMs=%d%n", role,
                r.path("setupMs").asLong(), r.path("orderedMs").asLong(), r.path("unorderedMs").asLong(),
                r.path("closeChecksMs").asLong());
        // Close and partial reliability (interop.html closeScenarios, InteropControl); the page
        // already turned every mismatch into an error, these assertions name the main facts.
        JsonNode c = r.path("closeChecks");
        JsonNode javaCloses = c.path("javaCloses");
        assertEquals(200, javaCloses.path("received").asInt(), () -> "(a) Java closes mid-transfer: " + javaCloses);
        assertEquals("closed", javaCloses.path("chromiumState").asText(), () -> "(a) " + javaCloses);
        assertEquals("CLOSED", javaCloses.path("java").path("state").asText(), () -> "(a) " + javaCloses);
        JsonNode chromiumCloses = c.path("chromiumCloses");
        assertEquals(200, chromiumCloses.path("java").path("received").asInt(), () -> "(b) Chromium closes: " + chromiumCloses);
        assertEquals("closed", chromiumCloses.path("chromiumState").asText(), () -> "(b) " + chromiumCloses);
        assertEquals("CLOSED", chromiumCloses.path("java").path("state").asText(), () -> "(b) " + chromiumCloses);
        JsonNode reuse = c.path("reuse");
        assertEquals(reuse.path("javaPreviousId").asInt(-1), reuse.path("javaId").asInt(-2), () -> "(c) id reuse: " + reuse);
        JsonNode pr = c.path("partialReliability");
        assertEquals(0, pr.path("props-rexmit0").path("java").path("maxRetransmits").asInt(-1), () -> "(d) " + pr);
        assertFalse(pr.path("props-rexmit0").path("java").path("ordered").asBoolean(true), () -> "(d) " + pr);
        assertEquals(50, pr.path("props-life50").path("java").path("maxPacketLifeTime").asInt(-1), () -> "(d) " + pr);
        assertTrue(pr.path("props-life50").path("java").path("ordered").asBoolean(false), () -> "(d) " + pr);
        assertEquals(0, pr.path("srv-pr").path("maxRetransmits").asInt(-1), () -> "(d) " + pr);
        System.out.printf("CHROMIUM role=%s close checks: %s%n", role, c);
    }

    /**
     * Runs {@link ChromiumScenario} in a fresh network + PID namespace and returns its result line.
     * Fails if it does not finish within 120 s, prints no JSON, or its exit status disagrees with
     * {@code ok}.
     */
    private static JsonNode runInNamespace(String role) throws Exception {
        Path scratch = Files.createTempDirectory("jdc-chromium-");
        Path stdout = scratch.resolve("scenario.out");
        Path stderr = scratch.resolve("scenario.err");
        Process ns = null;
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("unshare"));
            if (!asRoot) {
                cmd.addAll(List.of("--user", "--map-root-user"));
            }
            cmd.addAll(List.of("--net", "--pid", "--mount-proc", "--fork", "--kill-child",
                    "sh", "-c", NS_SETUP, "sh", role, scratch.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("CLASSPATH", testClasspath());
            pb.environment().put("JDC_JAVA", Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            pb.environment().put("JDC_CHROMIUM", CHROMIUM);
            pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            long t0 = System.nanoTime();
            ns = pb.start();
            boolean finished = ns.waitFor(120, TimeUnit.SECONDS);
            String out = Files.readString(stdout, StandardCharsets.UTF_8);
            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            System.out.println("---- scenario stderr (role " + role + ") ----\n" + tailOf(err, 20000));
            if (!finished) {
                fail("the namespace scenario did not finish within 120 s; stdout:\n" + out);
            }
            String[] lines = out.strip().split("\n");
            String last = lines[lines.length - 1];
            JsonNode r;
            try {
                r = JSON.readTree(last);
            } catch (IOException e) {
                throw new AssertionError("no JSON result line (exit " + ns.exitValue() + "); stdout:\n" + out
                        + "\nstderr tail:\n" + tailOf(err, 4000), e);
            }
            System.out.printf("Chromium role=%s result after %d ms: %s%n", role,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), r);
            assertEquals(r.path("ok").asBoolean(false) ? 0 : 1, ns.exitValue(), () -> "scenario exit status for " + r);
            if (r instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                o.put("javaLog", err); // the scenario JVM's log, for assertions on what it negotiated
            }
            return r;
        } finally {
            if (ns != null) {
                ChromiumScenario.killTree(ns);
            }
            ChromiumScenario.deleteRecursively(scratch);
        }
    }

    /** The demo page (index.html + demo.js) in its self-test mode: hello, chat echo, 1 MiB file round trip. */
    @Test
    void demoPageSelfTest() throws Exception {
        JsonNode r = runInNamespace("demo");
        assertTrue(r.path("ok").asBoolean(false), () -> "demo self-test failed: " + r.toPrettyString());
        assertEquals(Scenario.HELLO_TEXT, r.path("hello").asText());
        assertEquals(1024 * 1024 + 123, r.path("file").path("received").asInt());
        assertEquals(r.path("file").path("sha256").asText(), r.path("file").path("sha256Back").asText());
        // ChromiumScenario starts Chromium with its message-interleaving field trial for the demo, so
        // the file went over RFC 8260 I-DATA: the association's debug line says so.
        String javaLog = r.path("javaLog").asText();
        assertTrue(javaLog.contains("association established:") && javaLog.contains("interleaving true"),
                () -> "I-DATA negotiated with Chromium: " + tailOf(javaLog, 4000));
    }

    private static String tailOf(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
