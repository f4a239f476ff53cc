package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Subsequent offers and answers (RFC 8829 §5.2.2, §5.3.2), several m= sections, BUNDLE and
 * bundle-only, ICE options, and checking a remote answer.
 */
class JsepRenegotiationTest {

    private static final String UFRAG2 = "nEw2";
    private static final String PWD2 = "restartedPasswordAbcdef";

    private static DataChannelMedia ours(Setup setup) {
        return JsepFixtures.local(setup);
    }

    private static SessionDescription reparse(SessionDescription sd) throws SdpParseException {
        return SessionDescription.parse(sd.serialize());
    }

    // ---------------------------------------------------------------- subsequent offers

    @Test
    void identicalReOfferKeepsTheVersionAndAChangedOneIncrementsIt() throws SdpParseException {
        SessionDescription first = reparse(Jsep.createOffer(ours(null), 77, 1));
        SessionDescription same = Jsep.createSubsequentOffer(ours(null).withMid("0"), first);
        assertSame(first, same, "RFC 3264 §8: an unchanged description keeps its version");
        assertEquals("1", same.origin().sessionVersion());

        Candidate more = Candidate.of("2", 1, "udp", 1686052607L, "203.0.113.9", 40001, "srflx");
        SessionDescription changed = Jsep.createSubsequentOffer(
                ours(null).withCandidates(List.of(JsepFixtures.HOST, more), true), first);
        assertEquals("77", changed.origin().sessionId());
        assertEquals("2", changed.origin().sessionVersion());
        DataChannelMedia m = DataChannelMedia.from(reparse(changed));
        assertEquals("0", m.mid());
        assertEquals("uFrg", m.iceUfrag(), "no restart: same credentials");
        assertEquals(Setup.ACTPASS, m.setup());
        assertEquals(2, m.candidates().size());
        assertTrue(m.endOfCandidates());
        assertFalse(Jsep.isIceRestart(DataChannelMedia.from(first), m));
    }

    @Test
    void iceRestartOfferHasNewCredentialsSameIdAndMid() throws SdpParseException {
        SessionDescription first = reparse(Jsep.createOffer(ours(null).withMid("data"), 5, 3));
        SessionDescription restart = Jsep.createSubsequentOffer(
                ours(null).withIceCredentials(UFRAG2, PWD2).withCandidates(List.of(), false), first);
        DataChannelMedia m = DataChannelMedia.from(restart);
        assertEquals("data", m.mid(), "RFC 8829 §5.2.2: each a=mid line MUST stay the same");
        assertEquals("4", restart.origin().sessionVersion());
        assertEquals("5", restart.origin().sessionId());
        assertTrue(Jsep.isIceRestart(DataChannelMedia.from(first), m));
        assertEquals(List.of(JsepFixtures.FP), m.fingerprints());
    }

    @Test
    void reOfferAfterAnsweringAudioAndDataKeepsEverySectionInOrder() throws SdpParseException {
        SessionDescription browserOffer = Fixtures.parse("chromium156-audio-data-offer.sdp");
        SessionDescription ourAnswer = reparse(Jsep.createAnswer(ours(Setup.ACTIVE), browserOffer, 9, 1));
        SessionDescription reOffer = reparse(Jsep.createSubsequentOffer(ours(null), ourAnswer));
        assertEquals(2, reOffer.media().size());
        MediaLine audio = reOffer.media().get(0).mediaLine();
        assertEquals("audio", audio.media());
        assertEquals(0, audio.port());
        assertEquals(browserOffer.media().get(0).mediaLine().formats(), audio.formats());
        assertEquals("0", reOffer.media().get(0).mid().orElseThrow());
        DataChannelMedia m = DataChannelMedia.from(reOffer);
        assertEquals("1", m.mid());
        assertEquals(Setup.ACTPASS, m.setup());
        assertEquals("BUNDLE 1", reOffer.attribute("group").orElseThrow());
        assertEquals("2", reOffer.origin().sessionVersion());
    }

