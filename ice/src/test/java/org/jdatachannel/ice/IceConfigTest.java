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
        assertFalse(c.relayOnly());
        assertEquals(30_000, c.consentTimeoutMs(), "RFC 7675 §5.1: consent expires after 30 seconds");
        assertEquals(8_000, c.disconnectedTimeoutMs());
        assertEquals(5_000, c.gatheringTimeoutMs());
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
        IceServer stun = IceServer.stun("stun:stun.example.org");
        assertEquals(List.of(stun), b.iceServers(List.of(stun)).build().iceServers());
        List<IceServer> many = java.util.Collections.nCopies(IceConfig.MAX_ICE_SERVERS + 1, stun);
        assertThrows(IllegalArgumentException.class, () -> b.iceServers(many).build());
        b.iceServers(List.of());
        assertThrows(IllegalArgumentException.class, () -> b.consentTimeoutMs(999).build());
        assertThrows(IllegalArgumentException.class, () -> b.consentTimeoutMs(3_600_001).build());
        b.consentTimeoutMs(5000);
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                () -> b.disconnectedTimeoutMs(5001).build());
        assertTrue(d.getMessage().contains("disconnectedTimeoutMs"), d.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.disconnectedTimeoutMs(99).build());
        b.disconnectedTimeoutMs(5000);
        assertThrows(IllegalArgumentException.class, () -> b.gatheringTimeoutMs(99).build());
        assertThrows(IllegalArgumentException.class, () -> b.gatheringTimeoutMs(60_001).build());
        IceConfig ok = b.gatheringTimeoutMs(100).relayOnly(true).build();
        assertTrue(ok.relayOnly());
        assertEquals(5000, ok.disconnectedTimeoutMs());
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
