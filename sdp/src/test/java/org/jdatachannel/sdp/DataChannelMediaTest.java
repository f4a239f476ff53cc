package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DataChannelMediaTest {

    private static DataChannelMedia from(String fixture) throws SdpParseException {
        return DataChannelMedia.from(Fixtures.parse(fixture));
    }

    @Test
    void chromiumOffer() throws SdpParseException {
        DataChannelMedia d = from("chromium-offer.sdp");
        assertEquals("0", d.mid());
        assertEquals("ZmVp", d.iceUfrag());
        assertEquals("Yk3dU2tbq1zQ0hXyS5vR8wLa", d.icePwd());
        assertFalse(d.iceLite());
        assertEquals(1, d.fingerprints().size());
        assertEquals("sha-256", d.fingerprints().get(0).hashFunction());
        assertEquals(Setup.ACTPASS, d.setup());
        assertEquals(5000, d.sctpPort());
        assertEquals(262144, d.maxMessageSize());
        assertEquals(4, d.candidates().size());
        assertTrue(d.candidates().get(0).isMdns());
        assertEquals("tcp", d.candidates().get(2).transport());
        assertEquals(Candidate.SRFLX, d.candidates().get(3).type());
        assertFalse(d.endOfCandidates());
        assertFalse(d.legacySctpmap());
        assertFalse(d.rejected());
    }

    @Test
    void chromiumAnswerWithoutMaxMessageSizeDefaultsTo65536() throws SdpParseException {
        DataChannelMedia d = from("chromium-answer.sdp");
        assertEquals(Setup.ACTIVE, d.setup());
        assertEquals(DataChannelMedia.DEFAULT_MAX_MESSAGE_SIZE, d.maxMessageSize());
        assertEquals("2001:db8:1::2", d.candidates().get(1).address());
    }

    @Test
    void firefoxOfferUsesSessionLevelFingerprint() throws SdpParseException {
        DataChannelMedia d = from("firefox-offer.sdp");
        assertEquals(1, d.fingerprints().size());
        assertEquals("9a3c5e7f", d.iceUfrag());
        assertEquals(1073741823L, d.maxMessageSize());
        assertTrue(d.endOfCandidates());
        assertEquals(5, d.candidates().size());
        assertEquals(Candidate.RELAY, d.candidates().get(4).type());
        assertEquals(Setup.ACTPASS, d.setup());
    }

    @Test
    void firefoxLegacyAnswer() throws SdpParseException {
        DataChannelMedia d = from("firefox-legacy-answer.sdp");
        assertTrue(d.legacySctpmap());
        assertEquals(5000, d.sctpPort());
        assertEquals(Setup.ACTIVE, d.setup());
        assertEquals(1073741823L, d.maxMessageSize());
    }

    @Test
    void pionOfferHasComponentTwoCandidatesAndNoMaxMessageSize() throws SdpParseException {
        DataChannelMedia d = from("pion-offer.sdp");
        assertEquals(65536, d.maxMessageSize());
        assertEquals(4, d.candidates().size());
        assertEquals(2, d.candidates().get(1).component());
        assertEquals("::1", d.candidates().get(3).address());
        assertTrue(d.endOfCandidates());
        assertEquals("XQmWgcHLSkDBjHTl", d.iceUfrag());
    }

    @Test
    void aiortcLegacyOffer() throws SdpParseException {
        DataChannelMedia d = from("aiortc-legacy-offer.sdp");
        assertTrue(d.legacySctpmap());
        assertEquals(5000, d.sctpPort());
        assertEquals(65536, d.maxMessageSize());
        assertEquals("Fd3k", d.iceUfrag());
        assertEquals(2, d.candidates().size());
        assertEquals("passive", d.candidates().get(1).tcpType().orElseThrow());
        assertEquals("5c1d8b3a0f9e2c7d4b6a1e8f3c0d9b2a", d.candidates().get(0).foundation());
    }

    @Test
    void weriftOffer() throws SdpParseException {
        DataChannelMedia d = from("werift-offer.sdp");
        assertEquals("b1f4", d.candidates().get(0).extension("ufrag").orElseThrow());
        assertTrue(d.endOfCandidates());
        assertEquals(65536, d.maxMessageSize());
    }

    @Test
    void audioPlusDataPicksDataSectionAndZeroMeansNoLimit() throws SdpParseException {
        DataChannelMedia d = from("jsep-audio-data-offer.sdp");
        assertEquals("d1", d.mid());
        assertEquals(DataChannelMedia.NO_LIMIT, d.maxMessageSize());
        assertEquals(2, d.candidates().size());
    }

    @Test
    void rejectedSectionNeedsNoCredentials() throws SdpParseException {
        DataChannelMedia d = from("unknown-lines.sdp");
        assertTrue(d.rejected());
        assertEquals("", d.iceUfrag());
        assertEquals(List.of(), d.fingerprints());
        assertNull(d.setup());
    }

    @Test
    void sessionLevelIceCredentialsAndIceLite() throws SdpParseException {
        String fp = "sha-256 " + "AB:".repeat(31) + "AB";
        SessionDescription sd = SessionDescription.parse("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\na=ice-lite\n"
                + "a=ice-ufrag:sess\na=ice-pwd:sessionpasswordsession1\na=fingerprint:" + fp + "\na=setup:passive\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=ice-ufrag:medi\na=sctp-port:5001\n");
        DataChannelMedia d = DataChannelMedia.from(sd);
        assertTrue(d.iceLite());
        assertEquals("medi", d.iceUfrag());
        assertEquals("sessionpasswordsession1", d.icePwd());
        assertEquals(Setup.PASSIVE, d.setup());
        assertEquals(5001, d.sctpPort());
        assertNull(d.mid());
    }

    private static final String HEAD = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n";
    private static final String M = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\n";
    private static final String ICE = "a=ice-ufrag:abcd\na=ice-pwd:abcdefghijklmnopqrstuv\n";
    private static final String FP = "a=fingerprint:sha-256 " + "01:".repeat(31) + "01\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no data section|m=audio 9 RTP/AVP 0\\n|0|no m=application section with webrtc-datachannel",
        "application without datachannel|m=application 9 UDP/DTLS/SCTP other\\n|0|no m=application section with webrtc-datachannel",
        "legacy without sctpmap|m=application 9 DTLS/SCTP 5000\\n|0|no m=application section with webrtc-datachannel",
        "missing ufrag|M a=ice-pwd:abcdefghijklmnopqrstuv\\nFP|5|m=application section has no a=ice-ufrag at media or session level",
        "missing pwd|M a=ice-ufrag:abcd\\nFP|5|m=application section has no a=ice-pwd at media or session level",
        "short pwd|M a=ice-ufrag:abcd\\na=ice-pwd:short\\nFP|7|a=ice-pwd must be 22 to 256 ice-chars (ALPHA / DIGIT / \"+\" / \"/\"), found 'short'",
        "missing fingerprint|M ICE|5|m=application section has no a=fingerprint at media or session level",
        "bad fingerprint|M ICE a=fingerprint:sha-256 AB\\n|8|sha-256 fingerprint must be 32 bytes, found 1",
        "bad sctp-port|M ICE FP a=sctp-port:50x0\\n|9|a=sctp-port is not a number: '50x0'",
        "sctp-port too big|M ICE FP a=sctp-port:70000\\n|9|a=sctp-port is out of range 0..65535: 70000",
        "sctp-port zero|M ICE FP a=sctp-port:0\\n|9|a=sctp-port must be 1..65535, found 0",
        "legacy sctpmap port zero|m=application 9 DTLS/SCTP 0\\nICE FP a=sctpmap:0 webrtc-datachannel 65535\\n|9|a=sctpmap port must be 1..65535, found 0",
        "bad max-message-size|M ICE FP a=max-message-size:big\\n|9|a=max-message-size is not a number: 'big'",
        "negative max-message-size|M ICE FP a=max-message-size:-1\\n|9|a=max-message-size is not a number: '-1'",
        "huge max-message-size|M ICE FP a=max-message-size:99999999999999999999\\n|9|a=max-message-size must be 1 to 19 digits, found '99999999999999999999'",
        "overflow max-message-size|M ICE FP a=max-message-size:9999999999999999999\\n|9|a=max-message-size is too large: '9999999999999999999'",
        "bad setup|M ICE FP a=setup:both\\n|9|setup must be active, passive, actpass or holdconn, found 'both'",
        "bad candidate|M ICE FP a=candidate:1 1 udp 1 10.0.0.1 port typ host\\n|9|candidate port is not a number: 'port'",
        "bad legacy sctpmap port|m=application 9 DTLS/SCTP 99999\\nICE FP a=sctpmap:99999 webrtc-datachannel 65535\\n|9|a=sctpmap port is out of range 0..65535: 99999",
    })
    void errors(String label, String body, int line, String reason) {
        String text = HEAD + body.replace("\\n", "\n").replace("M ", M).replace("ICE", ICE).replace("FP", FP)
                .replace("\n ", "\n");
        SdpParseException e = assertThrows(SdpParseException.class,
                () -> DataChannelMedia.from(SessionDescription.parse(text)), label + "\n" + text);
        assertEquals(reason, e.reason(), label);
        assertEquals(line, e.lineNumber(), label + "\n" + text);
    }

    @Test
    void constructorChecksArguments() {
        List<Fingerprint> none = List.of();
        assertThrows(IllegalArgumentException.class, () -> new DataChannelMedia("0", "a b", "p", false, none, null, 5000,
                65536, List.of(), false, false, false));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelMedia("0", "u", "p", false, none, null, 70000,
                65536, List.of(), false, false, false));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelMedia("0", "u", "p", false, none, null, 5000,
                0, List.of(), false, false, false));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelMedia("", "u", "p", false, none, null, 5000,
                1, List.of(), false, false, false));
        assertThrows(IllegalArgumentException.class, () -> DataChannelMedia.from(null));
    }
}
