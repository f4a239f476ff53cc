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
            "rfc8866-example.sdp", "unknown-lines.sdp");

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
