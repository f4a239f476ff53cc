package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** Assertions on the result of {@code interop.html} shared by the browser interop tests. */
final class InteropAssertions {

    private InteropAssertions() {
    }

    /**
     * The echo test (both channels, every message, the server's hello) and the close and
     * partial-reliability checks of {@code interop.html} passed against {@code browser}.
     */
    static void echoAndClose(Browser browser, String role, JsonNode r) {
        String name = browser.id().toUpperCase(Locale.ROOT);
        assertTrue(r.path("ok").asBoolean(false), () -> browser.id() + " scenario failed: " + r.toPrettyString());
        assertEquals("echo", r.path("test").asText());
        assertEquals(role, r.path("role").asText());
        assertEquals(Scenario.HELLO_TEXT, r.path("hello").asText());
        assertEquals(Scenario.echoMessages().size(), r.path("messages").asInt());
        assertTrue(r.path("userAgent").asText().contains(browser.userAgentToken()),
                () -> "a " + browser.id() + " user agent: " + r);
        assertTrue(r.path("setupMs").asLong(-1) >= 0, () -> "setup time recorded: " + r);
        System.out.printf("%s role=%s setupMs=%d orderedMs=%d unorderedMs=%d closeChecksMs=%d wallMs=%d%n", name, role,
                r.path("setupMs").asLong(), r.path("orderedMs").asLong(), r.path("unorderedMs").asLong(),
                r.path("closeChecksMs").asLong(), r.path("wallMs").asLong());
        // Close and partial reliability (interop.html closeScenarios, InteropControl); the page
        // already turned every mismatch into an error, these assertions name the main facts.
        JsonNode c = r.path("closeChecks");
        JsonNode javaCloses = c.path("javaCloses");
        assertEquals(200, javaCloses.path("received").asInt(), () -> "(a) Java closes mid-transfer: " + javaCloses);
        assertEquals("closed", javaCloses.path("browserState").asText(), () -> "(a) " + javaCloses);
        assertEquals("CLOSED", javaCloses.path("java").path("state").asText(), () -> "(a) " + javaCloses);
        JsonNode browserCloses = c.path("browserCloses");
        assertEquals(200, browserCloses.path("java").path("received").asInt(),
                () -> "(b) " + browser.id() + " closes: " + browserCloses);
        assertEquals("closed", browserCloses.path("browserState").asText(), () -> "(b) " + browserCloses);
        assertEquals("CLOSED", browserCloses.path("java").path("state").asText(), () -> "(b) " + browserCloses);
        JsonNode reuse = c.path("reuse");
        assertEquals(reuse.path("javaPreviousId").asInt(-1), reuse.path("javaId").asInt(-2), () -> "(c) id reuse: " + reuse);
        JsonNode pr = c.path("partialReliability");
        assertEquals(0, pr.path("props-rexmit0").path("java").path("maxRetransmits").asInt(-1), () -> "(d) " + pr);
        assertFalse(pr.path("props-rexmit0").path("java").path("ordered").asBoolean(true), () -> "(d) " + pr);
        assertEquals(50, pr.path("props-life50").path("java").path("maxPacketLifeTime").asInt(-1), () -> "(d) " + pr);
        assertTrue(pr.path("props-life50").path("java").path("ordered").asBoolean(false), () -> "(d) " + pr);
        assertEquals(0, pr.path("srv-pr").path("maxRetransmits").asInt(-1), () -> "(d) " + pr);
        System.out.printf("%s role=%s close checks: %s%n", name, role, c);
    }

    /**
     * MAX_PLPMTU our side computes for the namespace's veth path (MTU 1500, IPv4): 1500 - 20 (IPv4) - 8
     * (UDP) - the DTLS record expansion, 37 with AES-GCM or 29 with ChaCha20-Poly1305, rounded down to a
     * multiple of 4 (PathMtu): 1432 or 1440.
     */
    static final List<Integer> VETH_MAX_PLPMTU = List.of((1500 - 20 - 8 - 37) & ~3, (1500 - 20 - 8 - 29) & ~3);

    /**
     * RFC 8899 Datagram PLPMTUD against {@code browser} (on by default): our side searched up to the
     * veth path's MAX_PLPMTU, the browser acknowledged our HEARTBEAT+PAD probes (HEARTBEAT ACK), so the
     * PLPMTU rose from 1191 to that maximum, and no black hole was suspected (no fallback to 1191)
     * while the scenario's data went over the larger packets. Reads our debug lines in the scenario
     * JVM's log ({@code PathMtuDiscovery}, enabled by {@link BrowserScenario}).
     */
    static void pathMtu(Browser browser, String role, JsonNode r) {
        pathMtu(browser, role, r, VETH_MAX_PLPMTU);
    }

