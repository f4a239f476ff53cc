package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.socket.IceSocketWrapper;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote candidate that cannot be reached must make ICE fail, quickly and quietly.
 *
 * <p>Regression: ice4j's handler for a connectivity check whose {@code send()} throws asked our
 * host candidate for a {@code MultiplexingDatagramSocket} and threw {@code IllegalStateException};
 * the pair was never failed, the check was retried about 50 times a second with a WARN stack
 * trace each, and the agent stayed CHECKING forever. Checked here: agents told only that candidate
 * fail in bounded time with bounded logging, and agents told it besides a working one connect.
 *
 * <p>Network rule: the end-to-end test sends only inside a network namespace it creates itself
 * ({@code unshare -rn}, only {@code lo} up), where 203.0.113.7 (TEST-NET-3) has no route, so the
 * kernel refuses every send and nothing leaves the namespace.
 */
class UnreachableCandidateTest {
    private static final Logger LOG = LoggerFactory.getLogger(UnreachableCandidateTest.class);
    private static final String UNREACHABLE = "203.0.113.7";
    /** WARN/ERROR lines allowed for the whole run of two agents (was about 47 a second). */
    private static final int MAX_WARN_LINES = 4;

    private static boolean canUnshare() {
        try {
            Process p = new ProcessBuilder("unshare", "-rn", "ip", "link", "set", "lo", "up")
                    .redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** White box: the candidate ice4j asks in its send-error path answers instead of throwing. */
    @Test
    void hostCandidateIsItsOwnStunSocket() throws Exception {
        IceLogging.install();
        try (IceAgent a = new IceAgent(IceConfig.builder().controlling(true)
                .addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress()).build())) {
            a.gather();
            List<LocalCandidate> local = a.ice4jComponent().getLocalCandidates();
            assertEquals(1, local.size());
            LocalCandidate c = local.get(0);
            IceSocketWrapper s = c.getStunSocket(null);
            assertNotNull(s);
            assertTrue(s instanceof HostSocket, "not our socket: " + s);
            assertEquals(a.localSocketAddresses().get(0), s.getLocalSocketAddress());
        }
    }

    @Test
    void unroutableRemoteCandidateFailsWithBoundedLogging() throws Exception {
        assumeTrue(canUnshare(), "needs unshare(1) with user+network namespaces and ip(8)");
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        String script = "ip link set lo up && exec \"$0\" -cp \"$1\" " + UnreachableMain.class.getName() + " "
                + UNREACHABLE;
        // Output goes to a file: a child flooding the log must not block on a full pipe.
        Path log = Files.createTempFile("jdc-ice-unreachable", ".log");
        String out;
        boolean exited;
        Process p;
        try {
            p = new ProcessBuilder(List.of("unshare", "-rn", "sh", "-c", script, java,
                    System.getProperty("java.class.path"))).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            exited = p.waitFor(UnreachableMain.FAIL_WITHIN_MS + 20_000, TimeUnit.MILLISECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            out = Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
        LOG.info("child output:\n{}", out.length() > 20_000 ? out.substring(0, 20_000) + "\n..." : out);
        assertTrue(exited, "child did not finish; " + out.lines().count() + " lines of output");
        assertEquals(0, p.exitValue(), "child exit code; output:\n" + out);
        assertTrue(out.contains("FAILED controlled ") && out.contains("FAILED controlling "), out);
        assertTrue(out.contains("CONNECTED mixed 127.0.0.1:"), out);
        assertTrue(out.contains("DONE"), out);

        String run = out.substring(0, out.indexOf("DONE"));
        long warnLines = run.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).count();
        long stackLines = run.lines().filter(l -> l.startsWith("\tat ")).count();
        LOG.info("child logged {} WARN/ERROR lines and {} stack frames", warnLines, stackLines);
        assertTrue(warnLines <= MAX_WARN_LINES, "too many WARN/ERROR lines: " + warnLines);
        assertEquals(0, stackLines, "stack traces logged");
        assertTrue(!run.contains("IllegalStateException"), "ice4j's send-error path still throws");
    }
}