    @Test
    void legacyFormStaysLegacyInAReOffer() throws SdpParseException {
        SessionDescription ourAnswer = reparse(Jsep.createAnswer(ours(Setup.ACTIVE),
                Fixtures.parse("aiortc-legacy-offer.sdp"), 9, 1));
        SessionDescription reOffer = Jsep.createSubsequentOffer(ours(null), ourAnswer);
        assertEquals("DTLS/SCTP", reOffer.media().get(0).mediaLine().proto());
        assertTrue(DataChannelMedia.from(reOffer).legacySctpmap());
    }

    @Test
    void subsequentOfferArgumentErrors() throws SdpParseException {
        SessionDescription noData = Fixtures.parse("rfc8866-example.sdp");
        assertThrows(IllegalArgumentException.class, () -> Jsep.createSubsequentOffer(ours(null), noData));
        assertThrows(IllegalArgumentException.class, () -> Jsep.createSubsequentOffer(ours(null), null));
        SessionDescription firefox = Fixtures.parse("firefox153-offer.sdp");
        // o= of another stack with a 19-digit id is fine; a non-JSEP o= (id >= 2^63-1) is not
        Jsep.createSubsequentOffer(ours(null), firefox);
        SessionDescription huge = SessionDescription.parse(Fixtures.lf("chromium156-offer.sdp")
                .replace("o=- 886579159759534267 2", "o=- 99999999999999999999 2"));
        assertThrows(IllegalArgumentException.class, () -> Jsep.createSubsequentOffer(ours(null), huge));
    }

    // ---------------------------------------------------------------- subsequent answers

    @Test
    void reAnswerKeepsTheEstablishedDtlsRole() throws SdpParseException {
        SessionDescription offer = Fixtures.parse("chromium156-offer.sdp");
        SessionDescription reOffer = Fixtures.parse("chromium156-reoffer.sdp");
        // We answered as DTLS server (passive) the first time.
        SessionDescription first = reparse(Jsep.createAnswer(ours(Setup.PASSIVE), offer, 11, 1));
        assertEquals(Setup.PASSIVE, DataChannelMedia.from(first).setup());
        // RFC 8829 §5.3.2: the re-answer's a=setup stays consistent with the association.
        SessionDescription again = Jsep.createSubsequentAnswer(ours(Setup.ACTIVE), reOffer, first, Setup.PASSIVE);
        assertEquals(Setup.PASSIVE, DataChannelMedia.from(again).setup());
        assertSame(first, again, "identical re-answer keeps o= version");

        SessionDescription asClient = Jsep.createSubsequentAnswer(ours(Setup.PASSIVE), reOffer, first, Setup.ACTIVE);
        assertEquals(Setup.ACTIVE, DataChannelMedia.from(asClient).setup());
        assertEquals("2", asClient.origin().sessionVersion());
        assertEquals("11", asClient.origin().sessionId());
    }

    @Test
    void reOfferDemandingOurRoleGetsTheComplement() throws SdpParseException {
        SessionDescription first = reparse(Jsep.createAnswer(ours(Setup.ACTIVE),
                Fixtures.parse("chromium156-offer.sdp"), 11, 1));
        String text = Fixtures.lf("chromium156-reoffer.sdp");
        SessionDescription offersActive = SessionDescription.parse(text.replace("a=setup:actpass", "a=setup:active"));
        SessionDescription offersPassive = SessionDescription.parse(text.replace("a=setup:actpass", "a=setup:passive"));
        // offerer passive continues our active association
        assertEquals(Setup.ACTIVE, DataChannelMedia.from(
                Jsep.createSubsequentAnswer(ours(null), offersPassive, first, Setup.ACTIVE)).setup());
        // offerer active against our active: a new association, RFC 4145 complement
        assertEquals(Setup.PASSIVE, DataChannelMedia.from(
                Jsep.createSubsequentAnswer(ours(null), offersActive, first, Setup.ACTIVE)).setup());
        assertThrows(IllegalArgumentException.class,
                () -> Jsep.createSubsequentAnswer(ours(null), offersActive, first, Setup.ACTPASS));
    }

