package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CandidateTest {

    @Test
    void chromiumMdnsHostWithExtensions() throws SdpParseException {
        String text = "candidate:1467250027 1 udp 2122260223 3c5b2b8e-5a3f-4b7a-9d1e-2f8a0c6e4d11.local 54321 typ host "
                + "generation 0 network-id 1 network-cost 10";
        Candidate c = Candidate.parse(text);
        assertEquals("1467250027", c.foundation());
        assertEquals(1, c.component());
        assertEquals("udp", c.transport());
        assertEquals(2122260223L, c.priority());
        assertEquals("3c5b2b8e-5a3f-4b7a-9d1e-2f8a0c6e4d11.local", c.address());
        assertEquals(54321, c.port());
        assertEquals(Candidate.HOST, c.type());
        assertEquals(null, c.relatedAddress());
        assertEquals(-1, c.relatedPort());
        assertEquals(List.of(new Candidate.Extension("generation", "0"), new Candidate.Extension("network-id", "1"),
                new Candidate.Extension("network-cost", "10")), c.extensions());
        assertEquals(Optional.of("10"), c.extension("network-cost"));
        assertTrue(c.isMdns());
        assertTrue(c.isUdp());
        assertEquals(text, c.toAttributeValue());
    }

    @Test
    void srflxWithRelatedAddress() throws SdpParseException {
        Candidate c = Candidate.parse("a=candidate:842163049 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0");
        assertEquals(Candidate.SRFLX, c.type());
        assertEquals("0.0.0.0", c.relatedAddress());
        assertEquals(0, c.relatedPort());
        assertEquals(Optional.of("0"), c.extension("generation"));
        assertFalse(c.isMdns());
        assertEquals("candidate:842163049 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0",
                c.toAttributeValue());
    }

    @Test
    void relayAndPrflx() throws SdpParseException {
        Candidate relay = Candidate.parse("candidate:3 1 UDP 92217343 192.0.2.44 61203 typ relay raddr 203.0.113.9 rport 51234");
        assertEquals(Candidate.RELAY, relay.type());
        assertEquals("203.0.113.9", relay.relatedAddress());
        assertEquals(51234, relay.relatedPort());
        assertEquals("UDP", relay.transport());
        assertTrue(relay.isUdp());
        Candidate prflx = Candidate.parse("candidate:2 1 udp 1853824767 198.18.0.9 47000 typ prflx raddr 198.18.0.2 rport 50217");
        assertEquals(Candidate.PRFLX, prflx.type());
    }

    @Test
    void ipv6AndTcpType() throws SdpParseException {
        Candidate v6 = Candidate.parse("candidate:2 1 UDP 2122187007 2001:db8::17 40511 typ host");
        assertEquals("2001:db8::17", v6.address());
        Candidate loop = Candidate.parse("candidate:233762139 2 udp 2130706431 ::1 41821 typ host");
        assertEquals("::1", loop.address());
        assertEquals(2, loop.component());
        Candidate tcp = Candidate.parse("candidate:4 1 TCP 2105524479 10.0.0.1 9 typ host tcptype active");
        assertEquals(Optional.of("active"), tcp.tcpType());
        assertFalse(tcp.isUdp());
        Candidate passive = Candidate.parse("candidate:f0b2c4a6 1 tcp 1671430143 198.18.0.5 44124 typ host tcptype passive generation 0 ufrag b1f4");
        assertEquals(Optional.of("passive"), passive.tcpType());
        assertEquals(Optional.of("b1f4"), passive.extension("ufrag"));
    }

    @Test
    void rportWithoutRaddrAndBarePrefixForms() throws SdpParseException {
        Candidate c = Candidate.parse("1 1 udp 1 10.0.0.1 1000 typ srflx rport 9");
        assertEquals(null, c.relatedAddress());
        assertEquals(9, c.relatedPort());
        assertEquals("candidate:1 1 udp 1 10.0.0.1 1000 typ srflx rport 9", c.toAttributeValue());
        assertEquals(c, Candidate.parse("a=candidate:1 1 udp 1 10.0.0.1 1000 typ srflx rport 9"));
    }

    @Test
    void builtCandidateRoundTrips() throws SdpParseException {
        Candidate c = new Candidate("abc+/9", 256, "udp", 4294967295L, "host.example", 65535, "host", "10.0.0.1", 1,
                List.of(new Candidate.Extension("x-ext", "v=1")));
        assertEquals(c, Candidate.parse(c.toAttributeValue()));
        assertEquals(c.toAttributeValue(), c.toString());
        Candidate simple = Candidate.of("1", 1, "udp", 1, "127.0.0.1", 5000, "host");
        assertEquals("candidate:1 1 udp 1 127.0.0.1 5000 typ host", simple.toAttributeValue());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "too few fields|candidate:1 1 udp 1 10.0.0.1 1000 typ|candidate needs at least 8 fields, found 7",
        "missing typ|candidate:1 1 udp 1 10.0.0.1 1000 type host|expected 'typ' after the port, found 'type'",
        "bad component|candidate:1 x udp 1 10.0.0.1 1000 typ host|candidate component-id is not a number: 'x'",
        "component 0|candidate:1 0 udp 1 10.0.0.1 1000 typ host|candidate component-id must be 1..256, got 0",
        "component 257|candidate:1 257 udp 1 10.0.0.1 1000 typ host|candidate component-id must be 1..256, got 257",
        "component too long|candidate:1 1000 udp 1 10.0.0.1 1000 typ host|candidate component-id must be 1 to 3 digits: '1000'",
        "priority too big|candidate:1 1 udp 4294967296 10.0.0.1 1000 typ host|candidate priority must be 0..4294967295, got 4294967296",
        "priority 11 digits|candidate:1 1 udp 12345678901 10.0.0.1 1000 typ host|candidate priority must be 1 to 10 digits: '12345678901'",
        "negative priority|candidate:1 1 udp -1 10.0.0.1 1000 typ host|candidate priority is not a number: '-1'",
        "port too big|candidate:1 1 udp 1 10.0.0.1 65536 typ host|candidate port is out of range 0..65535: 65536",
        "port not a number|candidate:1 1 udp 1 10.0.0.1 http typ host|candidate port is not a number: 'http'",
        "bad foundation|candidate:a-b 1 udp 1 10.0.0.1 1000 typ host|candidate foundation must be 1 to 32 ice-chars (ALPHA / DIGIT / \"+\" / \"/\"): 'a-b'",
        "long foundation|candidate:123456789012345678901234567890123 1 udp 1 10.0.0.1 1000 typ host|candidate foundation must be 1 to 32 ice-chars (ALPHA / DIGIT / \"+\" / \"/\"): '123456789012345678901234567890123'",
        "bad address|candidate:1 1 udp 1 10.0.0.1/24 1000 typ host|candidate connection-address is not an IP address or host name: '10.0.0.1/24'",
        "bad rport|candidate:1 1 udp 1 10.0.0.1 1000 typ srflx raddr 1.2.3.4 rport x|candidate rport is not a number: 'x'",
        "dangling extension|candidate:1 1 udp 1 10.0.0.1 1000 typ host generation|candidate extension 'generation' has no value",
        "bad extension name|candidate:1 1 udp 1 10.0.0.1 1000 typ host gen@ 0|candidate extension name is not a token: 'gen@'",
        "bad type|candidate:1 1 udp 1 10.0.0.1 1000 typ ho@st|candidate type must be a token: 'ho@st'",
    })
    void badCandidates(String label, String text, String reason) {
        SdpParseException e = assertThrows(SdpParseException.class, () -> Candidate.parse(text), label);
        assertEquals(reason, e.reason(), label);
        assertEquals(0, e.lineNumber());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "candidate:", "a=candidate:", "candidate:1 1 udp 1 10.0.0.1 1000 typ host\tx 1"})
    void emptyOrControlCharacters(String text) {
        assertThrows(SdpParseException.class, () -> Candidate.parse(text));
    }

    @Test
    void tooLongOrTooManyExtensions() {
        StringBuilder sb = new StringBuilder("candidate:1 1 udp 1 10.0.0.1 1000 typ host");
        for (int i = 0; i <= Candidate.MAX_EXTENSIONS; i++) {
            sb.append(" e").append(i).append(" 1");
        }
        SdpParseException e = assertThrows(SdpParseException.class, () -> Candidate.parse(sb.toString()));
        assertEquals("more than 64 candidate extensions", e.reason());
        assertThrows(SdpParseException.class, () -> Candidate.parse("candidate:" + "1".repeat(5000)));
        assertThrows(IllegalArgumentException.class, () -> Candidate.parse(null));
    }

    @Test
    void constructorRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Candidate.of("", 1, "udp", 1, "10.0.0.1", 1, "host"));
        assertThrows(IllegalArgumentException.class, () -> Candidate.of("1", 1, "udp", -1, "10.0.0.1", 1, "host"));
        assertThrows(IllegalArgumentException.class, () -> Candidate.of("1", 1, "udp", 1, "10.0.0.1 x", 1, "host"));
        assertThrows(IllegalArgumentException.class, () -> Candidate.of("1", 1, "udp", 1, "10.0.0.1", -2, "host"));
        assertThrows(IllegalArgumentException.class, () -> new Candidate.Extension("a b", "1"));
        assertThrows(IllegalArgumentException.class, () -> new Candidate.Extension("a", ""));
    }
}
