package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bad input: truncated, out of order, absurd numbers, NUL and non-ASCII characters, huge input.
 * Every case must end in a checked {@link SdpParseException} naming the line and the reason, after
 * bounded work (counted in characters examined by the line splitter, never in wall-clock time).
 */
class BadInputTest {

    private static final Logger LOG = LoggerFactory.getLogger(BadInputTest.class);
    private static long seed;

    @BeforeAll
    static void seed() {
        seed = Long.getLong("sdp.seed", new SplittableRandom().nextLong());
        LOG.info("BadInputTest seed {} (rerun with -Dsdp.seed={})", seed, seed);
    }

    private static SdpParseException rejected(String text, long[] work) {
        try {
            SessionDescription.parse(text, work);
        } catch (SdpParseException e) {
            return e;
        }
        return fail("accepted: " + SessionDescription.clip(text));
    }

    // ---------------------------------------------------------------- size and work bounds

    @Test
    void tenMegabytesOfGarbageAreRejectedWithoutLookingAtThem() {
        String garbage = "\u0001".repeat(10 * 1024 * 1024);
        long[] work = {0};
        SdpParseException e = rejected(garbage, work);
        assertEquals(0, e.lineNumber());
        assertTrue(e.reason().contains("limit is " + SessionDescription.MAX_TEXT_CHARS), e.reason());
        assertEquals(0, work[0], "no character examined");
    }

    @Test
    void garbageBelowTheSizeLimitFailsAtItsFirstLine() {
        SplittableRandom r = new SplittableRandom(seed);
        char[] c = new char[SessionDescription.MAX_TEXT_CHARS];
        for (int i = 0; i < c.length; i++) {
            int k = r.nextInt(100);
            c[i] = k < 3 ? '\n' : (char) (0x20 + r.nextInt(0x5f));
        }
        long[] work = {0};
        SdpParseException e = rejected(new String(c), work);
        assertEquals(1, e.lineNumber(), e.getMessage());
        assertTrue(work[0] <= SessionDescription.MAX_LINE_CHARS + 2, "examined " + work[0]);

        // one megabyte without any line end: the splitter stops just after the line limit
        work[0] = 0;
        e = rejected("v=" + "0".repeat(SessionDescription.MAX_TEXT_CHARS - 2), work);
        assertEquals(1, e.lineNumber());
        assertTrue(e.reason().startsWith("line is longer than the limit"), e.reason());
        assertEquals(SessionDescription.MAX_LINE_CHARS + 3, work[0]);

        // a valid head, then garbage: fails at the first garbage line
        work[0] = 0;
        String head = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n";
        e = rejected(head + "\u00ff\u0000garbage\n".repeat(50_000), work);
        assertEquals(5, e.lineNumber());
        assertTrue(work[0] <= head.length() + 20, "examined " + work[0]);
    }

    @Test
    void tooManyValidLinesStopAtTheLineLimit() {
        String text = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n" + "x=\n".repeat(200_000);
        long[] work = {0};
        SdpParseException e = rejected(text, work);
        assertEquals(SessionDescription.MAX_LINES + 1, e.lineNumber());
        assertTrue(work[0] <= 4L * (SessionDescription.MAX_LINES + 1), "examined " + work[0]);
    }

    @Test
    void aMillionCandidatesDoNotFitAndAThousandAndOneAreRefused() throws SdpParseException {
        String base = Fixtures.lf("werift-offer.sdp").replace("a=end-of-candidates\n", "");
        String line = "a=candidate:1 1 udp 2130706431 198.18.0.5 44123 typ host\n";
        SdpParseException e = rejected(base + line.repeat(1_000_000), null);
        assertEquals(0, e.lineNumber());
        assertTrue(e.reason().contains("characters, limit is"), e.reason());

        int n = DataChannelMedia.MAX_CANDIDATES + 1;
        SessionDescription sd = SessionDescription.parse(base + line.repeat(n - 2));
        e = assertThrows(SdpParseException.class, () -> DataChannelMedia.from(sd));
        int lines = base.split("\n").length;
        assertEquals(lines + n - 2, e.lineNumber(), e.getMessage());
        assertTrue(e.reason().contains("more than " + DataChannelMedia.MAX_CANDIDATES + " candidates"), e.reason());
    }

