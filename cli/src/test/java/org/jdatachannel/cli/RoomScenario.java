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
 * self-test ({@code /?room=selftest&selftest=room&peers=N}) in N headless browsers (one process
 * each), waits for each page's {@code POST /result}, and prints
 * {@code {"ok":..,"test":"room","pages":[...]}} as its last stdout line (exit status 0 only when
 * every page reported ok).
 *
 * <p>Arguments: {@code <ice address> <timeout seconds> <scratch dir> <browsers, e.g.
 * chromium,chromium,firefox>}. The browsers run with {@link Browser.Option#PLAIN_HOST_CANDIDATES}:
 * two browsers that both hide their host addresses behind {@code .local} names could only meet
 * through mDNS resolution, which the namespace does not offer (the JVM peer meets them either way,
 * peer-reflexive).
 */
public final class RoomScenario {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RoomScenario() {
    }

    public static void main(String[] args) {
        ObjectNode result;
        try {
            if (args.length != 4) {
                throw new IllegalArgumentException("usage: RoomScenario <ice address> <timeout s> <scratch dir> <browser,browser,...>");
            }
            List<Browser> browsers = new ArrayList<>();
            for (String id : args[3].split(",")) {
                browsers.add(Browser.byId(id));
            }
            result = run(args[0], Duration.ofSeconds(Integer.parseInt(args[1])), Path.of(args[2]), browsers);
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

    static ObjectNode run(String iceAddress, Duration timeout, Path scratch, List<Browser> kinds) throws Exception {
        int pages = kinds.size();
        List<Process> browsers = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of(iceAddress)))) {
            server.start();
            String url = "http://127.0.0.1:" + server.port() + "/?room=selftest&selftest=room&peers=" + pages;
            for (int i = 0; i < pages; i++) {
                Browser kind = kinds.get(i);
                Path profile = Files.createTempDirectory(scratch, "profile-" + i + "-");
                Path home = Files.createTempDirectory(scratch, "home-" + i + "-");
                Path log = Files.createTempFile(scratch, kind.id() + "-" + i + "-", ".log");
                logs.add(log);
                List<String> cmd = kind.launch(profile, url, List.of(Browser.Option.PLAIN_HOST_CANDIDATES));
                System.err.println("starting: " + String.join(" ", cmd));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
                pb.environment().putAll(kind.environment(home));
                browsers.add(pb.start());
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
                ArrayNode tails = result.putArray("browserLogTails");
                logs.forEach(l -> tails.add(BrowserScenario.tail(l)));
            }
            return result;
        } finally {
            for (Process b : browsers) {
                BrowserScenario.killTree(b);
            }
        }
    }
}
