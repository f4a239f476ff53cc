package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsepTest {

    private static final Fingerprint FP;

    static {
        byte[] d = new byte[32];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 7 + 1);
        }
        FP = new Fingerprint("sha-256", d);
    }

    private static final Candidate HOST = Candidate.of("1", 1, "udp", 2130706431L, "127.0.0.1", 40000, "host");

    private static DataChannelMedia local(Setup setup, boolean eoc) {
        return DataChannelMedia.local(null, "uFrg", "pAsswordpAsswordpAsswd", List.of(FP), setup, 262144,
                List.of(HOST), eoc);
    }

    @Test
    void offerIsExactlyTheDocumentedText() throws SdpParseException {
        SessionDescription offer = Jsep.createOffer(local(null, true), 123456789L, 2);
        String expected = "v=0\r\n"
                + "o=- 123456789 2 IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "t=0 0\r\n"
                + "a=group:BUNDLE 0\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                + "c=IN IP4 0.0.0.0\r\n"
                + "a=ice-ufrag:uFrg\r\n"
                + "a=ice-pwd:pAsswordpAsswordpAsswd\r\n"
                + "a=ice-options:trickle\r\n"
                + "a=fingerprint:" + FP + "\r\n"
                + "a=setup:actpass\r\n"
                + "a=mid:0\r\n"
                + "a=sctp-port:5000\r\n"
                + "a=max-message-size:262144\r\n"
                + "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n"
                + "a=end-of-candidates\r\n";
        assertEquals(expected, offer.serialize());
        assertEquals(offer, SessionDescription.parse(expected));
        DataChannelMedia back = DataChannelMedia.from(offer);
        assertEquals(local(Setup.ACTPASS, true).withMid("0"), back);
    }

    @Test
    void offerWithoutEndOfCandidatesNoLimitAndIceLite() throws SdpParseException {
        DataChannelMedia m = new DataChannelMedia("data", "uFrg", "pAsswordpAsswordpAsswd", true, List.of(FP), null, 5000,
                DataChannelMedia.NO_LIMIT, List.of(), false, false, false);
        SessionDescription offer = Jsep.createOffer(m, 0, 0);
        String text = offer.serialize();
        assertTrue(text.contains("a=max-message-size:0\r\n"), text);
        assertTrue(text.contains("a=group:BUNDLE data\r\na=ice-lite\r\n"), text);
        assertFalse(text.contains("end-of-candidates"));
        assertEquals(m.withSetup(Setup.ACTPASS), DataChannelMedia.from(offer));
    }

    @Test
    void legacyOfferForm() throws SdpParseException {
        DataChannelMedia m = new DataChannelMedia("0", "uFrg", "pAsswordpAsswordpAsswd", false, List.of(FP), Setup.ACTPASS,
                5000, 65536, List.of(), false, true, false);
        SessionDescription offer = Jsep.createOffer(m, 1, 1);
        MediaDescription md = offer.media().get(0);
        assertEquals("application 9 DTLS/SCTP 5000", md.mediaLine().toString());
        assertEquals(Optional.of("5000 webrtc-datachannel 65535"), md.attribute("sctpmap"));
        assertFalse(md.hasAttribute("sctp-port"));
        assertEquals(m, DataChannelMedia.from(offer));
    }

    @Test
    void offerArgumentChecks() {
        assertThrows(IllegalArgumentException.class, () -> Jsep.createOffer(null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Jsep.createOffer(local(null, false), -1, 1));
        assertThrows(IllegalArgumentException.class, () -> Jsep.createOffer(local(null, false), Long.MAX_VALUE, 1));
        assertThrows(IllegalArgumentException.class, () -> Jsep.createOffer(local(null, false), 1, -1));
        DataChannelMedia noFp = DataChannelMedia.local("0", "uFrg", "pAsswordpAsswordpAsswd", List.of(), null, 65536, List.of(), false);
        assertThrows(IllegalArgumentException.class, () -> Jsep.createOffer(noFp, 1, 1));
        DataChannelMedia noIce = DataChannelMedia.local("0", "", "", List.of(FP), null, 65536, List.of(), false);
        assertThrows(IllegalArgumentException.class, () -> Jsep.createOffer(noIce, 1, 1));
    }

    @Test
    void answerToChromiumMirrorsMidBundleAndProto() throws SdpParseException {
        SessionDescription offer = Fixtures.parse("chromium-offer.sdp");
        SessionDescription answer = Jsep.createAnswer(local(Setup.ACTIVE, false), offer, 99, 1);
        String expected = "v=0\r\n"
                + "o=- 99 1 IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "t=0 0\r\n"
                + "a=group:BUNDLE 0\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                + "c=IN IP4 0.0.0.0\r\n"
                + "a=ice-ufrag:uFrg\r\n"
                + "a=ice-pwd:pAsswordpAsswordpAsswd\r\n"
                + "a=ice-options:trickle\r\n"
                + "a=fingerprint:" + FP + "\r\n"
                + "a=setup:active\r\n"
                + "a=mid:0\r\n"
                + "a=sctp-port:5000\r\n"
                + "a=max-message-size:262144\r\n"
                + "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n";
        assertEquals(expected, answer.serialize());
    }

    @Test
    void answerSetupRules() throws SdpParseException {
        SessionDescription actpass = Fixtures.parse("chromium-offer.sdp");
        // RFC 8842: the answerer uses active or passive; our choice wins for an actpass offer.
        assertEquals(Setup.ACTIVE, answerSetup(local(null, false), actpass));
        assertEquals(Setup.ACTIVE, answerSetup(local(Setup.ACTPASS, false), actpass));
        assertEquals(Setup.ACTIVE, answerSetup(local(Setup.ACTIVE, false), actpass));
        assertEquals(Setup.PASSIVE, answerSetup(local(Setup.PASSIVE, false), actpass));
        // An offer that insists on a role gets the opposite one.
        SessionDescription active = SessionDescription.parse(Fixtures.lf("chromium-offer.sdp").replace("a=setup:actpass", "a=setup:active"));
        assertEquals(Setup.PASSIVE, answerSetup(local(Setup.ACTIVE, false), active));
        SessionDescription passive = SessionDescription.parse(Fixtures.lf("chromium-offer.sdp").replace("a=setup:actpass", "a=setup:passive"));
        assertEquals(Setup.ACTIVE, answerSetup(local(Setup.PASSIVE, false), passive));
        // RFC 4145 §4.1: no setup in the offer means "active" there, so we are passive.
        SessionDescription none = SessionDescription.parse(Fixtures.lf("chromium-offer.sdp").replace("a=setup:actpass\n", ""));
        assertEquals(Setup.PASSIVE, answerSetup(local(Setup.ACTIVE, false), none));
        SessionDescription hold = SessionDescription.parse(Fixtures.lf("chromium-offer.sdp").replace("a=setup:actpass", "a=setup:holdconn"));
        SdpParseException e = assertThrows(SdpParseException.class, () -> Jsep.createAnswer(local(null, false), hold, 1, 1));
        assertEquals(8, e.lineNumber());
    }

    private static Setup answerSetup(DataChannelMedia local, SessionDescription offer) throws SdpParseException {
        return DataChannelMedia.from(Jsep.createAnswer(local, offer, 1, 1)).setup();
    }

    @Test
    void answerToFirefoxOffer() throws SdpParseException {
        SessionDescription answer = Jsep.createAnswer(local(Setup.ACTIVE, true), Fixtures.parse("firefox-offer.sdp"), 5, 0);
        DataChannelMedia d = DataChannelMedia.from(answer);
        assertEquals("0", d.mid());
        assertFalse(d.legacySctpmap());
        assertTrue(d.endOfCandidates());
        assertEquals(Optional.of("BUNDLE 0"), answer.attribute("group"));
    }

    @Test
    void answerToAiortcLegacyOfferIsLegacy() throws SdpParseException {
        SessionDescription answer = Jsep.createAnswer(local(Setup.ACTIVE, false), Fixtures.parse("aiortc-legacy-offer.sdp"), 5, 0);
        MediaDescription m = answer.media().get(0);
        assertEquals("application 9 DTLS/SCTP 5000", m.mediaLine().toString());
        assertEquals(Optional.of("5000 webrtc-datachannel 65535"), m.attribute("sctpmap"));
        assertFalse(m.hasAttribute("sctp-port"));
        DataChannelMedia d = DataChannelMedia.from(answer);
        assertTrue(d.legacySctpmap());
        assertEquals(Setup.ACTIVE, d.setup());
        assertEquals("0", d.mid());
    }

    @Test
    void answerToPionOfferWithoutBundleOnlyWhenOffered() throws SdpParseException {
        SessionDescription answer = Jsep.createAnswer(local(null, false), Fixtures.parse("pion-offer.sdp"), 5, 0);
        assertEquals(Optional.of("BUNDLE 0"), answer.attribute("group"));
        String noGroup = Fixtures.lf("pion-offer.sdp").replace("a=group:BUNDLE 0\n", "");
        SessionDescription answer2 = Jsep.createAnswer(local(null, false), SessionDescription.parse(noGroup), 5, 0);
        assertFalse(answer2.hasAttribute("group"));
        assertEquals(Optional.of("0"), answer2.media().get(0).mid());
    }

    @Test
    void answerToAudioPlusDataRejectsAudioKeepingOrderAndMids() throws SdpParseException {
        SessionDescription answer = Jsep.createAnswer(local(Setup.ACTIVE, false), Fixtures.parse("jsep-audio-data-offer.sdp"), 5, 0);
        assertEquals(2, answer.media().size());
        MediaDescription audio = answer.media().get(0);
        assertEquals("audio 0 UDP/TLS/RTP/SAVPF 96 0", audio.mediaLine().toString());
        assertEquals(Optional.of("a1"), audio.mid());
        MediaDescription data = answer.media().get(1);
        assertEquals(9, data.mediaLine().port());
        assertEquals(Optional.of("d1"), data.mid());
        assertEquals(Optional.of("BUNDLE d1"), answer.attribute("group"));
        assertEquals("d1", DataChannelMedia.from(answer).mid());
    }

    @Test
    void rejectedOfferIsAnsweredRejectedKeepingToken() throws SdpParseException {
        String text = Fixtures.lf("chromium-offer.sdp").replace("m=application 9 ", "m=application 0 ");
        SessionDescription answer = Jsep.createAnswer(local(Setup.ACTIVE, false), SessionDescription.parse(text), 5, 0);
        MediaDescription m = answer.media().get(0);
        assertEquals("application 0 UDP/DTLS/SCTP webrtc-datachannel", m.mediaLine().toString());
        assertFalse(answer.hasAttribute("group"));
        DataChannelMedia d = DataChannelMedia.from(answer);
        assertTrue(d.rejected());
        assertEquals("0", d.mid());

        DataChannelMedia rejecting = new DataChannelMedia(null, "", "", false, List.of(), null, 5000, 65536, List.of(),
                false, false, true);
        SessionDescription answer2 = Jsep.createAnswer(rejecting, Fixtures.parse("firefox-offer.sdp"), 5, 0);
        assertEquals(0, answer2.media().get(0).mediaLine().port());
    }

    @Test
    void answerRequiresDataChannelOffer() throws SdpParseException {
        SessionDescription noData = SessionDescription.parse("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0\n");
        SdpParseException e = assertThrows(SdpParseException.class, () -> Jsep.createAnswer(local(null, false), noData, 1, 1));
        assertEquals("no m=application section with webrtc-datachannel", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Jsep.createAnswer(local(null, false), null, 1, 1));
    }

    @Test
    void everyFixtureOfferCanBeAnsweredAndTheAnswerParses() throws SdpParseException {
        for (String name : List.of("chromium-offer.sdp", "firefox-offer.sdp", "pion-offer.sdp", "aiortc-legacy-offer.sdp",
                "werift-offer.sdp", "jsep-audio-data-offer.sdp")) {
            SessionDescription offer = Fixtures.parse(name);
            SessionDescription answer = Jsep.createAnswer(local(Setup.ACTIVE, true), offer, 7, 0);
            SessionDescription reparsed = SessionDescription.parse(answer.serialize());
            assertEquals(answer, reparsed, name);
            assertEquals(offer.media().size(), answer.media().size(), name);
            DataChannelMedia o = DataChannelMedia.from(offer);
            DataChannelMedia a = DataChannelMedia.from(reparsed);
            assertEquals(o.mid(), a.mid(), name);
            assertEquals(o.legacySctpmap(), a.legacySctpmap(), name);
            assertEquals(Setup.ACTIVE, a.setup(), name);
        }
    }
}