    @Test
    void reAnswerToAnIceRestartUsesTheNewLocalCredentials() throws SdpParseException {
        SessionDescription first = reparse(Jsep.createAnswer(ours(Setup.ACTIVE),
                Fixtures.parse("firefox153-offer.sdp"), 3, 1));
        SessionDescription restartOffer = Fixtures.parse("firefox153-restart-offer.sdp");
        assertTrue(Jsep.isIceRestart(DataChannelMedia.from(Fixtures.parse("firefox153-offer.sdp")),
                DataChannelMedia.from(restartOffer)));
        SessionDescription answer = Jsep.createSubsequentAnswer(ours(Setup.ACTIVE).withIceCredentials(UFRAG2, PWD2),
                restartOffer, first, Setup.ACTIVE);
        DataChannelMedia a = DataChannelMedia.from(answer);
        assertEquals(UFRAG2, a.iceUfrag());
        assertEquals(Setup.ACTIVE, a.setup());
        assertEquals("2", answer.origin().sessionVersion());
    }

    @Test
    void reAnswerPrefersThePreviouslyNegotiatedMid() throws SdpParseException {
        SessionDescription twoData = SessionDescription.parse(twoDataSections(9, 9));
        SessionDescription previous = reparse(Jsep.createAnswer(ours(Setup.ACTIVE),
                SessionDescription.parse(twoDataSections(0, 9)), 1, 1));
        assertEquals("d2", DataChannelMedia.from(previous).mid());
        SessionDescription again = Jsep.createSubsequentAnswer(ours(Setup.ACTIVE), twoData, previous, Setup.ACTIVE);
        assertEquals(9, again.media().get(1).mediaLine().port());
        assertEquals(0, again.media().get(0).mediaLine().port());
        assertEquals("BUNDLE d2", again.attribute("group").orElseThrow());
    }

    // ---------------------------------------------------------------- several sections, BUNDLE

    /** An offer with two data sections (mids d1, d2), bundled, with these ports. */
    private static String twoDataSections(int port1, int port2) {
        StringBuilder sb = new StringBuilder("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\na=group:BUNDLE d1 d2\n");
        int[] ports = {port1, port2};
        for (int i = 0; i < 2; i++) {
            sb.append("m=application ").append(ports[i]).append(" UDP/DTLS/SCTP webrtc-datachannel\n")
                    .append("c=IN IP4 0.0.0.0\n")
                    .append("a=mid:d").append(i + 1).append('\n')
                    .append("a=ice-ufrag:ETEn\na=ice-pwd:OtSK0WpNtpUjkY4+86js7ZQl\n")
                    .append("a=fingerprint:").append(JsepFixtures.FP).append('\n')
                    .append("a=setup:actpass\na=sctp-port:5000\n");
        }
        return sb.toString();
    }

    @Test
    void twoDataSectionsAnswerTheFirstAndRejectTheSecondWithTheToken() throws SdpParseException {
        SessionDescription offer = SessionDescription.parse(twoDataSections(9, 9));
        SessionDescription answer = reparse(Jsep.createAnswer(ours(Setup.ACTIVE), offer, 1, 1));
        assertEquals(9, answer.media().get(0).mediaLine().port());
        MediaLine second = answer.media().get(1).mediaLine();
        assertEquals(0, second.port());
        assertEquals(List.of(DataChannelMedia.WEBRTC_DATACHANNEL), second.formats(),
                "Firefox needs the webrtc-datachannel token on a rejected section");
        assertEquals("d2", answer.media().get(1).mid().orElseThrow());
        assertEquals("BUNDLE d1", answer.attribute("group").orElseThrow());
        assertEquals("d1", Jsep.checkAnswer(offer, answer).mid());
    }

    @Test
    void aRejectedFirstDataSectionIsSkipped() throws SdpParseException {
        SessionDescription offer = SessionDescription.parse(twoDataSections(0, 9));
        assertEquals(1, DataChannelMedia.dataSectionIndex(offer, null));
        assertEquals("d2", DataChannelMedia.from(offer).mid());
        SessionDescription answer = Jsep.createAnswer(ours(Setup.ACTIVE), offer, 1, 1);
        assertEquals(0, answer.media().get(0).mediaLine().port());
        assertEquals(9, answer.media().get(1).mediaLine().port());
        // all rejected: the first one is reported, rejected
        SessionDescription none = SessionDescription.parse(twoDataSections(0, 0));
        assertEquals(0, DataChannelMedia.dataSectionIndex(none, null));
        assertTrue(DataChannelMedia.from(none).rejected());
        assertEquals(-1, DataChannelMedia.dataSectionIndex(Fixtures.parse("rfc8866-example.sdp"), null));
    }

