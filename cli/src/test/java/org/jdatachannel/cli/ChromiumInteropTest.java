package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Java⇄headless Chromium, both offer/answer roles, in a private network namespace (see
 * {@link BrowserNamespace}). The scenario restricts ICE to 198.18.0.1 and drives
 * {@code interop.html?role=...}; Chromium keeps its default mDNS-hidden host candidates, so the
 * Java side connects through peer-reflexive candidates.
 */
@Timeout(180)
class ChromiumInteropTest {

    @BeforeAll
    static void requireTools() throws Exception {
        BrowserNamespace.requireTools(Browser.CHROMIUM);
    }

    @ParameterizedTest(name = "Chromium role={0}")
    @ValueSource(strings = {"offer", "answer"})
    void chromiumEchoScenario(String role) throws Exception {
        JsonNode r = runInNamespace(role);
        InteropAssertions.echoAndClose(Browser.CHROMIUM, role, r);
        // RFC 8899: Chromium answers our PLPMTUD probes; the exchange above ran over the larger packets
        InteropAssertions.pathMtu(Browser.CHROMIUM, role, r);
        // A server channel opened, given 5 messages and closed at once closes in Chromium too
        // (the page records its state QUICK_CLOSE_MS after it arrived; its messages may be lost).
        assertEquals("closed", r.path("closeChecks").path("quickOpenClose").path("browserState").asText(),
                () -> "quick open/close: " + r.path("closeChecks").path("quickOpenClose"));
    }

    /**
     * RFC 8899 over a path with jumbo frames (veth MTU 9000): the interface would allow SCTP packets of
     * 8932 bytes, but libwebrtc fails its DTLS transport on a record above 2048 bytes (it reads each
     * record into a 2048-byte buffer), so our automatic MAX_PLPMTU off loopback stays at 2048
     * (PathMtu.BROWSER_SAFE): Chromium answers the probes up to 2048 and the connection, the echo and
     * the close checks stay intact.
     */
    @Test
    void chromiumJumboFramesKeepsPacketsBrowserSafe() throws Exception {
        JsonNode r = BrowserNamespace.run(Browser.CHROMIUM, "answer", BrowserNamespace.JUMBO_FRAMES);
        InteropAssertions.echoAndClose(Browser.CHROMIUM, "answer", r);
        InteropAssertions.pathMtu(Browser.CHROMIUM, "answer", r, java.util.List.of(2048));
    }

    /**
     * Trickle ICE with Chromium, Chromium offering (see FirefoxInteropTest#firefoxTrickleIce); with
     * a default route in the namespace, so that Chromium gathers a candidate to trickle (its mDNS
     * name for 198.18.0.2).
     */
    @Test
    void chromiumTrickleIce() throws Exception {
        JsonNode r = BrowserNamespace.run(Browser.CHROMIUM, "offer", BrowserNamespace.DEFAULT_ROUTE,
                "query=trickle=1&close=0");
        InteropAssertions.trickleEcho(Browser.CHROMIUM, "offer", r);
    }

    /**
     * ICE restart by Chromium on a live trickle session, in both roles: after the echo phases the
     * page calls {@code pc.restartIce()} and re-offers (POST /trickle/&lt;id&gt;/reoffer), the
     * server answers with new ICE credentials (a new ICE agent), both sides trickle the new
     * generation, and the ordered echo phase runs again; the server's log shows DTLS moved to the
     * new agent (RFC 8445 §9, W3C restartIce()).
     */
    @ParameterizedTest(name = "Chromium restarts ICE, role={0}")
    @ValueSource(strings = {"offer", "answer"})
    void chromiumIceRestart(String role) throws Exception {
        JsonNode r = BrowserNamespace.run(Browser.CHROMIUM, role, BrowserNamespace.DEFAULT_ROUTE,
                "query=trickle=1&restart=1&close=0");
        InteropAssertions.trickleEcho(Browser.CHROMIUM, role, r);
        InteropAssertions.iceRestart(Browser.CHROMIUM, role, r);
    }

    private static JsonNode runInNamespace(String role) throws Exception {
        return role.equals("demo")
                // The demo self-test runs over RFC 8260 I-DATA: Chromium offers it only under this
                // field trial, and we offer it by default (RtcConfiguration.messageInterleaving). The
                // offer/answer echo scenarios keep the DATA path that browsers use by default.
                ? BrowserNamespace.run(Browser.CHROMIUM, role, Browser.Option.INTERLEAVING.name())
                : BrowserNamespace.run(Browser.CHROMIUM, role);
    }

    /** The demo page (index.html + demo.js) in its self-test mode: hello, chat echo, 1 MiB file round trip. */
    @Test
    void demoPageSelfTest() throws Exception {
        JsonNode r = runInNamespace("demo");
        assertTrue(r.path("ok").asBoolean(false), () -> "demo self-test failed: " + r.toPrettyString());
        assertEquals(Scenario.HELLO_TEXT, r.path("hello").asText());
        assertEquals(1024 * 1024 + 123, r.path("file").path("received").asInt());
        assertEquals(r.path("file").path("sha256").asText(), r.path("file").path("sha256Back").asText());
        // The scenario starts Chromium with its message-interleaving field trial for the demo, so
        // the file went over RFC 8260 I-DATA: the association's debug line says so.
        String javaLog = r.path("javaLog").asText();
        assertTrue(javaLog.contains("association established:") && javaLog.contains("interleaving true"),
                () -> "I-DATA negotiated with Chromium: " + tailOf(javaLog, 4000));
    }

    private static String tailOf(String s, int max) {
        return BrowserNamespace.tailOf(s, max);
    }
}
