package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our DTLS 1.2 server against the kind of ClientHello Chromium (≥ ~141) and Firefox send: DTLS 1.3
 * and 1.2 in supported_versions, TLS 1.3 cipher suites, an X25519MLKEM768 key share that makes the
 * message ~1.5 KB, fragmented over three datagrams (RFC 6347 §4.2.3 / RFC 9147 §5.5). The server
 * must reassemble it and answer with a DTLS 1.2 ServerHello choosing an ECDHE_ECDSA suite and a
 * group it implements.
 */
@Timeout(20)
class BrowserClientHelloTest {

    private static final int X25519MLKEM768 = 0x11EC;

    static byte[] browserLikeClientHello(Random rnd) {
        return browserLikeClientHello(rnd, 0x4A4A, X25519MLKEM768, 0x001D, 0x0017, 0x0018);
    }

    static byte[] browserLikeClientHello(Random rnd, int... groups) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        u16(b, 0xFEFD); // legacy_version DTLS 1.2
        byte[] random = new byte[32];
        rnd.nextBytes(random);
        b.writeBytes(random);
        b.write(0); // legacy_session_id
        b.write(0); // legacy_cookie
        int[] suites = {0x3A3A /* GREASE */, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8};
        u16(b, suites.length * 2);
        for (int s : suites) {
            u16(b, s);
        }
        b.write(1);
        b.write(0); // null compression

        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        extension(ext, 0x2A2A, new byte[] {0}); // GREASE
        extension(ext, 0x0017, new byte[0]); // extended_master_secret
        extension(ext, 0xFF01, new byte[] {0}); // renegotiation_info, empty
        extension(ext, 0x000A, list16(groups)); // supported_groups
        extension(ext, 0x000B, new byte[] {1, 0}); // ec_point_formats: uncompressed
        extension(ext, 0x000D, list16(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601));
        extension(ext, 0x000E, new byte[] {0, 4, 0, 7, 0, 1, 0}); // use_srtp: AEAD_AES_128_GCM, AES128_CM_SHA1_80
        extension(ext, 0x002B, new byte[] {4, (byte) 0xFE, (byte) 0xFC, (byte) 0xFE, (byte) 0xFD}); // DTLS 1.3, 1.2
        extension(ext, 0x002D, new byte[] {1, 1}); // psk_key_exchange_modes: psk_dhe_ke
        ByteArrayOutputStream shares = new ByteArrayOutputStream();
        byte[] pq = new byte[1216];
        rnd.nextBytes(pq);
        u16(shares, X25519MLKEM768);
        u16(shares, pq.length);
        shares.writeBytes(pq);
        byte[] x = new byte[32];
        rnd.nextBytes(x);
        u16(shares, 0x001D);
        u16(shares, x.length);
        shares.writeBytes(x);
        ByteArrayOutputStream keyShare = new ByteArrayOutputStream();
        u16(keyShare, shares.size());
        keyShare.writeBytes(shares.toByteArray());
        extension(ext, 0x0033, keyShare.toByteArray()); // key_share
        u16(b, ext.size());
        b.writeBytes(ext.toByteArray());
        return b.toByteArray();
    }

    private static byte[] list16(int... values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        u16(b, values.length * 2);
        for (int v : values) {
            u16(b, v);
        }
        return b.toByteArray();
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v);
    }

    /** Splits a handshake message into {@code parts} fragments, one record and datagram each. */
    static byte[][] fragmentIntoDatagrams(int msgType, byte[] body, int parts) {
        byte[][] out = new byte[parts][];
        int per = (body.length + parts - 1) / parts;
        for (int i = 0; i < parts; i++) {
            int off = i * per;
            int len = Math.min(per, body.length - off);
            byte[] f = DtlsRecordFilterTest.fragment(msgType, body.length, 0, off, len, len);
            System.arraycopy(body, off, f, 12, len);
            byte[] r = DtlsRecordFilterTest.record(22, 0, f);
            r[10] = (byte) i; // record sequence number
            out[i] = r;
        }
        return out;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    /**
     * What a DTLS server sent up to ServerHelloDone: the first fragments' bodies of ServerHello and
     * ServerKeyExchange, and the handshake types of all records in order.
     */
    record ServerFlight(byte[] serverHello, byte[] serverKeyExchange, java.util.List<Integer> handshakeTypes) {
    }

    /**
     * Reads datagrams at the client's end until ServerHelloDone (handshake type 14), checking that
     * each record is a DTLS 1.2 (record version 0xFEFD) handshake record.
     */
    static ServerFlight awaitServerFlight(MemoryLink.End clientEnd) throws java.io.IOException {
        byte[] buf = new byte[DtlsTransport.MAX_DATAGRAM_SIZE];
        byte[] serverHello = null;
        byte[] serverKeyExchange = null;
        java.util.List<Integer> types = new java.util.ArrayList<>();
        while (!types.contains(14)) {
            // Generous: the first handshake in a JVM loads (and, after a fuzz test, instruments) many classes.
            int n = clientEnd.receive(buf, 0, buf.length, 15_000);
            assertTrue(n > 0, "server answered; got handshake types " + types);
            int pos = 0;
            while (pos + 13 <= n) {
                int type = buf[pos] & 0xFF;
                int len = u16(buf, pos + 11);
                assertEquals(22, type, "handshake record");
                assertEquals(0xFEFD, u16(buf, pos + 1), "record version DTLS 1.2");
                int msgType = buf[pos + 13] & 0xFF;
                int fragOff = (buf[pos + 13 + 6] & 0xFF) << 16 | u16(buf, pos + 13 + 7);
                byte[] body = Arrays.copyOfRange(buf, pos + 13 + 12, pos + 13 + len);
                types.add(msgType);
                if (fragOff == 0 && msgType == 2) {
                    serverHello = body;
                } else if (fragOff == 0 && msgType == 12) {
                    serverKeyExchange = body;
                }
                pos += 13 + len;
            }
        }
        return new ServerFlight(serverHello, serverKeyExchange, types);
    }

    /**
     * The answer we want to a browser's DTLS 1.3 + 1.2 ClientHello: no HelloVerifyRequest (type 3),
     * a DTLS 1.2 ServerHello choosing TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (our EC certificate),
     * x25519 in the ServerKeyExchange (not the PQ hybrid we do not implement), a CertificateRequest.
     */
    static void assertDtls12Flight(ServerFlight f) {
        assertTrue(!f.handshakeTypes().contains(3), "no HelloVerifyRequest: " + f.handshakeTypes());
        assertTrue(f.serverHello() != null, "ServerHello received");
        assertEquals(0xFEFD, u16(f.serverHello(), 0), "server_version is DTLS 1.2");
        int sessionIdLen = f.serverHello()[34] & 0xFF;
        assertEquals(0xC02B, u16(f.serverHello(), 35 + sessionIdLen), "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        // ServerKeyExchange: curve_type named_curve(3), then the group: x25519, not the PQ hybrid.
        assertTrue(f.serverKeyExchange() != null, "ServerKeyExchange received");
        assertEquals(3, f.serverKeyExchange()[0]);
        assertEquals(0x001D, u16(f.serverKeyExchange(), 1), "x25519 chosen");
        assertTrue(f.handshakeTypes().contains(13), "server requests a client certificate");
    }

    @Test
    void fragmentedDtls13ClientHelloGetsDtls12ServerHello() throws Exception {
        long seed = System.nanoTime();
        System.out.println("fragmentedDtls13ClientHelloGetsDtls12ServerHello seed=" + seed);
        byte[] hello = browserLikeClientHello(new Random(seed));
        assertTrue(hello.length > DtlsTransport.HANDSHAKE_MTU, "ClientHello of " + hello.length + " bytes");

        MemoryLink link = new MemoryLink();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<DtlsTransport> server = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, link.b,
                    TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), 10_000, 1000, 0));
            // Send the fragments out of order, as reordering networks do.
            byte[][] datagrams = fragmentIntoDatagrams(1, hello, 3);
            link.a.send(datagrams[2], 0, datagrams[2].length);
            link.a.send(datagrams[0], 0, datagrams[0].length);
            link.a.send(datagrams[1], 0, datagrams[1].length);

            assertDtls12Flight(awaitServerFlight(link.a));

            // Abort as a browser would on failure: fatal handshake_failure alert.
            byte[] alert = DtlsRecordFilterTest.record(21, 0, new byte[] {2, 40});
            alert[10] = 3;
            link.a.send(alert, 0, alert.length);
            ExecutionException e = assertThrows(ExecutionException.class, () -> server.get(10, TimeUnit.SECONDS));
            DtlsException d = assertInstanceOf(DtlsException.class, e.getCause());
            assertTrue(d.getMessage().contains("handshake_failure"), d.getMessage());
            assertEquals(40, d.alertDescription());
        } finally {
            pool.shutdownNow();
        }
    }
    @Test
    void clientOfferingOnlyUnknownGroupsIsRefusedCleanly() throws Exception {
        byte[] hello = browserLikeClientHello(new Random(1), 0x4A4A, X25519MLKEM768);
        MemoryLink link = new MemoryLink();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<DtlsTransport> server = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, link.b,
                    TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), 10_000, 1000, 0));
            for (byte[] d : fragmentIntoDatagrams(1, hello, 2)) {
                link.a.send(d, 0, d.length);
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> server.get(10, TimeUnit.SECONDS));
            DtlsException d = assertInstanceOf(DtlsException.class, e.getCause());
            assertEquals(40, d.alertDescription(), d.getMessage());
            // The client is told: a fatal handshake_failure alert record.
            byte[] buf = new byte[2048];
            int n = link.a.receive(buf, 0, buf.length, 5000);
            assertEquals(15, n);
            assertEquals(21, buf[0]);
            assertEquals(2, buf[13]);
            assertEquals(40, buf[14]);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void clientOffersChaCha20ThroughTheJdkCipher() throws Exception {
        PeerSupport support = new PeerSupport(JdkTlsCrypto.create(), TestCerts.EC_A, java.util.List.of(), 1000, 1000, "t");
        int[] suites = new WebRtcDtlsClient(support, 0, null).getSupportedCipherSuites();
        boolean offered = java.util.stream.IntStream.of(suites)
                .anyMatch(s -> s == org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
        assertTrue(offered, "JDK 17 has ChaCha20-Poly1305");
        assertEquals(org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, suites[0]);
        assertEquals(3, support.groups().length, "x25519, secp256r1, secp384r1 available from the JDK");
    }
}
