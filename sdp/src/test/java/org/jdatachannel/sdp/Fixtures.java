package org.jdatachannel.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Loads the SDP fixtures in src/test/resources/sdp (stored with LF line ends). */
final class Fixtures {

    static final List<String> ALL = List.of(
            "chromium-offer.sdp", "chromium-answer.sdp", "firefox-offer.sdp", "firefox-legacy-answer.sdp",
            "pion-offer.sdp", "aiortc-legacy-offer.sdp", "werift-offer.sdp", "jsep-audio-data-offer.sdp",
            "rfc8866-example.sdp", "unknown-lines.sdp",
            // captured from Chromium 156 and Firefox ESR 153 (see src/test/resources/sdp/README.md)
            "chromium156-offer.sdp", "chromium156-answer.sdp", "chromium156-reoffer.sdp",
            "chromium156-restart-offer.sdp", "chromium156-audio-data-offer.sdp",
            "firefox153-offer.sdp", "firefox153-answer.sdp", "firefox153-reoffer.sdp",
            "firefox153-restart-offer.sdp", "firefox153-audio-data-offer.sdp",
            "chromium156-audio-video-data-offer.sdp", "firefox153-audio-video-data-offer.sdp",
            "jdatachannel-offer.sdp", "chromium156-answer-to-jdatachannel.sdp", "firefox153-answer-to-jdatachannel.sdp",
            "chromium156-answer-to-legacy.sdp", "firefox153-answer-to-legacy.sdp",
            // written in the shape of each stack's output (README.md)
            "safari-offer.sdp", "safari-answer.sdp", "pion-answer.sdp", "aiortc-legacy-answer.sdp",
            "libdatachannel-offer.sdp", "libdatachannel-answer.sdp", "werift-answer.sdp");

    private Fixtures() {
    }

    /** @return the fixture text with LF line ends */
    static String lf(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the fixture text with CRLF line ends */
    static String crlf(String name) {
        return lf(name).replace("\n", "\r\n");
    }

    static SessionDescription parse(String name) {
        try {
            return SessionDescription.parse(lf(name));
        } catch (SdpParseException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
    }
}
