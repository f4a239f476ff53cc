package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SessionDescriptionTest {

    static List<String> fixtures() {
        return Fixtures.ALL;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void roundTripFromLf(String name) throws SdpParseException {
        SessionDescription sd = SessionDescription.parse(Fixtures.lf(name));
        assertEquals(Fixtures.crlf(name), sd.serialize(), name);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void roundTripFromCrlfIsIdempotent(String name) throws SdpParseException {
        SessionDescription sd = SessionDescription.parse(Fixtures.crlf(name));
        String out = sd.serialize();
        assertEquals(Fixtures.crlf(name), out, name);
        assertEquals(sd, SessionDescription.parse(out));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void lineNumbersMatchText(String name) {
        SessionDescription sd = Fixtures.parse(name);
        String[] lines = Fixtures.lf(name).split("\n");
        for (int i = 0; i < sd.media().size(); i++) {
            int n = sd.mediaLineNumber(i);
            assertEquals("m=" + sd.media().get(i).mediaLine(), lines[n - 1], name + " media " + i);
        }
        for (int i = 0; i < sd.sessionLines().size(); i++) {
            assertEquals(sd.sessionLines().get(i).toString(), lines[sd.sessionLineNumber(i) - 1]);
        }
    }

    @Test
    void chromiumOfferStructure() {
        SessionDescription sd = Fixtures.parse("chromium-offer.sdp");
        assertEquals(new Origin("-", "4215775240449105457", "2", "IN", "IP4", "127.0.0.1"), sd.origin());
        assertEquals("-", sd.sessionName());
        assertEquals(0, sd.version());
        assertEquals(Optional.of("BUNDLE 0"), sd.attribute("group"));
        assertEquals(Optional.of(""), sd.attribute("extmap-allow-mixed"));
        // The space after the colon is part of the value and survives the round trip.
        assertEquals(Optional.of(" WMS"), sd.attribute("msid-semantic"));
        assertEquals(List.of(new SdpLine('t', "0 0")), sd.sessionLines('t'));
        assertEquals(1, sd.media().size());
        MediaDescription m = sd.media().get(0);
        assertEquals(new MediaLine("application", 9, "UDP/DTLS/SCTP", List.of("webrtc-datachannel")), m.mediaLine());
        assertEquals(Optional.of("0"), m.mid());
        assertEquals(Optional.of("262144"), m.attribute("max-message-size"));
        assertTrue(m.hasAttribute("ice-options"));
        assertFalse(m.hasAttribute("end-of-candidates"));
        assertEquals(4, m.attributes().stream().filter(a -> a.name().equals("candidate")).count());
    }

    @Test
    void unknownLinesAndAttributesArePreserved() {
        SessionDescription sd = Fixtures.parse("unknown-lines.sdp");
        assertEquals(" ", sd.sessionName());
        assertTrue(sd.sessionLines().contains(new SdpLine('x', "an unknown line type kept verbatim")));
        assertEquals(Optional.of("with: colons : and  double  spaces "), sd.attribute("x-unknown-attribute"));
        assertEquals(2, sd.sessionLines('t').size());
        MediaDescription m = sd.media().get(0);
        assertEquals(0, m.mediaLine().port());
        assertTrue(m.lines().contains(new SdpLine('Y', "uppercase unknown type")));
        assertEquals(new Attribute("x-flag", null), m.attributes().get(1));
    }

    @Test
    void numberOfPortsAndMultipleFormats() throws SdpParseException {
        SessionDescription sd = SessionDescription.parse("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nm=video 49170/2 RTP/AVP 31 32\n");
        MediaLine ml = sd.media().get(0).mediaLine();
        assertEquals(49170, ml.port());
        assertEquals(2, ml.numberOfPorts());
        assertEquals(List.of("31", "32"), ml.formats());
        assertEquals("video 49170/2 RTP/AVP 31 32", ml.toString());
    }

    @Test
    void trailingEmptyLinesAndMissingFinalNewlineAreAccepted() throws SdpParseException {
        String base = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
        assertEquals(base, SessionDescription.parse(base + "\r\n\n").serialize());
        assertEquals(base, SessionDescription.parse(base.substring(0, base.length() - 2)).serialize());
    }

    @Test
    void extraSpacesInOriginAndMediaLinesAreNormalized() throws SdpParseException {
        SessionDescription sd = SessionDescription.parse("v=0\no=-  1 1 IN IP4 0.0.0.0 \ns=-\nt=0 0\nm=application  9 UDP/DTLS/SCTP  webrtc-datachannel\n");
        assertEquals("- 1 1 IN IP4 0.0.0.0", sd.origin().toString());
        assertEquals("application 9 UDP/DTLS/SCTP webrtc-datachannel", sd.media().get(0).mediaLine().toString());
    }

    private static final String HEAD = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty||0|description is empty",
        "only blank lines|\\n\\n\\n|0|description is empty",
        "missing v=|o=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\n|1|description must start with a v= line, found o=",
        "version 1|v=1\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\n|1|unsupported SDP version '1', expected v=0",
        "truncated after v|v=0\\n|2|description ends before the o= line",
        "truncated after o|v=0\\no=- 1 1 IN IP4 0.0.0.0\\n|3|description ends before the s= line",
        "s before o|v=0\\ns=-\\no=- 1 1 IN IP4 0.0.0.0\\nt=0 0\\n|2|second line must be o=, found s=",
        "short origin|v=0\\no=- 1 1 IN IP4\\ns=-\\nt=0 0\\n|2|o= line needs 6 fields, found 5",
        "origin id not digits|v=0\\no=- abc 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\n|2|o= sess-id is not 1 to 20 digits: 'abc'",
        "no t=|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\na=x\\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\\n|5|no t= line in the session section",
        "no t= and no media|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\n|3|no t= line in the session section",
        "c after t|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\nc=IN IP4 0.0.0.0\\n|5|c= line is out of order (RFC 8866 §5 order is v o s i u e p c b t r z k a)",
        "a before t|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\na=x\\nt=0 0\\n|5|t= line is out of order (RFC 8866 §5 order is v o s i u e p c b t r z k a)",
        "r without t|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nr=7d 1h 0\\nt=0 0\\n|4|r= line must follow a t= or r= line",
        "two session i=|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\ni=a\\ni=b\\nt=0 0\\n|5|more than one session-level i= line",
        "second v=|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\nv=0\\n|5|v= line is not allowed here",
        "empty line in the middle|v=0\\no=- 1 1 IN IP4 0.0.0.0\\n\\ns=-\\nt=0 0\\n|3|empty line",
        "no equals sign|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\nhello\\n|5|expected <letter>=<value>, found 'hello'",
        "space before equals|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\na =x\\n|5|expected <letter>=<value>, found 'a =x'",
        "digit type|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\n1=x\\n|5|expected <letter>=<value>, found '1=x'",
        "empty attribute|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\na=\\n|5|a= line has an empty attribute name",
        "attribute without name|v=0\\no=- 1 1 IN IP4 0.0.0.0\\ns=-\\nt=0 0\\na=:x\\n|5|a= line has an empty attribute name",
    })
    void sessionErrors(String label, String text, int line, String reason) {
        SdpParseException e = assertThrows(SdpParseException.class, () -> SessionDescription.parse(unescape(text)), label);
        assertEquals(reason, e.reason(), label);
        assertEquals(line, e.lineNumber(), label);
        assertEquals(line > 0 ? "line " + line + ": " + reason : reason, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad m= line|m=application 9|5|m= line needs at least 4 fields, found 2",
        "non-numeric port|m=application abc UDP/DTLS/SCTP webrtc-datachannel|5|m= port is not a number: 'abc'",
        "port too large|m=application 65536 UDP/DTLS/SCTP webrtc-datachannel|5|m= port is out of range 0..65535: 65536",
        "port too long|m=application 1234567 UDP/DTLS/SCTP webrtc-datachannel|5|m= port is not a number 0..65535: '1234567'",
        "zero port count|m=audio 9/0 RTP/AVP 0|5|m= number of ports must be at least 1, got 0",
        "bad port count|m=audio 9/x RTP/AVP 0|5|m= number of ports is not a number: 'x'",
        "t= in media|m=audio 9 RTP/AVP 0\\na=x\\nt=0 0|7|t= line is not allowed in a media section",
        "c after a in media|m=audio 9 RTP/AVP 0\\na=x\\nc=IN IP4 0.0.0.0|7|c= line is out of order (RFC 8866 §5 media order is m i c b k a)",
        "second m= bad|m=audio 9 RTP/AVP 0\\na=mid:0\\nm=video|7|m= line needs at least 4 fields, found 1",
        "tab in format|m=audio 9 RTP/AVP 0\\t1|5|m= format must be non-empty without spaces: '0\\x091'",
    })
    void mediaErrors(String label, String media, int line, String reason) {
        SdpParseException e = assertThrows(SdpParseException.class, () -> SessionDescription.parse(HEAD + unescape(media) + "\n"), label);
        assertEquals(reason, e.reason(), label);
        assertEquals(line, e.lineNumber(), label);
    }

    private static String unescape(String s) {
        return s == null ? "" : s.replace("\\n", "\n").replace("\\t", "\t");
    }

    @Test
    void controlCharactersAreRejectedWithLineAndColumn() {
        SdpParseException nul = assertThrows(SdpParseException.class, () -> SessionDescription.parse(HEAD + "a=x\0y\n"));
        assertEquals("line 5: NUL character at column 4", nul.getMessage());
        SdpParseException cr = assertThrows(SdpParseException.class, () -> SessionDescription.parse(HEAD + "a=x\ry\n"));
        assertEquals("line 5: bare CR character at column 4", cr.getMessage());
    }

    @Test
    void hugeInputIsRejectedWithoutParsing() {
        String huge = HEAD + "a=x:" + "y".repeat(SessionDescription.MAX_TEXT_CHARS);
        SdpParseException e = assertThrows(SdpParseException.class, () -> SessionDescription.parse(huge));
        assertEquals(0, e.lineNumber());
        assertTrue(e.reason().startsWith("description is " + huge.length() + " characters, limit is 1048576"), e.reason());
    }

    @Test
    void overlongLineIsRejected() {
        String text = HEAD + "a=x:" + "y".repeat(SessionDescription.MAX_LINE_CHARS) + "\n";
        SdpParseException e = assertThrows(SdpParseException.class, () -> SessionDescription.parse(text));
        assertEquals(5, e.lineNumber());
        assertEquals("line is longer than the limit of 65536 characters", e.reason());
    }

    @Test
    void tooManyLinesIsRejected() {
        String text = HEAD + "a=x\n".repeat(SessionDescription.MAX_LINES);
        SdpParseException e = assertThrows(SdpParseException.class, () -> SessionDescription.parse(text));
        assertEquals(SessionDescription.MAX_LINES + 1, e.lineNumber());
    }

    @Test
    void nullInputIsAnArgumentError() {
        assertThrows(IllegalArgumentException.class, () -> SessionDescription.parse(null));
    }

    @Test
    void constructorsRejectBrokenModels() {
        Origin o = Origin.jsep(1, 2);
        assertThrows(IllegalArgumentException.class, () -> new SessionDescription(o, "-", List.of(), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new SessionDescription(o, "-", List.of(SdpLine.attribute("x", null), new SdpLine('t', "0 0")), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SessionDescription(o, "a\r\nb", List.of(new SdpLine('t', "0 0")), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SdpLine('a', "x\ny"));
        assertThrows(IllegalArgumentException.class, () -> new SdpLine('1', "x"));
        assertThrows(IllegalArgumentException.class, () -> new Attribute("", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Attribute("a:b", "x"));
        assertThrows(IllegalArgumentException.class, () -> new MediaLine("audio", 70000, "RTP/AVP", List.of("0")));
        assertThrows(IllegalArgumentException.class, () -> new MediaLine("audio", 9, "RTP/AVP", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new MediaDescription(
                new MediaLine("audio", 9, "RTP/AVP", List.of("0")), List.of(new SdpLine('t', "0 0"))));
        assertThrows(IllegalArgumentException.class, () -> new Origin("-", "x", "1", "IN", "IP4", "0.0.0.0"));
        assertThrows(IllegalArgumentException.class, () -> Origin.jsep(-1, 0));
    }

    @Test
    void builtModelSerializesAndParsesBack() throws SdpParseException {
        SessionDescription sd = new SessionDescription(Origin.jsep(42, 7), "-",
                List.of(new SdpLine('t', "0 0"), SdpLine.attribute("group", "BUNDLE 0")),
                List.of(new MediaDescription(new MediaLine("application", 9, "UDP/DTLS/SCTP", List.of("webrtc-datachannel")),
                        List.of(new SdpLine('c', "IN IP4 0.0.0.0"), SdpLine.attribute("mid", "0")))));
        String text = sd.serialize();
        assertEquals("v=0\r\no=- 42 7 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n", text);
        assertEquals(sd, SessionDescription.parse(text));
        assertEquals(text, sd.toString());
    }
}
