package org.jdatachannel.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs inside the test's private network namespace (see {@link BrowserNamespace}): starts the real
 * server on 127.0.0.1 with ICE restricted to the namespace's veth address, opens
 * {@code interop.html?role=...} (or the demo page's self-test) in a headless {@link Browser}, waits
 * for the page's {@code POST /result}, kills the browser, and prints the result JSON as its last
 * stdout line. Exit status 0 only when the page reported {@code ok:true}.
 *
 * <p>Arguments: {@code <browser: chromium|firefox> <role: offer|answer|demo> <ice address>
 * <timeout seconds> <scratch dir> [<option>...] [query=<extra query string>]}, options being
 * {@link Browser.Option} names. The browser's profile, home and log go into the scratch directory,
 * which the caller creates and deletes.
 */
public final class BrowserScenario {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes of the browser's output kept for the report. */
    private static final int LOG_TAIL = 6000;
    private static final String USAGE = "usage: BrowserScenario chromium|firefox offer|answer|demo <ice address>"
            + " <timeout s> <scratch dir> [INTERLEAVING|PLAIN_HOST_CANDIDATES|USRSCTP]... [query=<k=v&...>]";

    private BrowserScenario() {
    }

    public static void main(String[] args) {
        ObjectNode result;
        try {
            if (args.length < 5 || !List.of("offer", "answer", "demo").contains(args[1])) {
                throw new IllegalArgumentException(USAGE);
            }
            Browser browser = Browser.byId(args[0]);
            List<Browser.Option> options = new ArrayList<>();
            String query = "";
            for (String a : List.of(args).subList(5, args.length)) {
                if (a.startsWith("query=")) {
                    query = a.substring("query=".length());
                } else {
                    options.add(Browser.Option.valueOf(a));
                }
            }
            // The association's debug line "association established: ... interleaving true ..."
            // is how the tests see what SCTP extensions were negotiated; set before any logger of
            // the stack exists (slf4j-simple reads it per logger).
            System.setProperty("org.slf4j.simpleLogger.log.org.jdatachannel.sctp.Association", "debug");
            // RFC 8899 Datagram PLPMTUD's debug lines ("PLPMTUD search complete: PLPMTU n bytes
            // (MAX_PLPMTU m)", probes confirmed, black holes): how the tests see whether the browser
            // answered our probes (InteropAssertions.pathMtu).
            System.setProperty("org.slf4j.simpleLogger.log.org.jdatachannel.sctp.PathMtuDiscovery", "debug");
            // slf4j-simple writes to the current System.err on each call: watch it for log lines the
            // scenario has to wait for (see awaitRestartDone).
            System.setErr(new PrintStream(LOG_WATCH, true, StandardCharsets.UTF_8));
            result = run(browser, args[1], args[2], Duration.ofSeconds(Integer.parseInt(args[3])), Path.of(args[4]),
                    options, query);
        } catch (Exception e) {
            result = JSON.createObjectNode();
            result.put("ok", false);
            result.putArray("errors").add("scenario failed: " + e);
            e.printStackTrace();
        }
        System.out.println(result.toString());
        System.out.flush();
        // ice4j may keep non-daemon threads.
        System.exit(result.path("ok").asBoolean(false) ? 0 : 1);
    }

    /** The line PeerConnectionCore logs (INFO) when DTLS has moved to the new ICE agent. */
    static final String RESTART_DONE = "ICE restart done";
    private static final LogWatch LOG_WATCH = new LogWatch(System.err, RESTART_DONE);

    /**
     * The page reports once its echo after {@code pc.restartIce()} came back, which can happen over
     * the old candidate pair before our side has nominated (or seen nominated) a pair of the new
     * ICE generation and moved DTLS to it. So the scenario waits, bounded, for our side to log
     * that the restart is done before it reports (and the browser is killed); the test asserts the
     * line is in the log.
     */
    private static void awaitRestartDone() throws InterruptedException {
        if (!LOG_WATCH.seen.await(20, TimeUnit.SECONDS)) {
            System.err.println("our side did not finish the ICE restart within 20 s of the page's result");
        }
    }

    /** Passes everything to {@code out} and counts down once {@code needle} has gone through. */
    private static final class LogWatch extends OutputStream {
        private final PrintStream out;
        private final String needle;
        private final StringBuilder tail = new StringBuilder();
        final CountDownLatch seen = new CountDownLatch(1);

        LogWatch(PrintStream out, String needle) {
            this.out = out;
            this.needle = needle;
        }

        @Override
        public synchronized void write(int b) {
            out.write(b);
            look((char) (b & 0xff));
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            out.write(b, off, len);
            for (int i = 0; i < len; i++) {
                look((char) (b[off + i] & 0xff));
            }
        }

        private void look(char c) {
            if (seen.getCount() == 0) {
                return;
            }
            tail.append(c);
            if (tail.length() > 2 * needle.length()) {
                tail.delete(0, tail.length() - needle.length());
            }
            if (tail.indexOf(needle) >= 0) {
                seen.countDown();
            }
        }

        @Override
        public void flush() {
            out.flush();
        }
    }

    static ObjectNode run(Browser browser, String role, String iceAddress, Duration timeout, Path scratch,
            List<Browser.Option> options, String query) throws Exception {
        Path profile = Files.createTempDirectory(scratch, "profile-");
        Path home = Files.createTempDirectory(scratch, "home-");
        Path browserLog = Files.createTempFile(scratch, browser.id() + "-", ".log");
        Process process = null;
        try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of(iceAddress)))) {
            server.start();
            // "demo": the demo page's self-test (chat + 1 MiB file round trip); otherwise the interop page.
            String url = "http://127.0.0.1:" + server.port() + (role.equals("demo") ? "/?selftest=1"
                    : "/interop.html?role=" + role + "&timeout=" + Math.max(1000, timeout.toMillis() - 5000))
                    + (query.isEmpty() ? "" : "&" + query);
            List<String> cmd = browser.launch(profile, url, options);
            System.err.println("starting: " + String.join(" ", cmd));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(browserLog.toFile());
            pb.environment().putAll(browser.environment(home));
            process = pb.start();
            long end = System.nanoTime() + timeout.toNanos();
            String text = null;
            while (text == null && System.nanoTime() < end) {
                text = server.awaitResult(Duration.ofMillis(500));
                if (text == null && !process.isAlive()) {
                    break;
                }
            }
            ObjectNode result;
            if (text != null) {
                result = (ObjectNode) JSON.readTree(text);
            } else {
                result = JSON.createObjectNode();
                result.put("ok", false);
                result.putArray("errors").add(process.isAlive()
                        ? "no result from the page within " + timeout.toSeconds() + " s"
                        : browser.id() + " exited with status " + process.exitValue() + " before the page reported");
            }
            if (result.path("ok").asBoolean(false) && query.contains("restart=1")) {
                awaitRestartDone();
            }
            if (!result.path("ok").asBoolean(false)) {
                result.put("browserLogTail", tail(browserLog));
            }
            return result;
        } finally {
            if (process != null) {
                killTree(process);
            }
            deleteRecursively(profile);
            deleteRecursively(home);
            Files.deleteIfExists(browserLog);
        }
    }

    /** Kills a process and all its descendants, and waits (bounded) for it. */
    static void killTree(Process p) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        p.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        p.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle h : all) {
            h.onExit().completeOnTimeout(h, 5, TimeUnit.SECONDS).join();
        }
    }

    /** The end of the browser's output, without the D-Bus noise of a machine without a session bus. */
    static String tail(Path file) {
        try {
            String all = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.contains(":ERROR:dbus/") && !l.contains("unexpected operator"))
                    .collect(java.util.stream.Collectors.joining("\n"));
            return all.length() <= LOG_TAIL ? all : all.substring(all.length() - LOG_TAIL);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // the browser may still be writing; the temp dir is reclaimed by the OS.
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}
