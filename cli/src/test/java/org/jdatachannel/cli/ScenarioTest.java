package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The shared test vocabulary and the ICE address policy. */
class ScenarioTest {

    @Test
    void patternIsISevenMod251() {
        byte[] p = Scenario.pattern(600);
        assertEquals(0, p[0]);
        assertEquals(7, p[1]);
        assertEquals(1, p[36]);          // 252 mod 251
        assertEquals(0, p[251]);         // 1757 mod 251
        for (int i = 0; i < p.length; i++) {
            assertEquals((byte) ((i * 7) % 251), p[i], "byte " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> Scenario.pattern(-1));
    }

    @Test
    void echoMessagesAreTheAgreedOnes() {
        List<Scenario.Msg> m = Scenario.echoMessages();
        assertEquals(8, m.size());
        assertEquals(Scenario.Msg.text("a"), m.get(0));
        assertEquals(Scenario.Msg.text("h\u00e9llo w\u00f6rld \u2713"), m.get(1));
        assertEquals(0, m.get(2).length());
        assertFalse(m.get(2).binary());
        assertEquals(List.of(1, 1200, 16384, 65536, 262144), m.subList(3, 8).stream().map(Scenario.Msg::length).toList());
        assertTrue(m.subList(3, 8).stream().allMatch(Scenario.Msg::binary));
        assertEquals(17, m.get(1).length(), "UTF-8 length of the accented string");
    }

    @Test
    void iceAddressPolicy() throws Exception {
        IceAddresses def = IceAddresses.defaults();
        assertFalse(def.test(InetAddress.getByName("127.0.0.1")));
        assertFalse(def.test(InetAddress.getByName("::1")));
        assertFalse(def.test(InetAddress.getByName("fe80::1")));
        assertTrue(def.test(InetAddress.getByName("198.18.0.1")));

        IceAddresses only = IceAddresses.of(List.of("198.18.0.1"));
        assertTrue(only.test(InetAddress.getByName("198.18.0.1")));
        assertFalse(only.test(InetAddress.getByName("198.18.0.2")));

        assertTrue(IceAddresses.of(List.of("::1")).test(InetAddress.getByName("::1")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IceAddresses.of(List.of("example.com")));
        assertTrue(e.getMessage().contains("example.com"));
    }
}
