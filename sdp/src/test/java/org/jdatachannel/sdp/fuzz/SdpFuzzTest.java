package org.jdatachannel.sdp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sdp.Candidate;
import org.jdatachannel.sdp.DataChannelMedia;
import org.jdatachannel.sdp.Fingerprint;
import org.jdatachannel.sdp.Jsep;
import org.jdatachannel.sdp.MediaDescription;
import org.jdatachannel.sdp.SdpParseException;
import org.jdatachannel.sdp.SessionDescription;
import org.jdatachannel.sdp.Setup;

/**
 * Coverage-guided fuzzing of the SDP parser and everything built on it, through the public API only.
 *
 * <p>Properties checked for every input: {@link SessionDescription#parse}, {@link DataChannelMedia#from},
 * {@link Candidate#parse}, {@link Jsep#createAnswer}, {@link Jsep#createSubsequentAnswer} and
 * {@link Jsep#checkAnswer} return or throw the checked {@link SdpParseException}, never an
 * unchecked exception; whatever parses serializes to text that parses to an equal description
 * (and serializes identically); the data-channel view survives that round trip; the answer we
 * write to any offer we accept parses, has as many m= sections as the offer, and is accepted by
 * {@link Jsep#checkAnswer} against that offer.
 *
 * <p>Without {@code JAZZER_FUZZ} the targets run once per file of the checked-in corpus under
 * {@code src/test/resources/org/jdatachannel/sdp/fuzz/SdpFuzzTestInputs/<method>/} (the SDP
 * fixtures, and reproducers of past findings); see the module's README.md for real fuzzing.
 */
class SdpFuzzTest {

    private static final DataChannelMedia LOCAL;

    static {
        byte[] d = new byte[32];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 13 + 5);
        }
        LOCAL = DataChannelMedia.local(null, "fUzz", "fuzzfuzzfuzzfuzzfuzzfu", List.of(new Fingerprint("sha-256", d)),
                Setup.ACTIVE, 262144, List.of(Candidate.of("1", 1, "udp", 2130706431L, "198.18.0.1", 40000, "host")),
                true);
    }

    /** Arbitrary bytes (as UTF-8) as a whole session description. */
    @FuzzTest(maxDuration = "10m")
    void parse(byte[] data) {
        checkDescription(new String(data, StandardCharsets.UTF_8));
    }

    /**
     * A fixture with some of its lines replaced by fuzzed text, so that mutations land inside
     * otherwise valid descriptions (deep in DataChannelMedia and Jsep).
     */
    @FuzzTest(maxDuration = "10m")
    void mutatedFixture(FuzzedDataProvider d) {
        List<String> fixtures = Seeds.FIXTURES;
        String text = Seeds.fixture(fixtures.get(d.consumeInt(0, fixtures.size() - 1)));
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int edits = d.consumeInt(1, 4);
        for (int e = 0; e < edits && d.remainingBytes() > 0; e++) {
            int at = d.consumeInt(0, lines.size() - 1);
            switch (d.consumeInt(0, 3)) {
                case 0 -> lines.set(at, d.consumeString(200));
                case 1 -> lines.add(at, d.consumeString(200));
                case 2 -> lines.remove(at);
                default -> {
                    String l = lines.get(at);
                    int cut = l.isEmpty() ? 0 : d.consumeInt(0, l.length());
                    lines.set(at, l.substring(0, cut) + d.consumeString(40) + l.substring(cut));
                }
            }
            if (lines.isEmpty()) {
                lines.add("");
            }
        }
        checkDescription(String.join(d.consumeBoolean() ? "\r\n" : "\n", lines));
    }

    /** Arbitrary bytes as a trickled candidate string (with or without {@code a=} / {@code candidate:}). */
    @FuzzTest(maxDuration = "10m")
    void candidate(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Candidate c;
        try {
            c = Candidate.parse(text);
        } catch (SdpParseException e) {
            assertFalse(e.reason().isEmpty());
            return;
        }
        String value = c.toAttributeValue();
        try {
            Candidate back = Candidate.parse(value);
            assertEquals(c, back, "candidate round trip");
            assertEquals(value, back.toAttributeValue());
            assertEquals(c, Candidate.parse("a=" + value));
        } catch (SdpParseException e) {
            throw new AssertionError("serialized candidate does not parse: " + value, e);
        }
    }

    static void checkDescription(String text) {
        SessionDescription sd;
        try {
            sd = SessionDescription.parse(text);
        } catch (SdpParseException e) {
            assertFalse(e.reason().isEmpty());
            assertTrue(e.lineNumber() >= 0);
            return;
        }
        String out = sd.serialize();
        SessionDescription back;
        try {
            back = SessionDescription.parse(out);
        } catch (SdpParseException e) {
            throw new AssertionError("serialized description does not parse: " + e.getMessage() + "\n" + out, e);
        }
        assertEquals(sd, back, "parse(serialize(x)) equals x");
        assertEquals(out, back.serialize(), "serialize is stable");

        DataChannelMedia media;
        try {
            media = DataChannelMedia.from(sd);
        } catch (SdpParseException e) {
            assertFalse(e.reason().isEmpty());
            return;
        }
        try {
            assertEquals(media, DataChannelMedia.from(back), "data-channel view survives the round trip");
        } catch (SdpParseException e) {
            throw new AssertionError("round trip broke the data-channel view: " + e.getMessage(), e);
        }

        SessionDescription answer;
        try {
            answer = Jsep.createAnswer(LOCAL, sd, 1, 1);
        } catch (SdpParseException e) {
            assertFalse(e.reason().isEmpty());
            return;
        }
        try {
            SessionDescription parsedAnswer = SessionDescription.parse(answer.serialize());
            assertEquals(answer, parsedAnswer);
            assertEquals(sd.media().size(), parsedAnswer.media().size());
            DataChannelMedia answered = Jsep.checkAnswer(sd, parsedAnswer);
            assertEquals(media.rejected(), answered.rejected());
            if (!answered.rejected()) {
                assertEquals(media.mid(), answered.mid());
                assertEquals(media.legacySctpmap(), answered.legacySctpmap());
            }
            // A re-answer on the same session parses as well.
            SessionDescription again = Jsep.createSubsequentAnswer(LOCAL, sd, parsedAnswer, Setup.ACTIVE);
            SessionDescription.parse(again.serialize());
            for (MediaDescription m : parsedAnswer.media()) {
                assertTrue(m.mediaLine().port() == 0 || m.mediaLine().port() == Jsep.DUMMY_PORT);
            }
        } catch (SdpParseException e) {
            throw new AssertionError("our answer is not acceptable: " + e.getMessage() + "\noffer:\n" + out
                    + "\nanswer:\n" + answer.serialize(), e);
        }
    }

    /** The fixtures, for the mutation target and the seed corpus generator. */
    static final class Seeds {
        static final List<String> FIXTURES = List.of(
                "chromium156-offer.sdp", "chromium156-answer.sdp", "chromium156-audio-data-offer.sdp",
                "firefox153-offer.sdp", "firefox153-answer.sdp", "firefox153-audio-data-offer.sdp",
                "safari-offer.sdp", "pion-offer.sdp", "pion-answer.sdp", "aiortc-legacy-offer.sdp",
                "aiortc-legacy-answer.sdp", "libdatachannel-offer.sdp", "werift-offer.sdp",
                "jsep-audio-data-offer.sdp", "unknown-lines.sdp", "firefox-legacy-answer.sdp");

        private Seeds() {
        }

        static String fixture(String name) {
            try (InputStream in = SdpFuzzTest.class.getResourceAsStream("/sdp/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("missing fixture " + name);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
