package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FingerprintSetupTest {

    private static final String SHA256 =
            "19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2";

    @Test
    void parseSha256() throws SdpParseException {
        Fingerprint f = Fingerprint.parse("sha-256 " + SHA256);
        assertEquals("sha-256", f.hashFunction());
        assertEquals(32, f.digest().length);
        assertEquals((byte) 0x19, f.digest()[0]);
        assertEquals((byte) 0xA2, f.digest()[31]);
        assertEquals("sha-256 " + SHA256, f.toString());
        assertEquals(SHA256, f.hex());
    }

    @Test
    void lowerCaseIsAcceptedAndNormalized() throws SdpParseException {
        Fingerprint f = Fingerprint.parse("SHA-256 " + SHA256.toLowerCase());
        assertEquals(Fingerprint.parse("sha-256 " + SHA256), f);
        assertEquals(f.hashCode(), Fingerprint.parse("sha-256 " + SHA256).hashCode());
        assertEquals("sha-256 " + SHA256, f.toString());
    }

    @Test
    void digestIsCopied() throws SdpParseException {
        byte[] d = new byte[20];
        Fingerprint f = new Fingerprint("sha-1", d);
        d[0] = 1;
        assertEquals(0, f.digest()[0]);
        f.digest()[1] = 5;
        assertEquals(0, f.digest()[1]);
        assertNotEquals(f, new Fingerprint("sha-1", d));
        assertArrayEquals(new byte[20], Fingerprint.parse(f.toString()).digest());
    }

    @Test
    void unknownHashAnyLength() throws SdpParseException {
        Fingerprint f = Fingerprint.parse("x-hash AB:CD:EF");
        assertEquals("x-hash AB:CD:EF", f.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no space|sha-256|fingerprint needs '<hash-func> <hex>', found 'sha-256'",
        "wrong length|sha-256 AB:CD|sha-256 fingerprint must be 32 bytes, found 2",
        "odd digits|sha-256 ABC|fingerprint must be 1 to 64 colon-separated hex pairs, found 'ABC'",
        "missing colon|sha-1 AB-CD|fingerprint expects ':' at index 2",
        "non hex|sha-1 AB:CG|fingerprint has a non-hex digit at index 3",
        "bad hash name|sha@256 AB|fingerprint hash function is not a token: 'sha@256'",
    })
    void badFingerprints(String label, String text, String reason) {
        SdpParseException e = assertThrows(SdpParseException.class, () -> Fingerprint.parse(text), label);
        assertEquals(reason, e.reason());
    }

    @Test
    void fingerprintConstructorArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Fingerprint("sha-256", new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new Fingerprint("x", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Fingerprint("x", new byte[65]));
        assertThrows(IllegalArgumentException.class, () -> new Fingerprint("a b", new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new Fingerprint("x", null));
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.parse(null));
    }

    @Test
    void setupTokens() throws SdpParseException {
        for (Setup s : Setup.values()) {
            assertEquals(s, Setup.parse(s.token()));
            assertEquals(s, Setup.parse(" " + s.token().toUpperCase() + " "));
            assertEquals(s.token(), s.toString());
        }
        assertEquals(Setup.ACTPASS, Setup.parse("actpass"));
        SdpParseException e = assertThrows(SdpParseException.class, () -> Setup.parse("both"));
        assertEquals("setup must be active, passive, actpass or holdconn, found 'both'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Setup.parse(null));
    }
}
