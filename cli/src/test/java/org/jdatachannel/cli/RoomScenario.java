package org.jdatachannel.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs inside {@link RoomBrowserTest}'s private network namespace: starts the real server on
 * 127.0.0.1 with ICE restricted to the namespace's veth address, opens the demo page's room
 * self-test ({@code /?room=selftest&selftest=room&peers=N}) in N headless Chromium processes, waits
 * for each page's {@code POST /result}, and prints {@code {"ok":..,"test":"room","pages":[...]}} as
 * its last stdout line (exit status 0 only when every page reported ok).
 *
 * <p>Arguments: {@code <ice address> <chromium binary> <timeout seconds> <scratch dir> <pages>}.
 * Chromium runs with {@code WebRtcHideLocalIpsWithMdns} disabled: two browsers that both hide
 * their host addresses behind {@code .local} names could only meet through mDNS resolution, which
 * this namespace does not offer; the JVM peer meets them either way (peer-reflexive).
 */
public final class RoomScenario {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RoomScenario() {
    }

    public static void main(String[] args) {
        ObjectNode result;
        try {
            if (args.length != 5) {
                throw new IllegalArgumentException("usage: RoomScenario <ice address> <chromium> <timeout s> <scratch dir> <pages>");
            }
            result = run(args[0], args[1], Duration.ofSeconds(Integer.parseInt(args[2])), Path.of(args[3]),
                    Integer.parseInt(args[4]));
        } catch (Exception e) {
            result = JSON.createObjectNode();
            result.put("ok", false);
            result.putArray("errors").add("scenario failed: " + e);
            e.printStackTrace();
        }
        System.out.println(result.toString());
        System.out.flush();
        System.exit(result.path("ok").asBoolean(false) ? 0 : 1); // ice4j may keep non-daemon threads
    }

    static ObjectNode run(String iceAddress, String chromium, Duration timeout, Path scratch, int pages) throws Exception {
        List<Process> browsers = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of(iceAddress)))) {
            server.start();
            String url = "http://127.0.0.1:" + server.port() + "/?room=selftest&selftest=room&peers=" + pages;
            for (int i = 0; i < pages; i++) {
                Path profile = Files.createTempDirectory(scratch, "profile-" + i + "-");
                Path log = Files.createTempFile(scratch, "chromium-" + i + "-", ".log");
                logs.add(log);
                List<String> cmd = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update", "--no-first-run",
                        "--disable-sync", "--disable-quic", "--disable-dev-shm-usage", "--no-default-browser-check",
                        "--disable-features=WebRtcHideLocalIpsWithMdns", "--user-data-dir=" + profile, url);
                System.err.println("starting: " + String.join(" ", cmd));
                browsers.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            ArrayNode results = JSON.createArrayNode();
            long end = System.nanoTime() + timeout.toNanos();
            while (results.size() < pages && System.nanoTime() < end) {
                String text = server.awaitResult(Duration.ofMillis(500));
                if (text != null) {
                    results.add(JSON.readTree(text));
                } else if (browsers.stream().noneMatch(Process::isAlive)) {
                    break;
                }
            }
            ObjectNode result = JSON.createObjectNode();
            boolean ok = results.size() == pages;
            for (var r : results) {
                ok &= r.path("ok").asBoolean(false);
            }
            result.put("ok", ok);
            result.put("test", "room");
            result.set("pages", results);
            if (results.size() < pages) {
                result.putArray("errors").add("only " + results.size() + " of " + pages + " pages reported within "
                        + timeout.toSeconds() + " s");
            }
            if (!ok) {
                ArrayNode tails = result.putArray("chromiumLogTails");
                logs.forEach(l -> tails.add(ChromiumScenario.tail(l)));
            }
            return result;
        } finally {
            for (Process b : browsers) {
                ChromiumScenario.killTree(b);
            }
        }
    }
}