    /** JSEP-style offer: audio is the BUNDLE-tagged section, data is bundle-only without ICE attributes. */
    private static final String BUNDLE_ONLY = String.join("\n",
            "v=0", "o=- 4962303333179871723 1 IN IP4 0.0.0.0", "s=-", "t=0 0",
            "a=ice-options:trickle ice2", "a=group:BUNDLE a1 d1",
            "m=audio 10100 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 203.0.113.100", "a=mid:a1", "a=rtpmap:96 opus/48000/2",
            "a=ice-ufrag:ETEn", "a=ice-pwd:OtSK0WpNtpUjkY4+86js7ZQl",
            "a=fingerprint:" + JsepFixtures.FP, "a=setup:actpass", "a=rtcp-mux",
            "a=candidate:1 1 udp 2113929471 203.0.113.100 10100 typ host", "a=end-of-candidates",
            "m=application 0 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", "a=bundle-only", "a=mid:d1",
            "a=sctp-port:5000", "a=max-message-size:0", "");

    @Test
    void bundleOnlyDataSectionTakesItsTransportFromTheTaggedSection() throws SdpParseException {
        SessionDescription offer = SessionDescription.parse(BUNDLE_ONLY);
        DataChannelMedia m = DataChannelMedia.from(offer);
        assertFalse(m.rejected(), "RFC 8843 §6: port 0 with bundle-only is not a rejection");
        assertEquals("d1", m.mid());
        assertEquals("ETEn", m.iceUfrag());
        assertEquals(List.of(JsepFixtures.FP), m.fingerprints());
        assertEquals(Setup.ACTPASS, m.setup());
        assertEquals(1, m.candidates().size());
        assertTrue(m.endOfCandidates());
        assertEquals(List.of("trickle", "ice2"), m.iceOptions());
        assertEquals(DataChannelMedia.NO_LIMIT, m.maxMessageSize());

        SessionDescription answer = reparse(Jsep.createAnswer(ours(Setup.ACTIVE), offer, 1, 1));
        assertEquals(0, answer.media().get(0).mediaLine().port());
        assertEquals(Jsep.DUMMY_PORT, answer.media().get(1).mediaLine().port());
        assertFalse(answer.media().get(1).hasAttribute("bundle-only"));
        assertEquals("BUNDLE d1", answer.attribute("group").orElseThrow());
        assertEquals("d1", Jsep.checkAnswer(offer, answer).mid());
    }