    /**
     * As {@link #pathMtu(Browser, String, JsonNode)}, with the MAX_PLPMTU values our side may compute.
     *
     * @param expectedMax the possible MAX_PLPMTU values (one per DTLS suite)
     */
    static void pathMtu(Browser browser, String role, JsonNode r, List<Integer> expectedMax) {
        String log = r.path("javaLog").asText();
        Matcher m = Pattern.compile("PLPMTUD search complete: PLPMTU (\\d+) bytes \\(MAX_PLPMTU (\\d+)\\)").matcher(log);
        List<int[]> done = new ArrayList<>();
        while (m.find()) {
            done.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
        }
        List<String> lines = new ArrayList<>();
        Matcher l = Pattern.compile("(?m)^.*PLPMTU.*$").matcher(log);
        while (l.find()) {
            lines.add(l.group().strip());
        }
        System.out.printf("%s role=%s PLPMTUD: %s%n", browser.id().toUpperCase(Locale.ROOT), role, lines);
        assertFalse(done.isEmpty(), () -> "our PLPMTUD search completed against " + browser.id() + ": " + lines);
        for (int[] d : done) {
            assertTrue(expectedMax.contains(d[1]), () -> "MAX_PLPMTU of the veth path, one of " + expectedMax + ": " + lines);
            assertEquals(d[1], d[0], () -> browser.id() + " answered our probes up to MAX_PLPMTU: " + lines);
        }
        assertFalse(log.contains("black hole suspected"), () -> "no black hole with " + browser.id() + ": " + lines);
    }

    /**
     * The echo test passed with trickle ICE ({@code interop.html?trickle=1}): neither description
     * carried a candidate, the page sent its candidates and then {@code ""}, and it received ours
     * (one on 198.18.0.1) and then {@code ""}.
     */
    static void trickleEcho(Browser browser, String role, JsonNode r) {
        String name = browser.id().toUpperCase(Locale.ROOT);
        assertTrue(r.path("ok").asBoolean(false), () -> browser.id() + " trickle scenario failed: " + r.toPrettyString());
        assertEquals(role, r.path("role").asText());
        assertEquals(Scenario.HELLO_TEXT, r.path("hello").asText());
        assertEquals(Scenario.echoMessages().size(), r.path("messages").asInt());
        JsonNode t = r.path("trickle");
        System.out.printf("%s role=%s trickle: sent %s, received %s; setupMs=%d wallMs=%d%n", name, role,
                t.path("sent"), t.path("received"), r.path("setupMs").asLong(), r.path("wallMs").asLong());
        assertFalse(t.path("sentDescriptionHadCandidates").asBoolean(true), () -> "page's description: " + t);
        assertFalse(t.path("receivedDescriptionHadCandidates").asBoolean(true), () -> "server's description: " + t);
        assertFalse(r.path("localSdp").asText().isEmpty(), () -> "local SDP recorded: " + r);
        JsonNode sent = t.path("sent");
        assertTrue(sent.size() >= 2 && sent.get(sent.size() - 1).asText().isEmpty(),
                () -> "the page's candidates, then end-of-candidates: " + sent);
        JsonNode received = t.path("received");
        assertTrue(received.size() >= 2 && received.get(received.size() - 1).asText().isEmpty(),
                () -> "our candidates, then end-of-candidates: " + received);
        assertTrue(received.toString().contains(" " + BrowserNamespace.JAVA_ICE_ADDRESS + " "),
                () -> "our host candidate on " + BrowserNamespace.JAVA_ICE_ADDRESS + ": " + received);
    }

    /**
     * The page restarted ICE ({@code interop.html?trickle=1&restart=1}): its re-offer and our answer
     * carry new credentials, our new generation's candidates ended with end-of-candidates, Chromium
     * selected a pair of the new generation, and the server log shows DTLS moved to the new ICE
     * agent.
     */
    static void iceRestart(Browser browser, String role, JsonNode r) {
        JsonNode restart = r.path("restart");
        System.out.printf("%s role=%s ICE restart: %s%n", browser.id().toUpperCase(Locale.ROOT), role, restart);
        assertTrue(!restart.path("browserUfragAfter").asText().isEmpty()
                && !restart.path("browserUfragAfter").asText().equals(restart.path("browserUfragBefore").asText()),
                () -> browser.id() + "'s re-offer has new credentials: " + restart);
        assertTrue(!restart.path("serverUfragAfter").asText().isEmpty()
                && !restart.path("serverUfragAfter").asText().equals(restart.path("serverUfragBefore").asText()),
                () -> "our answer has new credentials: " + restart);
        JsonNode received = restart.path("received");
        assertTrue(received.size() >= 2 && received.get(received.size() - 1).asText().isEmpty(),
                () -> "our new candidates, then end-of-candidates: " + received);
        if (browser.id().equals("chromium")) {
            // Chromium's stats name the selected pair's ICE generation (usernameFragment).
            assertTrue(restart.path("newPairSelected").asBoolean(false),
                    () -> "Chromium selected a candidate pair of the new ICE generation: " + restart);
        }
        String javaLog = r.path("javaLog").asText();
        assertTrue(javaLog.contains(BrowserScenario.RESTART_DONE + ": "),
                () -> "DTLS moved to the new ICE agent; log:\n" + javaLog);
    }
}