    // ---------------------------------------------------------------- truncation

    @Test
    void everyTruncationOfEveryFixtureFailsCleanly() {
        long parsed = 0;
        long failed = 0;
        for (String name : Fixtures.ALL) {
            String text = Fixtures.crlf(name);
            for (int len = 0; len < text.length(); len++) {
                String cut = text.substring(0, len);
                SessionDescription sd;
                try {
                    sd = SessionDescription.parse(cut);
                } catch (SdpParseException e) {
                    failed++;
                    assertTrue(e.lineNumber() >= 0 && e.lineNumber() <= text.split("\r\n").length + 1, e.getMessage());
                    assertTrue(!e.reason().isEmpty());
                    continue;
                } catch (RuntimeException e) {
                    throw new AssertionError(name + " cut at " + len + ": unchecked " + e, e);
                }
                parsed++;
                try {
                    DataChannelMedia m = DataChannelMedia.from(sd);
                    Jsep.createAnswer(JsepFixtures.local(Setup.ACTIVE), sd, 1, 1);
                    assertEquals(m, DataChannelMedia.from(SessionDescription.parse(sd.serialize())));
                } catch (SdpParseException e) {
                    assertTrue(!e.reason().isEmpty());
                } catch (RuntimeException e) {
                    throw new AssertionError(name + " cut at " + len + ": unchecked " + e, e);
                }
            }
        }
        LOG.info("truncations: {} parsed, {} rejected", parsed, failed);
        assertTrue(parsed > 0 && failed > 0);
    }

    // ---------------------------------------------------------------- absurd values, wrong order, characters

