package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.jdatachannel.ice.IceServer.Scheme;
import org.jdatachannel.ice.IceServer.Transport;
import org.jdatachannel.ice.IceServer.Url;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** STUN/TURN URL parsing (RFC 7064 §3.1, RFC 7065 §3.1) and the W3C RTCIceServer rules. */
class IceServerTest {

    @Test
    void parsesTheUrlForms() {
        assertEquals(new Url(Scheme.STUN, "stun.example.org", 3478, Transport.UDP), Url.parse("stun:stun.example.org"));
        assertEquals(new Url(Scheme.STUN, "192.0.2.1", 19302, Transport.UDP), Url.parse("stun:192.0.2.1:19302"));
        assertEquals(new Url(Scheme.STUNS, "example.org", 5349, Transport.TCP), Url.parse("stuns:example.org"));
        assertEquals(new Url(Scheme.TURN, "example.org", 3478, Transport.UDP), Url.parse("turn:example.org"));
        assertEquals(new Url(Scheme.TURN, "example.org", 80, Transport.TCP),
                Url.parse("turn:example.org:80?transport=tcp"));
        assertEquals(new Url(Scheme.TURN, "example.org", 3478, Transport.UDP),
                Url.parse("TURN:example.org?transport=UDP"));
        assertEquals(new Url(Scheme.TURNS, "example.org", 443, Transport.TCP),
                Url.parse("turns:example.org:443?transport=tcp"));
        assertEquals(new Url(Scheme.TURNS, "example.org", 5349, Transport.TCP), Url.parse("turns:example.org"));
        assertEquals(new Url(Scheme.TURN, "2001:db8::1", 3478, Transport.UDP), Url.parse("turn:[2001:db8::1]"));
        assertEquals(new Url(Scheme.STUN, "::1", 1234, Transport.UDP), Url.parse("stun:[::1]:1234"));
        assertTrue(Url.parse("turns:x").isTurn());
        assertFalse(Url.parse("stun:x").isTurn());
    }

    @Test
    void rejectsBadUrlsNamingThem() {
        for (String bad : List.of("", "stun", "http://example.org", "stun://example.org", "stun:", "stun::3478",
                "stun:example.org:", "stun:example.org:0", "stun:example.org:65536", "stun:example.org:12a",
                "stun:example.org?transport=udp", "turn:example.org?transport=sctp", "turn:example.org?foo",
                "turns:example.org?transport=udp", "turn:[2001:db8::1", "turn:[]", "turn:[2001:db8::1]x",
                "turn:[example.org]", "stun:exa mple.org", "stun:.example.org", "stun:example.org:123456",
                "stun:" + "a".repeat(IceServer.MAX_URL_LENGTH))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Url.parse(bad), bad);
            assertTrue(bad.length() > 100 || e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void turnNeedsCredentialsAndToStringHidesThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IceServer(List.of("stun:a", "turn:b"), "user", null));
        assertTrue(e.getMessage().contains("username and a credential"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IceServer(List.of("turns:b"), null, "pw"));
        assertThrows(IllegalArgumentException.class, () -> new IceServer(List.of(), null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new IceServer(java.util.Collections.nCopies(IceServer.MAX_URLS + 1, "stun:a"), null, null));
        assertThrows(IllegalArgumentException.class, () -> IceServer.turn("turn:a", "u".repeat(509), "p"));
        assertThrows(NullPointerException.class, () -> new IceServer(null, null, null));
        IceServer t = IceServer.turn("turn:a?transport=udp", "alice", "s3cret");
        assertFalse(t.toString().contains("s3cret"), t.toString());
        assertEquals(List.of(new Url(Scheme.TURN, "a", 3478, Transport.UDP)), t.parsedUrls());
        assertEquals(List.of("stun:a"), IceServer.stun("stun:a").urls());
    }

    /** Random printable strings never escape as anything but IllegalArgumentException. */
    @Test
    void randomInputGivesOnlyIllegalArgument() {
        long seed = System.nanoTime();
        LoggerFactory.getLogger(IceServerTest.class).info("seed {}", seed);
        Random r = new Random(seed);
        String alphabet = "stunr:[]?=.0123456789abcdefxyz-_/%@ ";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(r.nextBoolean() ? "turn:" : "stun:");
            int n = r.nextInt(30);
            for (int j = 0; j < n; j++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String u = sb.toString();
            try {
                Url p = Url.parse(u);
                assertTrue(p.port() >= 1 && p.port() <= 65535, u);
                assertFalse(p.host().isEmpty(), u);
            } catch (IllegalArgumentException expected) {
                // fine
            }
        }
    }
}
