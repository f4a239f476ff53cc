package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.RenegotiationTest.channelPair;
import static org.jdatachannel.RenegotiationTest.exchange;
import static org.jdatachannel.TrickleIceTest.assertCause;
import static org.jdatachannel.TrickleIceTest.ufrag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.sdp.SdpParseException;
import org.junit.jupiter.api.Test;

/**
 * Re-offers and re-answers on an existing session keep the negotiated m= sections (RFC 8829
 * §5.2.2: "Each "a=mid" line MUST stay the same", same sections in the same order), and a remote
 * answer must match our offer (RFC 3264 §6: "exactly the same number of "m=" lines"), else it is
 * refused and nothing changes.
 */
class ReOfferSectionsTest {
    /** Chromium's offer with an audio section (mid 0) before the data section (mid 1); no candidates. */
    static String chromiumAudioDataOffer() throws Exception {
        return Files.readString(Path.of("../sdp/src/test/resources/sdp/chromium156-audio-data-offer.sdp"));
    }

    /** "media port mid" of each m= section, in order. */
    static List<String> sections(String sdp) {
        List<String> out = new ArrayList<>();
        for (String part : sdp.split("\r?\nm=")) {
            if (!part.startsWith("v=")) {
                String[] f = part.split(" ", 3);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("a=mid:(\\S+)").matcher(part);
                out.add(f[0] + " " + f[1] + " " + (m.find() ? m.group(1) : "-"));
            }
        }
        return out;
    }

    static String bundle(String sdp) {
        return RenegotiationTest.line(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp),
                "a=group:BUNDLE ([^\\r\\n]*)");
    }

    /** The header and the m= sections of a description (each section starts with "m="), LF line ends. */
    static List<String> split(String sdp) {
        List<String> out = new ArrayList<>();
        for (String p : sdp.replace("\r\n", "\n").split("\n(?=m=)")) {
            out.add(p.endsWith("\n") ? p.substring(0, p.length() - 1) : p);
        }
        return out;
    }

    /** Joins {@link #split} parts into a CRLF description. */
    static String join(List<String> parts) {
        return (String.join("\n", parts) + "\n").replace("\n", "\r\n");
    }

    /** We answered the remote offer (audio 0, data 1): our re-offers keep both sections, in order. */
    @Test
    void reOfferAfterAnsweringAudioAndDataKeepsSectionsAndMids() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build())) {
            String offer = chromiumAudioDataOffer();
            a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, offer))
                    .get(T, TimeUnit.SECONDS);
            SessionDescriptionInit answer = a.createAnswer().get(T, TimeUnit.SECONDS);
            assertEquals(List.of("audio 0 0", "application 9 1"), sections(answer.sdp()));
            a.setLocalDescription(answer).get(T, TimeUnit.SECONDS);

            SessionDescriptionInit reOffer = a.createOffer().get(T, TimeUnit.SECONDS);
            assertEquals(List.of("audio 0 0", "application 9 1"), sections(reOffer.sdp()), reOffer.sdp());
            assertEquals("1", bundle(reOffer.sdp()).strip());
            assertEquals(ufrag(answer), ufrag(reOffer), "no restart: same credentials");

            a.restartIce();
            SessionDescriptionInit restart = a.createOffer().get(T, TimeUnit.SECONDS);
            assertEquals(List.of("audio 0 0", "application 9 1"), sections(restart.sdp()), restart.sdp());
            assertNotEquals(ufrag(answer), ufrag(restart));
            a.setLocalDescription(restart).get(T, TimeUnit.SECONDS);

            // The peer answers the re-offer (its own sections, same mids and order; we are the DTLS
            // client since our answer said active): accepted.
            String remoteAnswer = offer.replace("a=setup:actpass", "a=setup:passive");
            a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, remoteAnswer))
                    .get(T, TimeUnit.SECONDS);
            assertEquals(SignalingState.STABLE, a.signalingState());
        }
    }

    /**
     * Our offer was first (data mid 0); the peer's re-offer adds an audio section (mid 1): our
     * answer and every later offer of ours keep data 0 then audio 1 (rejected).
     */
    @Test
    void ourOfferFirstThenPeerAddsASectionKeepsItInLaterOffers() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            channelPair(a, b, "x");
            SessionDescriptionInit bOffer = b.createOffer().get(T, TimeUnit.SECONDS);
            List<String> audio = split(chromiumAudioDataOffer());
            String audioSection = audio.get(1).replace("a=mid:0", "a=mid:1");
            List<String> parts = new ArrayList<>(split(bOffer.sdp()));
            parts.add(audioSection);
            String edited = join(parts); // audio not bundled: it has its own (Chromium's) credentials
            a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, edited))
                    .get(T, TimeUnit.SECONDS);
            SessionDescriptionInit answer = a.createAnswer().get(T, TimeUnit.SECONDS);
            assertEquals(List.of("application 9 0", "audio 0 1"), sections(answer.sdp()), answer.sdp());
            a.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
            SessionDescriptionInit reOffer = a.createOffer().get(T, TimeUnit.SECONDS);
            assertEquals(List.of("application 9 0", "audio 0 1"), sections(reOffer.sdp()), reOffer.sdp());
            a.restartIce();
            SessionDescriptionInit restart = a.createOffer().get(T, TimeUnit.SECONDS);
            assertEquals(List.of("application 9 0", "audio 0 1"), sections(restart.sdp()), restart.sdp());
        }
    }

    /** Answers that do not match our offer are refused with SdpParseException; nothing changes. */
    @Test
    void mismatchedAnswersAreRefused() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build())) {
            String offer = chromiumAudioDataOffer();
            a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, offer))
                    .get(T, TimeUnit.SECONDS);
            a.setLocalDescription(a.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            SessionDescriptionInit reOffer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(reOffer).get(T, TimeUnit.SECONDS);
            SessionDescriptionInit remoteBefore = a.remoteDescription();

            String good = offer.replace("a=setup:actpass", "a=setup:passive");
            List<String> p = split(good);
            String fewer = join(List.of(p.get(0), p.get(2)));
            String more = join(List.of(p.get(0), p.get(1), p.get(2), p.get(1).replace("a=mid:0", "a=mid:2")));
            String otherMid = good.replace("a=mid:1", "a=mid:7").replace("BUNDLE 0 1", "BUNDLE 0 7");
            String swapped = join(List.of(p.get(0), p.get(2), p.get(1)));
            for (String bad : List.of(fewer, more, otherMid, swapped)) {
                assertCause(SdpParseException.class, a.setRemoteDescription(
                        new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, bad)));
                assertEquals(SignalingState.HAVE_LOCAL_OFFER, a.signalingState());
                assertEquals(remoteBefore, a.remoteDescription());
            }
            a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, good))
                    .get(T, TimeUnit.SECONDS);
            assertEquals(SignalingState.STABLE, a.signalingState());
        }
    }

    /** Our first offer: an answer with an extra section is refused too (and no remote description). */
    @Test
    void firstAnswerWithExtraSectionIsRefused() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
            SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
            List<String> p = new ArrayList<>(split(answer.sdp()));
            p.add(split(chromiumAudioDataOffer()).get(1).replace("a=mid:0", "a=mid:1"));
            assertCause(SdpParseException.class, a.setRemoteDescription(
                    new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, join(p))));
            assertNull(a.remoteDescription());
            assertEquals(SignalingState.HAVE_LOCAL_OFFER, a.signalingState());
        }
    }
}
