package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our DTLS 1.2 server against ClientHellos captured from Chromium 156 and Firefox ESR 153 (see
 * {@code src/test/resources/org/jdatachannel/dtls/clienthello/README.md}): each browser offers DTLS
 * 1.3 and 1.2 with an X25519MLKEM768 key share, so its ClientHello (about 1.4 KB) comes in two
 * fragments, and it retransmitted it while we were not yet listening. Replayed in the captured
 * order, reversed, duplicated, shuffled, and interleaved with CVE-2026-59646 junk, the server must
 * answer with a DTLS 1.2 ServerHello choosing our suite and x25519, without a HelloVerifyRequest.
 *
 * <p>The browsers' private keys are gone, so the handshake cannot be completed from these bytes;
 * completion is shown live by cli's ChromiumInteropTest and FirefoxInteropTest.
 */
@Timeout(60)
class CapturedClientHelloTest {

    private static final String DIR = "clienthello/";
    private static final int X25519MLKEM768 = 0x11EC;
    private static final int X25519 = 0x001D;

    /** The captured datagrams of one browser, in capture order. */
    static List<byte[]> captured(String browser) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (int i = 1; ; i++) {
            try (InputStream in = CapturedClientHelloTest.class.getResourceAsStream(DIR + browser + "-" + i + ".bin")) {
                if (in == null) {
                    break;
                }
                out.add(in.readAllBytes());
            }
        }
        assertTrue(out.size() >= 2, "fixtures for " + browser);
        return out;
    }

    static List<String> browsers() {
        return List.of("chromium-156", "firefox-esr-153");
    }

    /** Reassembles the ClientHello body from (one copy of) its fragments; checks the fragments agree. */
    static byte[] reassemble(List<byte[]> datagrams) {
        byte[] body = null;
        boolean[] have = null;
        for (byte[] d : datagrams) {
            assertEquals(null, DtlsRecordFilter.check(d, 0, d.length), "the filter passes a browser's ClientHello");
            int pos = 0;
            while (pos + RecordHeader.LENGTH <= d.length) {
                RecordHeader r = RecordHeader.parse(d, pos);
                HandshakeHeader h = HandshakeHeader.parse(d, pos + RecordHeader.LENGTH);
                assertEquals(22, r.contentType());
                assertEquals(1, h.msgType(), "ClientHello");
                assertEquals(0, r.epoch());
                if (body == null) {
                    body = new byte[h.length()];
                    have = new boolean[h.length()];
                }
                assertEquals(body.length, h.length(), "all fragments claim the same length");
                int src = pos + RecordHeader.LENGTH + HandshakeHeader.LENGTH;
                for (int i = 0; i < h.fragmentLength(); i++) {
                    byte b = d[src + i];
                    if (have[h.fragmentOffset() + i]) {
                        assertEquals(body[h.fragmentOffset() + i], b, "retransmissions carry the same bytes");
                    }
                    body[h.fragmentOffset() + i] = b;
                    have[h.fragmentOffset() + i] = true;
                }
                pos += RecordHeader.LENGTH + r.length();
            }
        }
        for (boolean h : have) {
            assertTrue(h, "the fragments cover the whole ClientHello");
        }
        return body;
    }

    /** ClientHello extensions (RFC 8446 §4.1.2 layout, DTLS adds the cookie): type → data. */
    static Map<Integer, byte[]> extensions(byte[] hello) {
        int pos = 2 + 32;
        pos += 1 + (hello[pos] & 0xFF); // legacy_session_id
        pos += 1 + (hello[pos] & 0xFF); // legacy_cookie (DTLS)
        pos += 2 + BrowserClientHelloTest.u16(hello, pos); // cipher_suites
        pos += 1 + (hello[pos] & 0xFF); // compression methods
        int end = pos + 2 + BrowserClientHelloTest.u16(hello, pos);
        assertEquals(hello.length, end, "extensions end the message");
        pos += 2;
        Map<Integer, byte[]> out = new HashMap<>();
        while (pos < end) {
            int type = BrowserClientHelloTest.u16(hello, pos);
            int len = BrowserClientHelloTest.u16(hello, pos + 2);
            out.put(type, java.util.Arrays.copyOfRange(hello, pos + 4, pos + 4 + len));
            pos += 4 + len;
        }
        return out;
    }

    /** The fixtures are what the test claims: DTLS 1.3 offered, a PQ key share, two fragments. */
    @ParameterizedTest
    @MethodSource("browsers")
    void fixturesAreFragmentedDtls13HellosWithAPostQuantumKeyShare(String browser) throws Exception {
        List<byte[]> datagrams = captured(browser);
        byte[] hello = reassemble(datagrams);
        assertTrue(hello.length > DtlsTransport.HANDSHAKE_MTU, browser + " ClientHello of " + hello.length + " bytes");
        assertTrue(hello.length < DtlsRecordFilter.MAX_HANDSHAKE_MESSAGE_LENGTH);
        assertEquals(0xFEFD, BrowserClientHelloTest.u16(hello, 0), "legacy_version DTLS 1.2");
        Map<Integer, byte[]> ext = extensions(hello);
        byte[] versions = ext.get(43);
        assertNotNull(versions, "supported_versions");
        List<Integer> v = new ArrayList<>();
        for (int i = 1; i + 1 < versions.length; i += 2) {
            v.add(BrowserClientHelloTest.u16(versions, i));
        }
        assertTrue(v.contains(0xFEFC) && v.contains(0xFEFD), "offers DTLS 1.3 and 1.2: " + v);
        byte[] keyShare = ext.get(51);
        assertNotNull(keyShare, "key_share");
        assertEquals(X25519MLKEM768, BrowserClientHelloTest.u16(keyShare, 2), "first share is X25519MLKEM768");
        assertEquals(1216, BrowserClientHelloTest.u16(keyShare, 4), "ML-KEM-768 encapsulation key + x25519 share");
        assertNotNull(ext.get(23), "extended_master_secret");
        assertNotNull(ext.get(0xFF01), "renegotiation_info");
        assertNotNull(ext.get(14), "use_srtp");
        byte[] groups = ext.get(10);
        boolean x25519 = false;
        for (int i = 2; i + 1 < groups.length; i += 2) {
            x25519 |= BrowserClientHelloTest.u16(groups, i) == X25519;
        }
        assertTrue(x25519, "x25519 in supported_groups");
    }

    enum Replay { IN_ORDER, REVERSED, DUPLICATED, SHUFFLED, WITH_CVE_JUNK }

    static List<Arguments> replays() {
        List<Arguments> out = new ArrayList<>();
        for (String b : browsers()) {
            for (Replay r : Replay.values()) {
                out.add(Arguments.of(b, r));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("replays")
    void serverAnswersWithDtls12(String browser, Replay replay) throws Exception {
        List<byte[]> datagrams = new ArrayList<>(captured(browser));
        long seed = System.nanoTime();
        switch (replay) {
            case IN_ORDER -> { }
            case REVERSED -> Collections.reverse(datagrams);
            case DUPLICATED -> {
                List<byte[]> twice = new ArrayList<>();
                for (byte[] d : datagrams) {
                    twice.add(d);
                    twice.add(d);
                }
                datagrams = twice;
            }
            case SHUFFLED -> {
                System.out.println("serverAnswersWithDtls12 " + browser + " shuffle seed=" + seed);
                Collections.shuffle(datagrams, new Random(seed));
            }
            case WITH_CVE_JUNK -> {
                List<byte[]> mixed = new ArrayList<>(CveHeapGuardTest.hostileDatagrams(0));
                int step = Math.max(1, mixed.size() / datagrams.size());
                for (int i = 0; i < datagrams.size(); i++) {
                    mixed.add(Math.min(mixed.size(), i * (step + 1)), datagrams.get(i));
                }
                datagrams = mixed;
            }
        }
        MemoryLink link = new MemoryLink();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<DtlsTransport> server = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, link.b,
                    TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), 10_000, 1000, 0));
            for (byte[] d : datagrams) {
                link.a.send(d, 0, d.length);
            }
            BrowserClientHelloTest.assertDtls12Flight(BrowserClientHelloTest.awaitServerFlight(link.a));

            // End it as the browser would, with a fatal handshake_failure alert (record sequence
            // number above the captured ones, or Bouncy Castle's replay window discards it).
            byte[] alert = DtlsRecordFilterTest.record(21, 0, new byte[] {2, 40});
            alert[10] = 100;
            link.a.send(alert, 0, alert.length);
            ExecutionException e = assertThrows(ExecutionException.class, () -> server.get(10, TimeUnit.SECONDS));
            DtlsException d = assertInstanceOf(DtlsException.class, e.getCause());
            assertEquals(40, d.alertDescription(), d.getMessage());
        } finally {
            pool.shutdownNow();
        }
    }

    /** A ClientHello with a fragment missing gets no answer; the rest arriving later completes it. */
    @Test
    void missingFragmentIsAwaited() throws Exception {
        List<byte[]> datagrams = captured("chromium-156");
        MemoryLink link = new MemoryLink();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<DtlsTransport> server = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, link.b,
                    TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), 10_000, 1000, 0));
            link.a.send(datagrams.get(0), 0, datagrams.get(0).length);
            byte[] buf = new byte[DtlsTransport.MAX_DATAGRAM_SIZE];
            assertEquals(-1, link.a.receive(buf, 0, buf.length, 300), "no answer to half a ClientHello");
            link.a.send(datagrams.get(1), 0, datagrams.get(1).length);
            BrowserClientHelloTest.assertDtls12Flight(BrowserClientHelloTest.awaitServerFlight(link.a));
            byte[] alert = DtlsRecordFilterTest.record(21, 0, new byte[] {2, 40});
            alert[10] = 100;
            link.a.send(alert, 0, alert.length);
            assertThrows(ExecutionException.class, () -> server.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }
}