    @Test
    void differentIceCredentialsInsideOneBundleGroupAreAParseError() throws SdpParseException {
        String text = Fixtures.lf("chromium156-audio-data-offer.sdp");
        int firstPwd = text.indexOf("a=ice-pwd:ph2J1yu6fA0C8spoR7PoipWa");
        String badPwd = text.substring(0, firstPwd) + "a=ice-pwd:XXXX1yu6fA0C8spoR7PoipWa"
                + text.substring(firstPwd + "a=ice-pwd:ph2J1yu6fA0C8spoR7PoipWa".length());
        SdpParseException e = assertThrows(SdpParseException.class,
                () -> DataChannelMedia.from(SessionDescription.parse(badPwd)));
        assertEquals(12, e.lineNumber(), e.getMessage());
        assertTrue(e.reason().contains("ice-pwd of BUNDLE section '0'"), e.getMessage());

        String badUfrag = text.replaceFirst("a=ice-ufrag:UQGb", "a=ice-ufrag:ZZZZ");
        e = assertThrows(SdpParseException.class, () -> DataChannelMedia.from(SessionDescription.parse(badUfrag)));
        assertEquals(11, e.lineNumber());
        // the same difference outside the BUNDLE group, or in a rejected section, is fine
        DataChannelMedia.from(SessionDescription.parse(badUfrag.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 1")));
        DataChannelMedia.from(SessionDescription.parse(badUfrag.replace("m=audio 9 ", "m=audio 0 ")));
    }

    // ---------------------------------------------------------------- ice-options, ice-lite, end-of-candidates

    @Test
    void iceOptionsIceLiteAndEndOfCandidatesAtEitherLevel() throws SdpParseException {
        String base = Fixtures.lf("werift-offer.sdp");
        assertTrue(DataChannelMedia.from(SessionDescription.parse(base)).trickle());
        String none = base.replace("a=ice-options:trickle\n", "");
        assertFalse(DataChannelMedia.from(SessionDescription.parse(none)).trickle());
        assertEquals(List.of(), DataChannelMedia.from(SessionDescription.parse(none)).iceOptions());
        String session = none.replace("a=extmap-allow-mixed\n", "a=extmap-allow-mixed\na=ice-options:ice2 trickle\na=ice-lite\n")
                .replace("a=end-of-candidates\n", "").replace("t=0 0\n", "t=0 0\na=end-of-candidates\n");
        DataChannelMedia m = DataChannelMedia.from(SessionDescription.parse(session));
        assertEquals(List.of("ice2", "trickle"), m.iceOptions());
        assertTrue(m.iceLite());
        assertTrue(m.endOfCandidates());
        // media level wins over session level
        String both = session.replace("a=mid:0\n", "a=mid:0\na=ice-options:ice2\n");
        assertFalse(DataChannelMedia.from(SessionDescription.parse(both)).trickle());

        SdpParseException e = assertThrows(SdpParseException.class,
                () -> DataChannelMedia.from(SessionDescription.parse(base.replace("a=ice-options:trickle", "a=ice-options:"))));
        assertTrue(e.reason().contains("no option tag"), e.getMessage());
        e = assertThrows(SdpParseException.class,
                () -> DataChannelMedia.from(SessionDescription.parse(base.replace("a=ice-options:trickle", "a=ice-options:tr!ckle"))));
        assertEquals(13, e.lineNumber());
    }

    @Test
    void ourDescriptionsWriteTheLocalIceOptions() throws SdpParseException {
        DataChannelMedia noTrickle = ours(null).withIceOptions(List.of());
        assertFalse(Jsep.createOffer(noTrickle, 1, 1).media().get(0).hasAttribute("ice-options"));
        DataChannelMedia two = ours(null).withIceOptions(List.of("trickle", "ice2"));
        assertEquals("trickle ice2", Jsep.createOffer(two, 1, 1).media().get(0).attribute("ice-options").orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> ours(null).withIceOptions(List.of("a,b")));
        assertThrows(IllegalArgumentException.class, () -> ours(null).withIceOptions(null));
    }

    // ---------------------------------------------------------------- checking a remote answer

    @Test
    void checkAnswerReportsRejectionAndMalformedAnswers() throws SdpParseException {
        SessionDescription offer = reparse(Jsep.createOffer(ours(null), 1, 1));
        String good = Fixtures.lf("chromium156-answer.sdp");
        assertEquals(Setup.ACTIVE, Jsep.checkAnswer(offer, SessionDescription.parse(good)).setup());

        DataChannelMedia rejected = Jsep.checkAnswer(offer, SessionDescription.parse(
                "v=0\no=- 2 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\n"
                        + "c=IN IP4 0.0.0.0\na=mid:0\n"));
        assertTrue(rejected.rejected(), "a data section rejected by the remote answer is reported");
        assertEquals("0", rejected.mid());

        SdpParseException e = assertThrows(SdpParseException.class,
                () -> Jsep.checkAnswer(offer, SessionDescription.parse(good.replace("a=setup:active", "a=setup:actpass"))));
        assertTrue(e.reason().contains("RFC 8842"), e.getMessage());
        e = assertThrows(SdpParseException.class,
                () -> Jsep.checkAnswer(offer, SessionDescription.parse(good.replace("a=mid:0", "a=mid:x"))));
        assertTrue(e.reason().contains("a=mid:x"), e.getMessage());
        e = assertThrows(SdpParseException.class,
                () -> Jsep.checkAnswer(offer, Fixtures.parse("chromium156-audio-data-offer.sdp")));
        assertTrue(e.reason().contains("RFC 3264"), e.getMessage());
        e = assertThrows(SdpParseException.class, () -> Jsep.checkAnswer(offer, SessionDescription.parse(
                good.replace("UDP/DTLS/SCTP webrtc-datachannel", "UDP/DTLS/SCTP 5000"))));
        assertTrue(e.reason().contains("not a usable webrtc-datachannel section"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Jsep.checkAnswer(null, offer));
    }

    // ---------------------------------------------------------------- candidates in trickle form

    @Test
    void trickleCandidateStringsInEveryForm() throws SdpParseException {
        String value = "candidate:1467250027 1 udp 2122260223 3c5b2b8e-5a3f-4b7a-9d1e-2f8a0c6e4d11.local 54321 typ host"
                + " generation 0 ufrag ZmVp network-id 1 network-cost 10";
        Candidate c = Candidate.parse(value);
        assertEquals(c, Candidate.parse("a=" + value));
        assertEquals(c, Candidate.parse(value.substring("candidate:".length())));
        assertTrue(c.isMdns());
        assertEquals("ZmVp", c.extension("ufrag").orElseThrow());
        assertEquals("10", c.extension("network-cost").orElseThrow());
        assertEquals(value, c.toAttributeValue());
        Candidate tcp = Candidate.parse("candidate:2 1 TCP 1518280447 2001:db8::7 9 typ host tcptype passive");
        assertEquals("passive", tcp.tcpType().orElseThrow());
        assertEquals("2001:db8::7", tcp.address());
        Candidate relay = Candidate.parse("candidate:3 1 udp 41885439 198.51.100.7 3478 typ relay raddr 203.0.113.5 "
                + "rport 50000 generation 0");
        assertEquals("203.0.113.5", relay.relatedAddress());
        assertEquals(50000, relay.relatedPort());
        assertEquals(Candidate.parse(relay.toAttributeValue()), relay);
    }

    @Test
    void trickledCandidatesAreAddedToTheDataSection() throws SdpParseException {
        SessionDescription chromium = Fixtures.parse("chromium156-audio-data-offer.sdp");
        Candidate a = Candidate.parse("candidate:1 1 udp 2122260223 198.18.0.2 50000 typ host generation 0");
        Candidate b = Candidate.parse("candidate:2 1 udp 1686052607 203.0.113.7 50000 typ srflx raddr 198.18.0.2 rport 50000");
        SessionDescription once = Jsep.addCandidates(chromium, List.of(a), false);
        SessionDescription twice = Jsep.addCandidates(once, List.of(a, b), true);
        DataChannelMedia m = DataChannelMedia.from(reparse(twice));
        assertEquals(List.of(a, b), m.candidates(), "duplicates skipped, order kept");
        assertTrue(m.endOfCandidates());
        assertEquals(chromium.origin(), twice.origin());
        assertEquals(chromium.media().get(0), twice.media().get(0), "other sections untouched");
        assertEquals(twice, Jsep.addCandidates(twice, List.of(b), true), "idempotent");
        // new candidates go before an existing end-of-candidates
        SessionDescription ff = Fixtures.parse("firefox153-offer.sdp");
        SessionDescription more = Jsep.addCandidates(ff, List.of(b), true);
        List<SdpLine> lines = more.media().get(0).lines();
        int eoc = lines.indexOf(new SdpLine('a', "end-of-candidates"));
        assertEquals(new SdpLine('a', b.toAttributeValue()), lines.get(eoc - 2), "after the last candidate");
        assertEquals(1, lines.stream().filter(l -> l.value().equals("end-of-candidates")).count());
        assertEquals(3, DataChannelMedia.from(more).candidates().size());
        assertThrows(IllegalArgumentException.class,
                () -> Jsep.addCandidates(Fixtures.parse("rfc8866-example.sdp"), List.of(a), false));
        List<Candidate> many = new java.util.ArrayList<>();
        for (int i = 0; i <= DataChannelMedia.MAX_CANDIDATES; i++) {
            many.add(Candidate.of("f" + i, 1, "udp", i, "198.18.0.2", 1000 + i, "host"));
        }
        assertThrows(IllegalArgumentException.class, () -> Jsep.addCandidates(chromium, many, false));
    }
}
