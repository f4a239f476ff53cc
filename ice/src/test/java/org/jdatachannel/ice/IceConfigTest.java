package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IceConfigTest {
    @Test
    void defaults() {
        IceConfig c = IceConfig.builder().addressFilter(IceConfig.LOOPBACK_ONLY).build();
        assertFalse(c.controlling());
        assertTrue(c.consentFreshness());
        assertEquals(0, c.minPort());
        assertEquals(0, c.maxPort());
        assertEquals(1024, c.receiveQueueCapacity());
        assertEquals(List.of(), c.iceServers());
    }

    @Test
    void rejectsBadValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IceConfig.builder().build());
        assertTrue(e.getMessage().contains("addressFilter"));
        IceConfig.Builder b = IceConfig.builder().addressFilter(a -> true);
        assertThrows(IllegalArgumentException.class, () -> b.portRange(10, 5).build());
        assertThrows(IllegalArgumentException.class, () -> b.portRange(0, 5).build());
        assertThrows(IllegalArgumentException.class, () -> b.portRange(1, 70000).build());
        b.portRange(0, 0);
        assertThrows(IllegalArgumentException.class, () -> b.receiveQueueCapacity(0).build());
        b.receiveQueueCapacity(10);
        assertThrows(IllegalArgumentException.class, () -> b.iceServers(List.of("stun:stun.example.org")).build());
    }

    @Test
    void candidateValidationAndToString() {
        IceCandidate c = new IceCandidate("f1", 1, "udp", 2130706431L, "198.18.0.2", 5000, "srflx", "10.0.0.1", 6000);
        assertEquals("candidate:f1 1 udp 2130706431 198.18.0.2 5000 typ srflx raddr 10.0.0.1 rport 6000", c.toString());
        assertFalse(c.isMdns());
        assertEquals("host", new IceCandidate("1", 1, "UDP", 1, "x", 1, "HOST", null, -1).type());
        assertTrue(IceCandidate.host("1", 1, "abc.LOCAL", 9).isMdns());
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.host("1", 1, "x", 70000));
        assertThrows(IllegalArgumentException.class,
                () -> new IceCandidate("1", 1, "udp", 1, "x", 1, "bogus", null, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new IceCandidate("1", 0, "udp", 1, "x", 1, "host", null, -1));
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.host("", 1, "x", 1));
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.host("1", -1, "x", 1));
    }
}
