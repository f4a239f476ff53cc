package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs one {@link BrowserScenario} in a private network namespace, for the browser interop tests.
 *
 * <p>Browsers' WebRTC ignores loopback, and tests must never send to this machine's own addresses,
 * so each case runs {@code unshare --net --pid --mount-proc --fork --kill-child}: inside, a shell
 * brings {@code lo} up, creates the veth pair {@code jdc0}/{@code jdc1} with 198.18.0.1/24 and
 * 198.18.0.2/24, and runs {@link BrowserScenario} in a child JVM with this JVM's classpath. The
 * namespace has only {@code lo} and that pair and no NAT: nothing in it can reach another host.
 * For Firefox it also gets a default route via 198.18.0.1 on {@code jdc1}, which ends at
 * {@code jdc0} in the same namespace (a fresh namespace does not forward), see
 * {@link #DEFAULT_ROUTE}. The scenario serves on 127.0.0.1 inside the namespace, restricts ICE to
 * 198.18.0.1 and opens the page in the browser. When the namespace's first process exits, the
 * kernel kills everything left in it (the browser included).
 *
 * <p>Not thread-safe: call from one test thread at a time (tests run sequentially).
 */
final class BrowserNamespace {

    /** The veth address the Java side's ICE uses. */
    static final String JAVA_ICE_ADDRESS = "198.18.0.1";
    /** Seconds the scenario may take inside the namespace (the page gets 5 s less). */
    static final int SCENARIO_SECONDS = 60;
    /** Seconds before the whole namespace run is declared hung. */
    static final int RUN_SECONDS = 120;

    private static final String LINKS_MARK = "NAMESPACE links: ";
    private static final String ROUTES_MARK = "NAMESPACE routes: ";
    private static final String TX_MARK = "NAMESPACE veth tx packets (jdc1 jdc0): ";
    private static final String NS_SETUP = String.join("\n",
            "set -e",
            "ip link set lo up",
            "ip link add jdc0 type veth peer name jdc1",
            "ip addr add " + JAVA_ICE_ADDRESS + "/24 dev jdc0",
            "ip addr add 198.18.0.2/24 dev jdc1",
            // JUMBO_FRAMES: a larger MTU on both ends of the pair (the default is 1500)
            "if [ -n \"$JDC_VETH_MTU\" ]; then ip link set jdc0 mtu \"$JDC_VETH_MTU\"; ip link set jdc1 mtu \"$JDC_VETH_MTU\"; fi",
            "ip link set jdc0 up",
            "ip link set jdc1 up",
            // Firefox only: see defaultRoute(Browser).
            "if [ -n \"$JDC_DEFAULT_VIA\" ]; then ip route add default via \"$JDC_DEFAULT_VIA\" dev jdc1; fi",
            "rc=0",
            // The scenario JVM: its options, main class and arguments are this script's arguments.
            "\"$JDC_JAVA\" \"$@\" || rc=$?",
            // What the namespace looked like at the end, for the test to check (see namespaceFacts).
            "echo \"" + LINKS_MARK + "$(ip -o link show | cut -d: -f2 | cut -d@ -f1 | tr -d ' ' | sort | tr '\\n' ' ')\" >&2",
            "echo \"" + ROUTES_MARK + "$(ip route show | tr '\\n' ';')\" >&2",
            // (/sys shows the parent namespace's devices: ask ip, whose netlink socket is in this one)
            "tx() { ip -s link show dev \"$1\" | awk '/TX:/ { getline; print $2 }'; }",
            "echo \"" + TX_MARK + "$(tx jdc1) $(tx jdc0)\" >&2",
            "exit $rc",
            "");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Boolean asRoot;

    private BrowserNamespace() {
    }

    /**
     * Fails the test with a hint when the browser or the namespace tools are missing; prints and
     * returns the browser's version line.
     */
    static String requireTools(Browser browser) throws Exception {
        String hint = " The browser tests need Debian's chromium and firefox-esr, unshare (util-linux) and ip"
                + " (iproute2), and root or user namespaces to create a network namespace: run `bash .ci/run`,"
                + " which installs them and runs the build.";
        if (!Files.isExecutable(Paths.get(browser.binary()))) {
            fail(browser.binary() + " is missing." + hint);
        }
        for (String tool : List.of("unshare", "ip")) {
            if (findOnPath(tool) == null) {
                fail("`" + tool + "` is not on the PATH." + hint);
            }
        }
        // As root the namespaces are created directly; otherwise a user namespace maps us to root
        // inside it (unshare --user --map-root-user), which is enough to create a veth pair there.
        asRoot = run(List.of("id", "-u"), 10).strip().equals("0");
        // Debian's wrapper scripts may print a shell warning before the version line.
        String version = run(List.of(browser.binary(), "--version"), 30).lines()
                .filter(l -> l.startsWith(browser.versionPrefix())).findFirst().orElse("(unknown)");
        System.out.println(browser.id() + " version: " + version);
        return version;
    }

    private static Path findOnPath(String tool) {
        List<String> dirs = new ArrayList<>(List.of(
                System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
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
                BrowserScenario.killTree(p);
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

    /**
     * Runs {@link BrowserScenario} in a fresh network + PID namespace and returns its result line,
     * with the scenario JVM's log added as {@code javaLog} and the wall time as {@code wallMs}.
     * Fails if it does not finish within {@value #RUN_SECONDS} s, prints no JSON, or its exit status
     * disagrees with {@code ok}.
     *
     * @param extra {@link Browser.Option} names and an optional {@code query=...} for the page, and
     *              {@link #DEFAULT_ROUTE} to give Chromium the default route Firefox always gets
     */
    static JsonNode run(Browser browser, String role, String... extra) throws Exception {
        if (asRoot == null) {
            requireTools(browser);
        }
        boolean defaultRoute = browser == Browser.FIREFOX;
        int vethMtu = 0;
        List<String> pageArgs = new ArrayList<>();
        for (String e : extra) {
            if (e.equals(DEFAULT_ROUTE)) {
                defaultRoute = true;
            } else if (e.equals(JUMBO_FRAMES)) {
                vethMtu = JUMBO_MTU;
            } else {
                pageArgs.add(e);
            }
        }
        return runJava(browser.id() + " role " + role, defaultRoute, vethMtu, RUN_SECONDS, scratch -> {
            List<String> args = new ArrayList<>(List.of("-Xmx512m", "org.jdatachannel.cli.BrowserScenario", browser.id(),
                    role, JAVA_ICE_ADDRESS, String.valueOf(SCENARIO_SECONDS), scratch.toString()));
            args.addAll(pageArgs);
            return args;
        });
    }

    /**
     * Runs a Java main class (with the test classpath) in a fresh network + PID namespace with the
     * veth pair of this class (one or several browsers may run there; the JVM's ICE uses
     * {@value #JAVA_ICE_ADDRESS}) and returns the JSON object of its last stdout line, with its
     * log added as {@code javaLog}, the wall time as {@code wallMs} and the namespace's links and
     * routes as {@code namespace} (checked: only lo and the veth pair). Call {@link #requireTools}
     * for each browser first.
     *
     * @param label        names the run in the output
     * @param defaultRoute give the namespace a default route via {@value #JAVA_ICE_ADDRESS} on
     *                     {@code jdc1} (see {@link #DEFAULT_ROUTE})
     * @param runSeconds   after this the run is declared hung (fails)
     * @param javaArgs     the JVM options, main class and arguments, given the run's scratch directory
     */
    static JsonNode runJava(String label, boolean defaultRoute, int runSeconds,
            java.util.function.Function<Path, List<String>> javaArgs) throws Exception {
        return runJava(label, defaultRoute, 0, runSeconds, javaArgs);
    }

    /** As {@link #runJava(String, boolean, int, java.util.function.Function)}, with the veth pair's MTU (0: 1500). */
    static JsonNode runJava(String label, boolean defaultRoute, int vethMtu, int runSeconds,
            java.util.function.Function<Path, List<String>> javaArgs) throws Exception {
        if (asRoot == null) {
            throw new IllegalStateException("call requireTools first");
        }
        Path scratch = Files.createTempDirectory("jdc-ns-");
        Path stdout = scratch.resolve("scenario.out");
        Path stderr = scratch.resolve("scenario.err");
        Process ns = null;
        try {
            List<String> cmd = new ArrayList<>(List.of("unshare"));
            if (!asRoot) {
                cmd.addAll(List.of("--user", "--map-root-user"));
            }
            cmd.addAll(List.of("--net", "--pid", "--mount-proc", "--fork", "--kill-child", "sh", "-c", NS_SETUP, "sh"));
            cmd.addAll(javaArgs.apply(scratch));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("CLASSPATH", testClasspath());
            pb.environment().put("JDC_JAVA", Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            pb.environment().put("JDC_DEFAULT_VIA", defaultRoute ? JAVA_ICE_ADDRESS : "");
            pb.environment().put("JDC_VETH_MTU", vethMtu > 0 ? String.valueOf(vethMtu) : "");
            pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            long t0 = System.nanoTime();
            ns = pb.start();
            boolean finished = ns.waitFor(runSeconds, TimeUnit.SECONDS);
            long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            String out = Files.readString(stdout, StandardCharsets.UTF_8);
            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            System.out.println("---- scenario stderr (" + label + ") ----\n" + tailOf(err, 20000));
            if (!finished) {
                fail("the namespace scenario did not finish within " + runSeconds + " s; stdout:\n" + out);
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
            System.out.printf("%s result after %d ms: %s%n", label, wallMs, r);
            System.out.printf("%s namespace: %s%n", label, namespaceFacts(err));
            assertEquals(r.path("ok").asBoolean(false) ? 0 : 1, ns.exitValue(), () -> "scenario exit status for " + r);
            if (r instanceof ObjectNode o) {
                o.put("javaLog", err); // the scenario JVM's log, for assertions on what it negotiated
                o.put("wallMs", wallMs);
                o.set("namespace", namespaceFacts(err));
            }
            // The isolation the network rule relies on: only lo and the veth pair, and no route
            // through any other interface.
            JsonNode facts = r.path("namespace");
            assertEquals("jdc0 jdc1 lo", facts.path("links").asText(), () -> "namespace links: " + facts);
            for (String route : facts.path("routes").asText().split(";")) {
                assertTrue(route.isBlank() || route.contains("dev jdc1") || route.contains("dev jdc0"),
                        () -> "a route outside the veth pair: " + facts);
            }
            return r;
        } finally {
            if (ns != null) {
                BrowserScenario.killTree(ns);
            }
            BrowserScenario.deleteRecursively(scratch);
        }
    }

    /** The namespace's links, routes and veth packet counters as printed at its end. */
    private static ObjectNode namespaceFacts(String err) {
        ObjectNode o = JSON.createObjectNode();
        for (String line : err.lines().toList()) {
            if (line.startsWith(LINKS_MARK)) {
                o.put("links", line.substring(LINKS_MARK.length()).strip());
            } else if (line.startsWith(ROUTES_MARK)) {
                o.put("routes", line.substring(ROUTES_MARK.length()).strip());
            } else if (line.startsWith(TX_MARK)) {
                o.put("vethTxPackets", line.substring(TX_MARK.length()).strip());
            }
        }
        return o;
    }

    /**
     * Extra argument of {@link #run}: the namespace gets a default route via 198.18.0.1 on
     * {@code jdc1} (always so for Firefox).
     *
     * <p>Browsers gather only the address of their default route unless the page has a camera or
     * microphone permission (RFC 8828 §5.2 mode 2, "default route + associated local addresses";
     * Firefox's {@code media.peerconnection.ice.default_address_only} behaviour, and Chromium's
     * default IP handling policy), and a namespace without a default route has no such address:
     * the browser then gathers no candidate at all (Chromium still connects, through the
     * peer-reflexive candidate of its checks; Firefox does not). A default route via 198.18.0.1
     * out of {@code jdc1} makes 198.18.0.2 that address. Packets to any other destination go to
     * {@code jdc0} in this same namespace and are dropped there (IP forwarding is off in a new
     * namespace; in fact jdc0 does not even answer ARP for them, its address being local to the
     * sender too), so nothing leaves it. Chromium's echo and close cases keep the namespace they
     * always had, without a default route.
     */
    static final String DEFAULT_ROUTE = "DEFAULT_ROUTE";

    /**
     * A {@link #run} extra: the veth pair gets MTU {@value #JUMBO_MTU} (jumbo frames, as on some LANs
     * and cloud networks) instead of 1500.
     */
    static final String JUMBO_FRAMES = "JUMBO_FRAMES";
    /** The veth MTU of {@link #JUMBO_FRAMES}, bytes. */
    static final int JUMBO_MTU = 9000;

    static String tailOf(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
