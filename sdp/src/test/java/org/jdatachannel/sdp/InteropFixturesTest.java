package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The offers and answers of seven stacks (Chromium 156 and Firefox ESR 153 captured; Safari, Pion,
 * aiortc, libdatachannel and werift written in their shape): what {@link DataChannelMedia} extracts,
 * the serialize/parse round trip, and the answer {@link Jsep} writes to each offer (or, for each
 * answer, what {@link Jsep#checkAnswer} accepts against an offer of ours in the same form).
 */
class InteropFixturesTest {

    /**
     * Expected data-channel values of one fixture.
     *
     * @param candidates number of a=candidate lines (all components)
     */
    record Expect(String file, boolean offer, String mid, String ufrag, String pwd, Setup setup, int sctpPort,
                  long maxMessageSize, boolean legacy, int fingerprints, int candidates, boolean trickle,
                  boolean endOfCandidates, int sections) {
        @Override
        public String toString() {
            return file;
        }
    }

    private static final long D = DataChannelMedia.DEFAULT_MAX_MESSAGE_SIZE;

    static Stream<Expect> fixtures() {
        return Stream.of(
                new Expect("chromium156-offer.sdp", true, "0", "9fMO", "hAmooMiwGsUa+b8LirEARsvh", Setup.ACTPASS, 5000,
                        262144, false, 1, 1, true, false, 1),
                new Expect("chromium156-answer.sdp", false, "0", "0+s4", "Xhi+CDkXbsGk4d+COxvoaLgf", Setup.ACTIVE, 5000,
                        262144, false, 1, 1, true, false, 1),
                new Expect("chromium156-reoffer.sdp", true, "0", "9fMO", "hAmooMiwGsUa+b8LirEARsvh", Setup.ACTPASS, 5000,
                        262144, false, 1, -1, true, false, 1),
                new Expect("chromium156-audio-data-offer.sdp", true, "1", "UQGb", "ph2J1yu6fA0C8spoR7PoipWa",
                        Setup.ACTPASS, 5000, 262144, false, 1, 0, true, false, 2),
                new Expect("firefox153-offer.sdp", true, "0", "5c412f97", "9048c291af4e4c6fcf8bc340195440fb",
                        Setup.ACTPASS, 5000, 1073741823, false, 1, 2, true, true, 1),
                new Expect("firefox153-answer.sdp", false, "0", "6c42ae49", "f0fd6abc9e415e755d71796e68f450b0",
                        Setup.ACTIVE, 5000, 1073741823, false, 1, 2, true, true, 1),
                new Expect("firefox153-audio-data-offer.sdp", true, "1", null, null, Setup.ACTPASS, 5000, 1073741823,
                        false, 1, -1, true, -1 == 0, 2),
                new Expect("chromium156-audio-video-data-offer.sdp", true, "2", "zoGD", "NyqBZyihW4dfaXtvMjsU5IcL",
                        Setup.ACTPASS, 5000, 262144, false, 1, -1, true, false, 3),
                new Expect("firefox153-audio-video-data-offer.sdp", true, "2", "1e376f8d", "6eebb848526a4e22a5c87f0280818a4a",
                        Setup.ACTPASS, 5000, 1073741823, false, 1, -1, true, -1 == 0, 3),
                new Expect("chromium156-answer-to-jdatachannel.sdp", false, "0", "2KQ1", "KIKZKZX9BmDZI3kSV0Uwkzai",
                        Setup.ACTIVE, 5000, 262144, false, 1, 1, true, false, 1),
                new Expect("chromium156-answer-to-legacy.sdp", false, "0", "MMYG", "CzTMlc12mX8MvvKILoVkDBL6",
                        Setup.ACTIVE, 5000, D, true, 1, 1, true, false, 1),
                new Expect("firefox153-answer-to-legacy.sdp", false, "0", "c4932d71", "897ed866862a8b912e77fe0150d84b84",
                        Setup.ACTIVE, 5000, 1073741823, true, 1, 2, true, true, 1),
                new Expect("jdatachannel-offer.sdp", true, "0", "jDc1", "jdatachannelPassword012", Setup.ACTPASS, 5000,
                        262144, false, 1, 1, true, true, 1),
                new Expect("safari-offer.sdp", true, "0", "uT9b", "Hq3nZ8vK1xLw5cRy7sTe2mPa", Setup.ACTPASS, 5000, 262144,
                        false, 1, 2, true, false, 1),
                new Expect("safari-answer.sdp", false, "0", "Wd2k", "p4Lq8ZsN0vXc6TbR2yHm9KeA", Setup.ACTIVE, 5000,
                        262144, false, 1, 1, true, false, 1),
                new Expect("pion-offer.sdp", true, "0", "XQmWgcHLSkDBjHTl", "yOTbXUzHYNhTQrqnzfkSqCuZnZOCqzNB",
                        Setup.ACTPASS, 5000, D, false, 1, 4, false, true, 1),
                new Expect("pion-answer.sdp", false, "0", "pLkMnBvCxZaSdFgH", "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTy",
                        Setup.ACTIVE, 5000, D, false, 1, 4, false, true, 1),
                new Expect("aiortc-legacy-offer.sdp", true, "0", "Fd3k", "J8mZqP2xWvN4tRbY7cLhSa", Setup.ACTPASS, 5000,
                        65536, true, 1, 2, false, true, 1),
                new Expect("aiortc-legacy-answer.sdp", false, "0", "M4tq", "r7KcW2nXpL9vQd3sZbF8hJ", Setup.ACTIVE, 5000,
                        65536, true, 3, 2, false, true, 1),
                new Expect("libdatachannel-offer.sdp", true, "0", "Kq4v", "c7hNw2QpZ8sT1mXbR4yLdA", Setup.ACTPASS, 5000,
                        262144, false, 1, 2, true, true, 1),
                new Expect("libdatachannel-answer.sdp", false, "0", "Zr8e", "V2kLm9QxTd4Hs7NpWc3yFb", Setup.ACTIVE, 5000,
                        262144, false, 1, 0, true, false, 1),
                new Expect("werift-offer.sdp", true, "0", "b1f4", "a9c3e7f2b6d1480e5c2f7a", Setup.ACTPASS, 5000, 65536,
                        false, 1, 2, true, true, 1),
                new Expect("werift-answer.sdp", false, "0", "e7a2", "4c8f0b3d9e1a7c52f6d08b", Setup.ACTIVE, 5000, 65536,
                        false, 1, 1, true, true, 1),
                new Expect("firefox-offer.sdp", true, "0", "9a3c5e7f", "2e8f3b1a9c7d4e6f0a1b2c3d4e5f6a7b", Setup.ACTPASS,
                        5000, 1073741823, false, 1, 5, true, true, 1),
                new Expect("firefox-legacy-answer.sdp", false, "0", "4d7e1b2a", "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                        Setup.ACTIVE, 5000, 1073741823, true, 1, 0, true, false, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void extractsTheDataChannelValues(Expect e) throws SdpParseException {
        SessionDescription sd = Fixtures.parse(e.file());
        assertEquals(e.sections(), sd.media().size(), "m= sections");
        DataChannelMedia m = DataChannelMedia.from(sd);
        assertEquals(e.mid(), m.mid());
        if (e.ufrag() != null) {
            assertEquals(e.ufrag(), m.iceUfrag());
            assertEquals(e.pwd(), m.icePwd());
        } else {
            assertFalse(m.iceUfrag().isEmpty());
        }
        assertEquals(e.setup(), m.setup());
        assertEquals(e.sctpPort(), m.sctpPort());
        assertEquals(e.maxMessageSize(), m.maxMessageSize());
        assertEquals(e.legacy(), m.legacySctpmap());
        assertEquals(e.fingerprints(), m.fingerprints().size());
        if (e.candidates() >= 0) {
            assertEquals(e.candidates(), m.candidates().size());
        }
        assertEquals(e.trickle(), m.trickle(), "a=ice-options:trickle");
        if (!e.file().startsWith("firefox153-audio")) { // end-of-candidates depends on the gathering race
            assertEquals(e.endOfCandidates(), m.endOfCandidates(), "a=end-of-candidates");
        }
        assertFalse(m.rejected());
        assertFalse(m.iceLite());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void roundTripsThroughTheSerializerInEveryLineEnding(Expect e) throws SdpParseException {
        String lf = Fixtures.lf(e.file());
        SessionDescription sd = SessionDescription.parse(lf);
        String crlf = sd.serialize();
        assertEquals(lf.replace("\n", "\r\n"), crlf, "serialize gives the text back with CRLF");
        assertEquals(sd, SessionDescription.parse(crlf));
        // mixed: alternate CRLF and LF, and no line end after the last line
        StringBuilder mixed = new StringBuilder();
        String[] lines = lf.split("\n");
        for (int i = 0; i < lines.length; i++) {
            mixed.append(lines[i]);
            if (i < lines.length - 1) {
                mixed.append(i % 2 == 0 ? "\r\n" : "\n");
            }
        }
        assertEquals(sd, SessionDescription.parse(mixed.toString()));
        assertEquals(DataChannelMedia.from(sd), DataChannelMedia.from(SessionDescription.parse(crlf)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void jsepAnswersEachOfferInItsForm(Expect e) throws SdpParseException {
        SessionDescription sd = Fixtures.parse(e.file());
        if (!e.offer()) {
            // An answer: check it against an offer of ours with the same mid and form.
            DataChannelMedia ours = JsepFixtures.local(Setup.ACTPASS).withMid(e.mid());
            if (e.legacy()) {
                ours = new DataChannelMedia(e.mid(), ours.iceUfrag(), ours.icePwd(), false, ours.fingerprints(),
                        Setup.ACTPASS, 5000, 65536, List.of(), false, true, false);
            }
            SessionDescription offer = Jsep.createOffer(ours, 1, 1);
            DataChannelMedia answered = Jsep.checkAnswer(offer, sd);
            assertEquals(DataChannelMedia.from(sd), answered);
            return;
        }
        SessionDescription answer = Jsep.createAnswer(JsepFixtures.local(Setup.ACTIVE), sd, 42, 1);
        SessionDescription back = SessionDescription.parse(answer.serialize());
        assertEquals(answer, back);
        assertEquals(sd.media().size(), back.media().size(), "RFC 3264 §6: as many m= sections as the offer");
        DataChannelMedia a = DataChannelMedia.from(back);
        assertEquals(e.mid(), a.mid());
        assertEquals(Setup.ACTIVE, a.setup());
        assertEquals(e.legacy(), a.legacySctpmap(), "legacy offers get legacy answers");
        assertTrue(a.trickle());
        int dataIndex = DataChannelMedia.findDataSection(sd);
        for (int i = 0; i < back.media().size(); i++) {
            MediaLine offered = sd.media().get(i).mediaLine();
            MediaLine answered = back.media().get(i).mediaLine();
            assertEquals(sd.media().get(i).mid(), back.media().get(i).mid(), "mid of section " + i);
            assertEquals(offered.proto(), answered.proto());
            if (i == dataIndex) {
                assertEquals(Jsep.DUMMY_PORT, answered.port());
            } else {
                assertEquals(0, answered.port(), "other sections are rejected");
                assertEquals(offered.formats(), answered.formats(), "rejected sections keep their formats");
            }
        }
        // RFC 8843 §7.3: our BUNDLE group lists only the accepted mid.
        List<String> groups = new ArrayList<>();
        for (Attribute at : back.attributes()) {
            if (at.name().equals("group")) {
                groups.add(at.value());
            }
        }
        assertEquals(List.of("BUNDLE " + e.mid()), groups);
        // and the offerer side accepts it
        assertNotNull(Jsep.checkAnswer(sd, back));
    }

    @Test
    void reOffersOfTheBrowsersKeepOrChangeCredentials() throws SdpParseException {
        DataChannelMedia chromium = DataChannelMedia.from(Fixtures.parse("chromium156-reoffer.sdp"));
        DataChannelMedia chromiumRestart = DataChannelMedia.from(Fixtures.parse("chromium156-restart-offer.sdp"));
        assertTrue(Jsep.isIceRestart(chromium, chromiumRestart));
        assertFalse(Jsep.isIceRestart(chromium, chromium));
        assertEquals(chromium.fingerprints(), chromiumRestart.fingerprints(), "same DTLS certificate on restart");
        assertEquals(Fixtures.parse("chromium156-reoffer.sdp").origin().sessionId(),
                Fixtures.parse("chromium156-restart-offer.sdp").origin().sessionId());

        DataChannelMedia ff = DataChannelMedia.from(Fixtures.parse("firefox153-offer.sdp"));
        DataChannelMedia ffRe = DataChannelMedia.from(Fixtures.parse("firefox153-reoffer.sdp"));
        DataChannelMedia ffRestart = DataChannelMedia.from(Fixtures.parse("firefox153-restart-offer.sdp"));
        assertFalse(Jsep.isIceRestart(ff, ffRe), "a plain Firefox re-offer keeps ufrag/pwd");
        assertTrue(Jsep.isIceRestart(ffRe, ffRestart));
        assertEquals("1", Fixtures.parse("firefox153-reoffer.sdp").origin().sessionVersion());
        assertEquals("2", Fixtures.parse("firefox153-restart-offer.sdp").origin().sessionVersion());
    }

    @Test
    void unknownAttributesOfRealStacksArePreserved() throws SdpParseException {
        SessionDescription ff = Fixtures.parse("firefox153-offer.sdp");
        assertTrue(ff.hasAttribute("sendrecv"), "Firefox 153 writes a session-level a=sendrecv");
        assertEquals(" WMS", Fixtures.parse("chromium156-offer.sdp").attribute("msid-semantic").orElseThrow());
        SessionDescription av = Fixtures.parse("chromium156-audio-data-offer.sdp");
        assertEquals("1132457532 cname:0ONoJYpEWR9SRgQG", av.media().get(0).attribute("ssrc").orElseThrow());
        assertEquals(Fixtures.lf("chromium156-audio-data-offer.sdp").replace("\n", "\r\n"), av.serialize());
    }

    @Test
    void browsersAnswerOurOwnOfferAndWeAcceptTheirAnswers() throws SdpParseException {
        // jdatachannel-offer.sdp is exactly what Jsep writes for these values; Chromium 156 and
        // Firefox ESR 153 answered it (captured, see the fixtures README).
        SessionDescription offer = Fixtures.parse("jdatachannel-offer.sdp");
        DataChannelMedia local = DataChannelMedia.from(offer);
        assertEquals(offer, Jsep.createOffer(local.withSetup(null), 4611686018427387904L, 1));
        for (String name : List.of("chromium156-answer-to-jdatachannel.sdp", "firefox153-answer-to-jdatachannel.sdp")) {
            DataChannelMedia a = Jsep.checkAnswer(offer, Fixtures.parse(name));
            assertEquals(Setup.ACTIVE, a.setup(), name + ": the browsers become the DTLS client");
            assertEquals("0", a.mid());
            assertFalse(a.rejected());
            assertFalse(a.legacySctpmap());
        }
        // Both browsers answer the legacy aiortc offer in the legacy form.
        SessionDescription legacyOffer = Fixtures.parse("aiortc-legacy-offer.sdp");
        for (String name : List.of("chromium156-answer-to-legacy.sdp", "firefox153-answer-to-legacy.sdp")) {
            DataChannelMedia a = Jsep.checkAnswer(legacyOffer, Fixtures.parse(name));
            assertTrue(a.legacySctpmap(), name);
            assertEquals("DTLS/SCTP", Fixtures.parse(name).media().get(0).mediaLine().proto());
        }
    }
}
