package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.jdatachannel.ice.IceAgent;
import org.junit.jupiter.api.Test;

/**
 * {@link PathMtu}: MAX_PLPMTU of RFC 8899 from DTLS's send limit and the local interface MTU minus the
 * IP, UDP, DTLS and TURN overheads, with the {@code sctpMaxPacketSize} knob on top.
 */
class PathMtuTest {

    @Test
    void theRuleSubtractsEveryHeaderAndKeepsDtlsLimit() {
        int gcm = PathMtu.dtlsExpansion("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assertEquals(37, gcm);
        assertEquals(29, PathMtu.dtlsExpansion("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
        assertEquals(37, PathMtu.dtlsExpansion(null), "unknown: the worst case of our suites");
        // loopback (MTU 65536): DTLS's 2^14 plaintext limit decides
        assertEquals(16384, PathMtu.maxPlpmtu(16384, 65536, false, gcm));
        // Ethernet 1500 over IPv4: 1500 - 20 - 8 - 37 = 1435, an SCTP packet being a multiple of 4
        // bytes: 1432; over IPv6 (- 40): 1415 -> 1412; ChaCha20-Poly1305: 1443 -> 1440
        assertEquals(1432, PathMtu.maxPlpmtu(16384, 1500, false, gcm));
        assertEquals(1412, PathMtu.maxPlpmtu(16384, 1500, true, gcm));
        assertEquals(1440, PathMtu.maxPlpmtu(16384, 1500, false, 29));
        // no room above the base size, or a limit unknown: off
        assertEquals(0, PathMtu.maxPlpmtu(16384, 1256, false, gcm), "1256 - 65 = 1191 is the base itself");
        assertEquals(1192, PathMtu.maxPlpmtu(16384, 1257, false, gcm));
        assertEquals(1192, PathMtu.maxPlpmtu(16384, 1260, false, gcm), "1195 rounds down to 1192");
        assertEquals(0, PathMtu.maxPlpmtu(16384, -1, false, gcm));
        assertEquals(0, PathMtu.maxPlpmtu(0, 65536, false, gcm));
        assertEquals(0, PathMtu.maxPlpmtu(1100, 65536, false, gcm));
        // never above what the sctp module accepts
        assertEquals(65532, PathMtu.maxPlpmtu(1 << 20, 1 << 20, false, gcm), "65535 as a multiple of 4");
    }

    @Test
    void theKnobCapsOrTurnsItOff() {
        assertEquals(2048, PathMtu.apply(0, 16384), "0: automatic, at most BROWSER_SAFE");
        assertEquals(16384, PathMtu.apply(16384, 16384), "an explicit maximum lifts the cap");
        assertEquals(0, PathMtu.apply(1191, 16384), "1191: no discovery");
        assertEquals(9000, PathMtu.apply(9000, 16384), "a cap");
        assertEquals(1432, PathMtu.apply(9000, 1432), "never above the rule");
        assertEquals(4000, PathMtu.apply(4003, 16384), "a multiple of 4");
        assertEquals(1192, PathMtu.apply(1193, 16384), "rounded down to a multiple of 4");
        assertEquals(0, PathMtu.apply(9000, 0), "the rule knows nothing: off");
        assertEquals(1192, PathMtu.apply(1192, 16384));
    }

    @Test
    void anAutomaticValueStaysBrowserSafeOnEveryPath() {
        // a 9000-byte (jumbo frame) interface: at most 2048 automatically, since libwebrtc fails its
        // DTLS transport on a larger record; loopback (65536) likewise, since libwebrtc can use it
        int jumbo = PathMtu.maxPlpmtu(16384, 9000, false, 37);
        assertEquals(8932, jumbo);
        assertEquals(2048, PathMtu.apply(0, jumbo));
        assertEquals(2048, PathMtu.apply(0, PathMtu.maxPlpmtu(16384, 65536, false, 37)), "loopback too");
        assertEquals(8932, PathMtu.apply(9000, jumbo), "an explicit sctpMaxPacketSize lifts the cap");
        assertEquals(4000, PathMtu.apply(4000, jumbo));
        assertEquals(1432, PathMtu.apply(0, 1432), "Ethernet: below the cap");
        assertEquals(0, PathMtu.apply(1191, jumbo));
    }

    @Test
    void aLoopbackPathGetsTheCapOrTheDtlsLimitAndUnknownInterfacesTurnItOff() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        int mtu = PathMtu.interfaceMtu(lo);
        assertTrue(mtu > 0, "loopback interface MTU " + mtu);
        assertEquals(mtu, PathMtu.interfaceMtu(lo), "cached");
        IceAgent.DataPathInfo path = new IceAgent.DataPathInfo(new InetSocketAddress(lo, 4000), false,
                new InetSocketAddress(lo, 5000));
        String suite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        assertEquals(PathMtu.BROWSER_SAFE, PathMtu.forPath(path, 16384, suite, 0), "automatic: capped");
        assertEquals(PathMtu.maxPlpmtu(16384, mtu, false, 37), PathMtu.forPath(path, 16384, suite, 65535));
        assertEquals(0, PathMtu.forPath(path, 16384, suite, 1191));
        assertEquals(0, PathMtu.forPath(null, 16384, suite, 0), "no path yet: off");
        // an address no interface holds (TEST-NET-1, RFC 5737): unknown, off
        InetAddress none = InetAddress.getByName("192.0.2.1");
        assertEquals(-1, PathMtu.interfaceMtu(none));
        assertEquals(0, PathMtu.forPath(new IceAgent.DataPathInfo(new InetSocketAddress(none, 4000), false,
                new InetSocketAddress(lo, 5000)), 16384, suite, 0));
    }

    @Test
    void aRelayedPathGetsNoDiscovery() throws Exception {
        // ice4j reads relayed datagrams into 1500 bytes and the TURN framing may change under us
        // (ChannelData 4 bytes, Send indication 63/75 with ice4j's SOFTWARE and FINGERPRINT): off
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        IceAgent.DataPathInfo relayed = new IceAgent.DataPathInfo(new InetSocketAddress(lo, 4000), true,
                new InetSocketAddress(lo, 5000));
        String suite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        assertEquals(0, PathMtu.forPath(relayed, 16384, suite, 0), "automatic");
        assertEquals(0, PathMtu.forPath(relayed, 16384, suite, 9000), "explicit");
        IceAgent.DataPathInfo direct = new IceAgent.DataPathInfo(new InetSocketAddress(lo, 4000), false,
                new InetSocketAddress(lo, 5000));
        assertEquals(PathMtu.BROWSER_SAFE, PathMtu.forPath(direct, 16384, suite, 0), "the same sockets, not relayed");
    }

    @Test
    void theInterfaceMtuIceListedIsUsedWithoutALookup() throws Exception {
        // the path says 1500 (as ICE listed it while gathering) though 127.0.0.1's interface has a
        // larger MTU: 1500 - 20 - 8 - 37 = 1435 -> 1432
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        IceAgent.DataPathInfo listed = new IceAgent.DataPathInfo(new InetSocketAddress(lo, 4000), false,
                new InetSocketAddress(lo, 5000), 1500);
        String suite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        assertEquals(1432, PathMtu.forPath(listed, 16384, suite, 0));
        assertEquals(1432, PathMtu.forPath(listed, 16384, suite, 9000));
        // unknown there (-1): looked up (the loopback interface: the automatic cap)
        assertEquals(PathMtu.BROWSER_SAFE, PathMtu.forPath(new IceAgent.DataPathInfo(new InetSocketAddress(lo, 4000),
                false, new InetSocketAddress(lo, 5000), -1), 16384, suite, 0));
    }

    @Test
    void sizingNeverThrowsAndAFailureMeansUnknownAndOff() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        IceAgent.DataPathInfo direct = new IceAgent.DataPathInfo(new InetSocketAddress(lo, 4000), false,
                new InetSocketAddress(lo, 5000));
        String suite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        assertEquals(new PathMtu.Sizing(direct, PathMtu.BROWSER_SAFE), PathMtu.size("t", () -> direct, 16384, suite, 0));
        assertEquals(new PathMtu.Sizing(null, 0), PathMtu.size("t", () -> null, 16384, suite, 0), "no path: off");
        assertEquals(new PathMtu.Sizing(null, 0), PathMtu.size("t", () -> {
            throw new IllegalStateException("ice4j internals");
        }, 16384, suite, 0), "finding the path failed: unknown, off");
        // an unresolved local address (getAddress() null): the interface MTU is unknown, off
        IceAgent.DataPathInfo unresolved = new IceAgent.DataPathInfo(InetSocketAddress.createUnresolved("x.invalid", 4000),
                false, new InetSocketAddress(lo, 5000));
        assertEquals(new PathMtu.Sizing(unresolved, 0), PathMtu.size("t", () -> unresolved, 16384, suite, 0));
    }
}