    static Stream<Arguments> badDescriptions() {
        String ok = Fixtures.lf("werift-offer.sdp");
        return Stream.of(
                Arguments.of("m= port > 65535", ok.replace("m=application 9 ", "m=application 65536 "), 9, "out of range 0..65535"),
                Arguments.of("m= port 10^12", ok.replace("m=application 9 ", "m=application 1000000000000 "), 9, "not a number 0..65535"),
                Arguments.of("m= number of ports 0", ok.replace("m=application 9 ", "m=application 9/0 "), 9, "at least 1"),
                Arguments.of("o= sess-id 10^100", ok.replace("o=- 1732241234567 ", "o=- 1" + "0".repeat(100) + " "), 2, "sess-id"),
                Arguments.of("v=1", ok.replace("v=0", "v=1"), 1, "unsupported SDP version"),
                Arguments.of("t= before s=", ok.replace("s=-\nc=IN IP4 0.0.0.0\nt=0 0\n", "t=0 0\ns=-\nc=IN IP4 0.0.0.0\n"), 3, "third line must be s="),
                Arguments.of("c= after t=", ok.replace("c=IN IP4 0.0.0.0\nt=0 0\n", "t=0 0\nc=IN IP4 0.0.0.0\n"), 5, "out of order"),
                Arguments.of("c= after a= in media", ok.replace("c=IN IP4 0.0.0.0\na=ice-ufrag", "a=x\nc=IN IP4 0.0.0.0\na=ice-ufrag"), 11, "out of order"),
                Arguments.of("no t=", ok.replace("t=0 0\n", ""), 8, "no t= line"),
                Arguments.of("truncated before o=", "v=0\n", 2, "ends before the o= line"),
                Arguments.of("NUL in a value", ok.replace("a=mid:0", "a=mid:0\u0000"), 18, "NUL character at column 8"),
                Arguments.of("NUL as type", ok.replace("a=mid:0", "\u0000=mid:0"), 18, "expected <letter>=<value>"),
                Arguments.of("non-ASCII type letter", ok.replace("a=mid:0", "\u00e4=mid:0"), 18, "expected <letter>=<value>"),
                Arguments.of("space before =", ok.replace("a=mid:0", "a =mid:0"), 18, "expected <letter>=<value>"),
                Arguments.of("empty line inside", ok.replace("a=mid:0\n", "a=mid:0\n\n"), 19, "empty line"),
                Arguments.of("bare CR", ok.replace("a=mid:0\n", "a=mid:0\rx\n"), 18, "bare CR"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDescriptions")
    void badDescriptionsNameTheLineAndTheReason(String label, String text, int line, String reason) {
        SdpParseException e = rejected(text, null);
        assertEquals(line, e.lineNumber(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("line " + line + ": "), e.getMessage());
    }

    static Stream<Arguments> badDataChannelValues() {
        String ok = Fixtures.lf("werift-offer.sdp");
        String cand = "a=candidate:d1e5a7c3 1 udp 2130706431 198.18.0.5 44123 typ host generation 0 ufrag b1f4";
        return Stream.of(
                Arguments.of("candidate port > 65535", ok.replace(cand, cand.replace(" 44123 ", " 70000 ")), 19, "out of range 0..65535"),
                Arguments.of("candidate priority 2^32", ok.replace(cand, cand.replace("2130706431", "4294967296")), 19, "priority must be 0..4294967295"),
                Arguments.of("candidate priority 10^100", ok.replace(cand, cand.replace("2130706431", "1" + "0".repeat(100))), 19, "priority must be 1 to 10 digits"),
                Arguments.of("candidate component 1000", ok.replace(cand, cand.replace("d1e5a7c3 1 ", "d1e5a7c3 1000 ")), 19, "component-id must be 1 to 3 digits"),
                Arguments.of("candidate rport 65536", ok.replace(cand, cand.replace("typ host", "typ srflx raddr 0.0.0.0 rport 65536")), 19, "out of range"),
                Arguments.of("candidate truncated", ok.replace(cand, "a=candidate:d1e5a7c3 1 udp"), 19, "at least 8 fields"),
                Arguments.of("non-ASCII candidate address", ok.replace(cand, cand.replace("198.18.0.5", "h\u00f6st.local")), 19, "connection-address"),
                Arguments.of("sctp-port 65536", ok.replace("a=sctp-port:5000", "a=sctp-port:65536"), 16, "out of range 0..65535"),
                Arguments.of("max-message-size 10^100", ok.replace("a=max-message-size:65536", "a=max-message-size:1" + "0".repeat(100)), 17, "1 to 19 digits"),
                Arguments.of("max-message-size 2^63", ok.replace("a=max-message-size:65536", "a=max-message-size:9223372036854775808"), 17, "too large"),
                Arguments.of("non-ASCII ufrag", ok.replace("a=ice-ufrag:b1f4", "a=ice-ufrag:b1f\u00e4"), 11, "ice-chars"),
                Arguments.of("ufrag too short", ok.replace("a=ice-ufrag:b1f4", "a=ice-ufrag:b1f"), 11, "4 to 256"),
                Arguments.of("fingerprint of 33 bytes", ok.replace("CA:ED\n", "CA:ED:00\n"), 14, "fingerprint"),
                Arguments.of("setup nonsense", ok.replace("a=setup:actpass", "a=setup:both"), 15, "setup"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDataChannelValues")
    void badDataChannelValuesNameTheLineAndTheReason(String label, String text, int line, String reason)
            throws SdpParseException {
        SessionDescription sd = SessionDescription.parse(text);
        SdpParseException e = assertThrows(SdpParseException.class, () -> DataChannelMedia.from(sd));
        assertEquals(line, e.lineNumber(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
        SdpParseException a = assertThrows(SdpParseException.class,
                () -> Jsep.createAnswer(JsepFixtures.local(Setup.ACTIVE), sd, 1, 1));
        assertEquals(line, a.lineNumber());
    }

    @Test
    void nonAsciiTextIsKeptWhereSdpAllowsIt() throws SdpParseException {
        // RFC 8866 §5.3: the session name is text (UTF-8 by default, §5.8 charset)
        String text = Fixtures.lf("werift-offer.sdp").replace("s=-", "s=Caf\u00e9 \u2615 \u6f22\u5b57")
                .replace("a=mid:0\n", "a=mid:0\na=x-note:gr\u00fc\u00dfe\n");
        SessionDescription sd = SessionDescription.parse(text);
        assertEquals("Caf\u00e9 \u2615 \u6f22\u5b57", sd.sessionName());
        assertEquals(text.replace("\n", "\r\n"), sd.serialize());
        assertEquals("0", DataChannelMedia.from(sd).mid());
    }
}
