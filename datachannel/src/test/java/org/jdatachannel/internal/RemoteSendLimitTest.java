package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jdatachannel.sdp.DataChannelMedia;
import org.jdatachannel.sdp.SessionDescription;
import org.junit.jupiter.api.Test;

/** The send limit derived from the remote description (RFC 8841 §6.1). */
class RemoteSendLimitTest {
    private static final String BASE = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
            + "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
            + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\n";

    private static long limit(String sdp) throws Exception {
        return PeerConnectionCore.remoteSendLimit(sdp, DataChannelMedia.from(SessionDescription.parse(sdp)));
    }

    @Test
    void explicitValuesAreUsed() throws Exception {
        assertEquals(262144, limit(BASE + "a=max-message-size:262144\r\n"));
        assertEquals(65536, limit(BASE + "a=max-message-size:65536\r\n"));
        assertEquals(1073741823, limit(BASE + "a=max-message-size:1073741823\r\n"));
    }

    @Test
    void zeroMeansNoLimit() throws Exception {
        assertEquals(DataChannelMedia.NO_LIMIT, limit(BASE + "a=max-message-size:0\r\n"));
    }

    /** RFC 8841 §6.1: "If the SDP 'max-message-size' attribute is not present, the default value is 64K." */
    @Test
    void absentAttributeMeans65536() throws Exception {
        assertEquals(65536, limit(BASE));
        // Legacy form (aiortc): the sctpmap's third field is not a message size; 65536 applies too.
        String legacy = BASE.replace("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "m=application 9 DTLS/SCTP 5000")
                .replace("a=sctp-port:5000\r\n", "a=sctpmap:5000 webrtc-datachannel 65535\r\n");
        assertEquals(65536, limit(legacy));
    }
}
