package org.jdatachannel.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs inside the test's private network namespace (see {@link ChromiumInteropTest}): starts the
 * real server on 127.0.0.1 with ICE restricted to the namespace's veth address, opens
 * {@code interop.html?role=...} in headless Chromium, waits for the page's {@code POST /result},
 * kills Chromium, and prints the result JSON as its last stdout line. Exit status 0 only when the
 * page reported {@code ok:true}.
 *
 * <p>Arguments: {@code <role: offer|answer|demo> <ice address> <chromium binary> <timeout seconds>
 * <scratch dir>}; Chromium's profile and log go into the scratch directory, which the caller
 * creates and deletes.
 */
public final class ChromiumScenario {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes of Chromium's output kept for the report. */
    private static final int LOG_TAIL = 6000;

    private ChromiumScenario() {
    }

    public static void main(String[] args) {
        ObjectNode result;
        try {
            if (args.length != 5 || !List.of("offer", "answer", "demo").contains(args[0])) {
                throw new IllegalArgumentException(
                        "usage: ChromiumScenario offer|answer|demo <ice address> <chromium> <timeout s> <scratch dir>");
            }
            if (args[0].equals("demo")) {
                // The association's debug line "association established: ... interleaving true ..."
                // is how ChromiumInteropTest sees that I-DATA was negotiated with Chromium; set
                // before any logger of the stack exists (slf4j-simple reads it per logger).
                System.setProperty("org.slf4j.simpleLogger.log.org.jdatachannel.sctp.Association", "debug");
            }
            result = run(args[0], args[1], args[2], Duration.ofSeconds(Integer.parseInt(args[3])), Path.of(args[4]));
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

    static ObjectNode run(String role, String iceAddress, String chromium, Duration timeout, Path scratch)
            throws Exception {
        Path profile = Files.createTempDirectory(scratch, "profile-");
        Path chromiumLog = Files.createTempFile(scratch, "chromium-", ".log");
        Process browser = null;
        try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of(iceAddress)))) {
            server.start();
            // "demo": the demo page's self-test (chat + 1 MiB file round trip); otherwise the interop page.
            String url = "http://127.0.0.1:" + server.port() + (role.equals("demo") ? "/?selftest=1"
                    : "/interop.html?role=" + role + "&timeout=" + Math.max(1000, timeout.toMillis() - 5000));
            List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                    "--disable-quic", "--disable-dev-shm-usage", "--no-default-browser-check",
                    "--user-data-dir=" + profile));
            if (role.equals("demo")) {
                // The demo self-test runs over RFC 8260 I-DATA: Chromium offers it only under this
                // field trial, and we offer it by default (RtcConfiguration.messageInterleaving). The
                // offer/answer echo scenarios keep the DATA path that browsers use by default.
                cmd.add("--force-fieldtrials=WebRTC-DataChannelMessageInterleaving/Enabled/");
            }
            cmd.add(url);
            System.err.println("starting: " + String.join(" ", cmd));
            browser = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(chromiumLog.toFile()).start();
            long end = System.nanoTime() + timeout.toNanos();
            String text = null;
            while (text == null && System.nanoTime() < end) {
                text = server.awaitResult(Duration.ofMillis(500));
                if (text == null && !browser.isAlive()) {
                    break;
                }
            }
            ObjectNode result;
            if (text != null) {
                result = (ObjectNode) JSON.readTree(text);
            } else {
                result = JSON.createObjectNode();
                result.put("ok", false);
                result.putArray("errors").add(browser.isAlive()
                        ? "no result from the page within " + timeout.toSeconds() + " s"
                        : "chromium exited with status " + browser.exitValue() + " before the page reported");
            }
            if (!result.path("ok").asBoolean(false)) {
                result.put("chromiumLogTail", tail(chromiumLog));
            }
            return result;
        } finally {
            if (browser != null) {
                killTree(browser);
            }
            deleteRecursively(profile);
            Files.deleteIfExists(chromiumLog);
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

    /** The end of Chromium's output, without the D-Bus noise of a machine without a session bus. */
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
                    // Chromium may still be writing; the temp dir is reclaimed by the OS.
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}
