package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.TlsFatalAlert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The WebRTC DTLS 1.2 profile we enforce, in both roles: extended master secret required (RFC
 * 7627), secure renegotiation signalling required and renegotiation never done (RFC 5746), only
 * AEAD ECDHE cipher suites; readable failure reasons; close_notify; a new handshake attempted
 * after the connection is up is ignored.
 */
@Timeout(60)
class ProfileTest {

    private static final int EXTENDED_MASTER_SECRET = 23;
    private static final int RENEGOTIATION_INFO = 0xFF01;
    private static final int SCSV = CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV;

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dtls-profile-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private record Pair(Future<DtlsTransport> client, Future<DtlsTransport> server) {
    }

    /** Client on link end a (certificate EC_A), server on end b (EC_B), with knobs. */
    private Pair start(MemoryLink link, PeerSupport.Knobs clientKnobs, PeerSupport.Knobs serverKnobs) {
        Future<DtlsTransport> server = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, link.b,
                TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), 5_000, 200, serverKnobs));
        Future<DtlsTransport> client = pool.submit(() -> DtlsTransport.connect(DtlsRole.CLIENT, link.a,
                TestCerts.EC_A, TestCerts.fp(TestCerts.EC_B), 5_000, 200, clientKnobs));
        return new Pair(client, server);
    }

    private static DtlsException failure(Future<DtlsTransport> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        return assertInstanceOf(DtlsException.class, e.getCause());
    }

    private static PeerSupport.Knobs legacyNoEms() {
        return new PeerSupport.Knobs(0, null, false);
    }

    private static PeerSupport.Knobs suites(int... s) {
        return new PeerSupport.Knobs(0, s, true);
    }

    // ---- RFC 7627 extended master secret ----

    @Test
    void serverRefusesClientWithoutExtendedMasterSecret() {
        MemoryLink link = new MemoryLink();
        Pair p = start(link, legacyNoEms(), PeerSupport.Knobs.DEFAULT);
        DtlsException server = failure(p.server());
        assertEquals("handshake failed: " + PeerSupport.EMS_MISSING + " (we sent alert handshake_failure)",
                server.reason());
        assertEquals(40, server.alertDescription());
        assertFalse(server.alertFromPeer());
        assertTrue(server.getMessage().startsWith("dtls-server: "), server.getMessage());
        DtlsException client = failure(p.client());
        assertEquals(40, client.alertDescription());
        assertTrue(client.alertFromPeer());
        assertTrue(client.reason().startsWith("handshake failed: peer sent fatal alert handshake_failure: "),
                client.reason());
        // The legacy client really sent no extension (the test is not vacuous).
        assertFalse(Hello.parse(link.a.sent.get(0)).extensions().contains(EXTENDED_MASTER_SECRET));
    }

    @Test
    void clientRefusesServerWithoutExtendedMasterSecret() {
        MemoryLink link = new MemoryLink();
        Pair p = start(link, PeerSupport.Knobs.DEFAULT, legacyNoEms());
        DtlsException client = failure(p.client());
        assertEquals("handshake failed: " + PeerSupport.EMS_MISSING + " (we sent alert handshake_failure)",
                client.reason());
        assertFalse(client.alertFromPeer());
        DtlsException server = failure(p.server());
        assertTrue(server.alertFromPeer(), server.getMessage());
        assertEquals(40, server.alertDescription());
    }

    @Test
    void ourHellosCarryExtendedMasterSecretAndRenegotiationSignalling() throws Exception {
        MemoryLink link = new MemoryLink();
        Pair p = start(link, PeerSupport.Knobs.DEFAULT, PeerSupport.Knobs.DEFAULT);
        DtlsTransport c = p.client().get(20, TimeUnit.SECONDS);
        DtlsTransport s = p.server().get(20, TimeUnit.SECONDS);
        assertTrue(c.extendedMasterSecret() && s.extendedMasterSecret());

        Hello clientHello = Hello.parse(link.a.sent.get(0));
        assertEquals(1, clientHello.type());
        assertTrue(clientHello.extensions().contains(EXTENDED_MASTER_SECRET));
        assertTrue(clientHello.suites().contains(SCSV) || clientHello.extensions().contains(RENEGOTIATION_INFO));
        // Only AEAD ECDHE suites (and the signalling value) are offered.
        List<Integer> allowed = new ArrayList<>();
        for (int x : PeerSupport.ECDSA_SUITES) {
            allowed.add(x);
        }
        for (int x : PeerSupport.RSA_SUITES) {
            allowed.add(x);
        }
        allowed.add(SCSV);
        assertTrue(allowed.containsAll(clientHello.suites()), "offered " + clientHello.suites());

        Hello serverHello = Hello.parse(link.b.sent.get(0));
        assertEquals(2, serverHello.type());
        assertTrue(serverHello.extensions().contains(EXTENDED_MASTER_SECRET));
        assertTrue(serverHello.extensions().contains(RENEGOTIATION_INFO));
        assertEquals(List.of(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), serverHello.suites());
        c.close();
        s.close();
    }

    // ---- RFC 5746 secure renegotiation signalling ----

    @Test
    void serverRefusesClientWithoutRenegotiationInfoOrScsv() {
        MemoryLink link = new MemoryLink();
        // Our (Bouncy Castle) client always signals with the SCSV; the relay rewrites it into a
        // GREASE value (RFC 8701, ignored by servers) of the same size, so nothing else changes.
        AtomicBoolean rewritten = new AtomicBoolean();
        link.a.dropOutgoing = (i, d) -> {
            if (d[0] != 22 || d[13] != 1) {
                return false;
            }
            Hello h = Hello.parse(d);
            assertFalse(h.extensions().contains(RENEGOTIATION_INFO), "client sent renegotiation_info");
            byte[] copy = d.clone();
            for (int off = h.suitesOffset(); off < h.suitesOffset() + 2 * h.suites().size(); off += 2) {
                if ((copy[off] & 0xFF) == 0x00 && (copy[off + 1] & 0xFF) == 0xFF) {
                    copy[off] = 0x0A;
                    copy[off + 1] = 0x0A;
                    rewritten.set(true);
                }
            }
            link.b.inject(copy);
            return true;
        };
        Pair p = start(link, PeerSupport.Knobs.DEFAULT, PeerSupport.Knobs.DEFAULT);
        DtlsException server = failure(p.server());
        assertTrue(rewritten.get());
        assertTrue(server.reason().contains("does not signal secure renegotiation (RFC 5746"), server.reason());
        assertEquals(40, server.alertDescription());
        DtlsException client = failure(p.client());
        assertEquals(40, client.alertDescription());
        assertTrue(client.alertFromPeer());
    }

    /**
     * The client side of RFC 5746 §3.4: a ServerHello without renegotiation_info makes our client
     * abort. Bouncy Castle's server always sends it, so this calls the hook it uses directly.
     */
    @Test
    void clientRefusesServerWithoutRenegotiationInfo() throws Exception {
        PeerSupport support = new PeerSupport(JdkTlsCrypto.create(), TestCerts.EC_A, List.of(), 1000, 1000, "t");
        WebRtcDtlsClient client = new WebRtcDtlsClient(support, 0, null);
        TlsFatalAlert e = assertThrows(TlsFatalAlert.class, () -> client.notifySecureRenegotiation(false));
        assertEquals(40, e.getAlertDescription());
        assertTrue(support.rejectReason.contains("secure renegotiation"), support.rejectReason);
        client.notifySecureRenegotiation(true);
        assertEquals(PeerSupport.RENEGOTIATION_POLICY, client.getRenegotiationPolicy());
        assertTrue(client.requiresExtendedMasterSecret() && client.shouldUseExtendedMasterSecret());
        WebRtcDtlsServer server = new WebRtcDtlsServer(support);
        assertThrows(TlsFatalAlert.class, () -> server.notifySecureRenegotiation(false));
        assertTrue(server.requiresExtendedMasterSecret());
    }

    // ---- cipher suites: AEAD ECDHE only ----

    @Test
    void serverRefusesClientOfferingOnlyCbcOrNonEcdheSuites() {
        int[][] offers = {
            {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA},
            {CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256},
            {CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256},
            {CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256},
        };
        for (int[] offer : offers) {
            MemoryLink link = new MemoryLink();
            Pair p = start(link, suites(offer), PeerSupport.Knobs.DEFAULT);
            DtlsException server = failure(p.server());
            assertTrue(server.reason().startsWith("handshake failed: no common cipher suite: the peer offered [0x"),
                    server.reason());
            assertTrue(server.reason().contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), server.reason());
            assertEquals(40, server.alertDescription());
            DtlsException client = failure(p.client());
            assertEquals(40, client.alertDescription());
            assertTrue(client.alertFromPeer());
            // What the client offered is what the test meant (plus the renegotiation SCSV).
            List<Integer> sent = new ArrayList<>(Hello.parse(link.a.sent.get(0)).suites());
            sent.remove(Integer.valueOf(SCSV));
            assertEquals(Arrays.stream(offer).boxed().toList(), sent);
        }
    }

    @Test
    void rsaServerRefusesEcdsaOnlyOfferWithAReason() throws Exception {
        DtlsCertificate rsa = TestCerts.rsa();
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> server = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, link.b, rsa,
                TestCerts.fp(TestCerts.EC_A), 5_000, 200, PeerSupport.Knobs.DEFAULT));
        Future<DtlsTransport> client = pool.submit(() -> DtlsTransport.connect(DtlsRole.CLIENT, link.a,
                TestCerts.EC_A, TestCerts.fp(rsa), 5_000, 200, suites(PeerSupport.ECDSA_SUITES)));
        DtlsException e = failure(server);
        assertTrue(e.reason().contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), e.reason());
        failure(client);
    }

    // ---- readable reasons ----

    @Test
    void reasonsAreReadable() throws Exception {
        MemoryLink link = new MemoryLink();
        DtlsException timeout = assertThrows(DtlsException.class, () -> DtlsTransport.connect(DtlsRole.CLIENT,
                link.a, TestCerts.EC_A, TestCerts.fp(TestCerts.EC_B), 300, 100, PeerSupport.Knobs.DEFAULT));
        assertEquals("handshake timed out after 300 ms", timeout.reason());
        assertEquals("dtls-client: handshake timed out after 300 ms", timeout.getMessage());
        assertEquals(DtlsException.NO_ALERT, timeout.alertDescription());

        MemoryLink link2 = new MemoryLink();
        Future<DtlsTransport> server = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, link2.b,
                TestCerts.EC_B, TestCerts.fp(TestCerts.EC_B) /* wrong */, 5_000, 200, PeerSupport.Knobs.DEFAULT));
        Future<DtlsTransport> client = pool.submit(() -> DtlsTransport.connect(DtlsRole.CLIENT, link2.a,
                TestCerts.EC_A, TestCerts.fp(TestCerts.EC_B), 5_000, 200, PeerSupport.Knobs.DEFAULT));
        DtlsException mismatch = failure(server);
        assertTrue(mismatch.reason().startsWith("handshake failed: peer certificate fingerprint mismatch: sha-256 "
                + "expected " + TestCerts.EC_B.sha256Fingerprint()), mismatch.reason());
        assertTrue(mismatch.reason().endsWith("(we sent alert bad_certificate)"), mismatch.reason());
        DtlsException rejected = failure(client);
        assertEquals("handshake failed: peer sent fatal alert bad_certificate: the peer rejected our certificate",
                rejected.reason());

        assertEquals("close_notify: the peer closed the connection", DtlsException.describeAlert(0, true));
        assertEquals("decrypt_error: we could not verify a signature or the Finished message (different keys "
                + "or transcript)", DtlsException.describeAlert(51, false));
        assertEquals("protocol_version: the peer does not support the offered protocol version (we speak DTLS "
                + "1.2 only)", DtlsException.describeAlert(70, true));
        assertTrue(DtlsException.describeAlert(10, true).startsWith("unexpected_message: "));
        assertTrue(DtlsException.describeAlert(40, true).startsWith("handshake_failure: "));
        assertEquals("alert 201", DtlsException.describeAlert(201, true));
        for (int a = 0; a < 256; a++) {
            assertFalse(DtlsException.describeAlert(a, a % 2 == 0).isEmpty());
        }
        // Exceptions built by callers keep their message as the reason.
        assertEquals("x", new DtlsException("x", null).reason());
    }

    // ---- close_notify ----

    @Test
    void closeSendsCloseNotifyAndThePeerReportsIt() throws Exception {
        for (boolean clientCloses : new boolean[] {true, false}) {
            MemoryLink link = new MemoryLink();
            Pair p = start(link, PeerSupport.Knobs.DEFAULT, PeerSupport.Knobs.DEFAULT);
            DtlsTransport c = p.client().get(20, TimeUnit.SECONDS);
            DtlsTransport s = p.server().get(20, TimeUnit.SECONDS);
            DtlsTransport closer = clientCloses ? c : s;
            DtlsTransport other = clientCloses ? s : c;
            MemoryLink.End closerEnd = clientCloses ? link.a : link.b;
            int before = closerEnd.sent.size();
            closer.close();
            // One encrypted alert record (content type 21, epoch 1).
            assertEquals(before + 1, closerEnd.sent.size());
            byte[] alert = closerEnd.sent.get(before);
            assertEquals(21, alert[0]);
            assertEquals(1, ((alert[3] & 0xFF) << 8) | (alert[4] & 0xFF));
            DtlsException e = assertThrows(DtlsException.class, () -> other.receive(new byte[64], 0, 64, 5000));
            assertTrue(e.isCloseNotify());
            assertEquals("peer closed the connection (close_notify)", e.reason());
            other.close();
        }
    }

    // ---- no renegotiation: a new handshake after the connection is up is ignored ----

    /**
     * RFC 5746 / RFC 8842: we never renegotiate, and a certificate change mid-session must not be
     * accepted. After the handshake, a fresh client with another certificate starts a new epoch-0
     * handshake from the peer's address: both our ends ignore its ClientHello (and its
     * retransmissions), answer nothing, keep the peer certificate, and data still flows.
     */
    @Test
    void clientHelloAfterTheHandshakeIsIgnored() throws Exception {
        MemoryLink link = new MemoryLink();
        Pair p = start(link, PeerSupport.Knobs.DEFAULT, PeerSupport.Knobs.DEFAULT);
        DtlsTransport c = p.client().get(20, TimeUnit.SECONDS);
        DtlsTransport s = p.server().get(20, TimeUnit.SECONDS);
        byte[] serverPeerBefore = s.peerCertificate().getEncoded();
        byte[] clientPeerBefore = c.peerCertificate().getEncoded();
        Future<Integer> serverReader = pool.submit(() -> s.receive(new byte[64], 0, 64, 3_000));
        Future<Integer> clientReader = pool.submit(() -> c.receive(new byte[64], 0, 64, 3_000));

        DtlsCertificate other = DtlsCertificate.generate();
        MemoryLink intruderLink = new MemoryLink();
        List<byte[]> intruderHellos = new java.util.concurrent.CopyOnWriteArrayList<>();
        intruderLink.a.dropOutgoing = (i, d) -> {
            intruderHellos.add(d);
            link.b.inject(d); // to our server, as if from the peer's address
            link.a.inject(d); // and to our client
            return true;
        };
        int serverSentBefore = link.b.sent.size();
        int clientSentBefore = link.a.sent.size();
        DtlsException intruder = assertThrows(DtlsException.class, () -> DtlsTransport.connect(DtlsRole.CLIENT,
                intruderLink.a, other, Map.of("sha-256", TestCerts.EC_B.fingerprint("sha-256")), 1_500, 100,
                PeerSupport.Knobs.DEFAULT));
        assertTrue(intruder.reason().contains("timed out"), intruder.reason());
        assertTrue(intruderHellos.size() >= 2, "ClientHello sent and retransmitted: " + intruderHellos.size());
        assertEquals(1, intruderHellos.get(0)[13], "a ClientHello");

        // Nothing answered, nothing delivered, nothing changed.
        assertEquals(-1, serverReader.get(10, TimeUnit.SECONDS));
        assertEquals(-1, clientReader.get(10, TimeUnit.SECONDS));
        assertEquals(serverSentBefore, link.b.sent.size(), "the server answered the new ClientHello");
        assertEquals(clientSentBefore, link.a.sent.size(), "the client answered the new ClientHello");
        assertArrayEquals(serverPeerBefore, s.peerCertificate().getEncoded());
        assertArrayEquals(clientPeerBefore, c.peerCertificate().getEncoded());

        byte[] buf = new byte[64];
        c.send(new byte[] {1, 2, 3}, 0, 3);
        assertEquals(3, s.receive(buf, 0, buf.length, 5000));
        s.send(new byte[] {4, 5}, 0, 2);
        assertEquals(2, c.receive(buf, 0, buf.length, 5000));

        // Once application data has flowed, Bouncy Castle forgets the handshake epoch entirely
        // (DTLSRecordLayer drops its retransmission state): the same ClientHellos again are
        // still ignored.
        int serverSent = link.b.sent.size();
        int clientSent = link.a.sent.size();
        for (byte[] d : intruderHellos) {
            link.b.inject(d);
            link.a.inject(d);
        }
        assertEquals(-1, s.receive(buf, 0, buf.length, 300));
        assertEquals(-1, c.receive(buf, 0, buf.length, 300));
        assertEquals(serverSent, link.b.sent.size());
        assertEquals(clientSent, link.a.sent.size());
        c.send(new byte[] {6}, 0, 1);
        assertEquals(1, s.receive(buf, 0, buf.length, 5000));
        assertArrayEquals(serverPeerBefore, s.peerCertificate().getEncoded());
        c.close();
        s.close();
    }

    /** A ClientHello or ServerHello that fits one record, decoded far enough for these tests. */
    record Hello(int type, List<Integer> suites, int suitesOffset, List<Integer> extensions) {
        static Hello parse(byte[] d) {
            // 13-byte DTLS record header, 12-byte handshake header (RFC 6347 §4.1, §4.2.2).
            int type = d[13] & 0xFF;
            int p = 25 + 2 + 32; // version, random
            int sessionIdLength = d[p] & 0xFF;
            p += 1 + sessionIdLength;
            List<Integer> suites = new ArrayList<>();
            int suitesOffset;
            if (type == 1) {
                p += 1 + (d[p] & 0xFF); // cookie
                int n = u16(d, p);
                p += 2;
                suitesOffset = p;
                for (int i = 0; i < n; i += 2) {
                    suites.add(u16(d, p + i));
                }
                p += n;
                p += 1 + (d[p] & 0xFF); // compression methods
            } else {
                suitesOffset = p;
                suites.add(u16(d, p));
                p += 3; // cipher suite, compression method
            }
            List<Integer> ext = new ArrayList<>();
            int end = p + 2 + u16(d, p);
            p += 2;
            while (p + 4 <= end) {
                ext.add(u16(d, p));
                p += 4 + u16(d, p + 2);
            }
            return new Hello(type, suites, suitesOffset, ext);
        }

        private static int u16(byte[] d, int p) {
            return ((d[p] & 0xFF) << 8) | (d[p + 1] & 0xFF);
        }
    }
}
