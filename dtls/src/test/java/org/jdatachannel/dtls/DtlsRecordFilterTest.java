package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DtlsRecordFilterTest {

    /**
     * One DTLS 1.2 plaintext handshake record (RFC 6347 §4.1, §4.2.2) holding one fragment with
     * {@code fragmentLength} body bytes actually present.
     */
    static byte[] handshakeRecord(int epoch, int msgType, int length, int fragmentOffset, int fragmentLength) {
        return record(22, epoch, fragment(msgType, length, 0, fragmentOffset, fragmentLength, fragmentLength));
    }

    static byte[] fragment(int msgType, int length, int seq, int fragmentOffset, int fragmentLength, int bodyBytes) {
        byte[] f = new byte[HandshakeHeader.LENGTH + bodyBytes];
        new HandshakeHeader(msgType, length, seq, fragmentOffset, fragmentLength).serializeTo(f, 0);
        return f;
    }

    static byte[] record(int type, int epoch, byte[] body) {
        byte[] r = new byte[RecordHeader.LENGTH + body.length];
        new RecordHeader(type, 0xFEFD, epoch, 0, body.length).serializeTo(r, 0);
        System.arraycopy(body, 0, r, RecordHeader.LENGTH, body.length);
        return r;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String check(byte[] d) {
        return DtlsRecordFilter.check(d, 0, d.length);
    }

    @Test
    void demuxByFirstByteRfc7983() {
        for (int b = 0; b < 256; b++) {
            byte[] d = {(byte) b, 0, 0};
            boolean expected = b >= 20 && b <= 63;
            assertTrue(DtlsRecordFilter.isDtls(d, 0, 3) == expected, "first byte " + b);
            if (!expected) {
                assertNotNull(check(d), "first byte " + b);
            }
        }
        assertFalse(DtlsRecordFilter.isDtls(new byte[0], 0, 0));
        assertNotNull(check(new byte[0]));
        // With an offset.
        byte[] d = {0, 22};
        assertTrue(DtlsRecordFilter.isDtls(d, 1, 1));
    }

    @Test
    void wellFormedHandshakeRecordsPass() {
        assertNull(check(handshakeRecord(0, 1, 300, 0, 100)));
        assertNull(check(handshakeRecord(0, 1, 300, 200, 100)));
        assertNull(check(handshakeRecord(0, 14, 0, 0, 0))); // ServerHelloDone, empty body
        assertNull(check(handshakeRecord(0, 1, DtlsRecordFilter.MAX_HANDSHAKE_MESSAGE_LENGTH, 0, 50)));
        // Several records per datagram and several fragments per record.
        byte[] twoFragments = record(22, 0, concat(fragment(2, 10, 1, 0, 10, 10), fragment(12, 20, 2, 0, 20, 20)));
        assertNull(check(concat(twoFragments, handshakeRecord(0, 12, 30, 0, 30), record(20, 0, new byte[] {1}))));
        // Encrypted (epoch 1) handshake records cannot be inspected and are passed on.
        assertNull(check(record(22, 1, new byte[40])));
        // Application data, alerts.
        assertNull(check(record(23, 1, new byte[1200])));
        assertNull(check(record(21, 0, new byte[] {2, 40})));
        // Truncated records and DTLS 1.3 unified headers: Bouncy Castle discards them itself.
        byte[] truncated = handshakeRecord(0, 1, 300, 0, 100);
        assertNull(DtlsRecordFilter.check(truncated, 0, truncated.length - 1));
        assertNull(check(new byte[] {0x2F, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
        assertNull(check(new byte[] {22, (byte) 0xFE, (byte) 0xFD})); // shorter than a header
    }

    @Test
    void hugeMessageLengthIsDropped() {
        String why = check(handshakeRecord(0, 1, 0xFFFFFF, 0, 10));
        assertNotNull(why);
        assertTrue(why.contains("16777215") && why.contains("CVE-2026-59646"), why);
        assertNotNull(check(handshakeRecord(0, 11, DtlsRecordFilter.MAX_HANDSHAKE_MESSAGE_LENGTH + 1, 0, 10)));
        // Hidden in the second record of a datagram, or the second fragment of a record.
        assertNotNull(check(concat(handshakeRecord(0, 1, 100, 0, 100), handshakeRecord(0, 1, 0x800000, 0, 1))));
        assertNotNull(check(record(22, 0, concat(fragment(2, 10, 1, 0, 10, 10), fragment(11, 0x200000, 2, 0, 5, 5)))));
        // Behind a record of an unknown content type (or a DTLS 1.3 unified header byte):
        // Bouncy Castle splits the datagram by each header's length field whatever the type, so
        // the hostile record still reaches its reassembler.
        for (int type : new int[] {27, 0x1E, 0x2F, 0x3F}) {
            assertNotNull(check(concat(record(type, 0, new byte[0]), handshakeRecord(0, 1, 0xFFFFFF, 0, 10))),
                    "hidden behind type " + type);
            assertNotNull(check(concat(record(type, 0, new byte[7]), handshakeRecord(0, 1, 0xFFFFFF, 0, 10))),
                    "hidden behind type " + type + " with a body");
        }
    }

    @Test
    void fragmentOutsideItsMessageIsDropped() {
        String why = check(handshakeRecord(0, 1, 100, 95, 10));
        assertNotNull(why);
        assertTrue(why.contains("exceeds message length 100"), why);
        assertNotNull(check(handshakeRecord(0, 1, 100, 0xFFFFFF, 0)));
        // Fragment length larger than what the record holds.
        assertNotNull(check(record(22, 0, fragment(1, 100, 0, 0, 100, 20))));
        // Record body too short for a fragment header.
        assertNotNull(check(record(22, 0, new byte[5])));
    }

    /** A Certificate (type 11) or SupplementalData (23) first fragment with these body bytes. */
    private static byte[] innerLengths(int msgType, int length, byte[] body) {
        byte[] f = fragment(msgType, length, 1, 0, body.length, body.length);
        System.arraycopy(body, 0, f, HandshakeHeader.LENGTH, body.length);
        return record(22, 0, f);
    }

    private static byte[] u24s(int... values) {
        byte[] b = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            Bytes.put24(b, i * 3, values[i]);
        }
        return b;
    }

    /**
     * Bouncy Castle 1.84 allocates the claimed size of a certificate_list, a certificate or a
     * supp_data before checking the message holds it (TlsUtils.readOpaque24): HandshakeFuzzTest
     * found a 300-byte Certificate claiming a 16,716,032-byte list.
     */
    @Test
    void certificateAndSupplementalDataLengthsMustFitTheirMessage() {
        // Well formed: list length = message length - 3; one 20-byte certificate; an empty list.
        byte[] cert = concat(u24s(23, 20), new byte[20]);
        assertNull(check(innerLengths(11, 26, cert)));
        assertNull(check(innerLengths(11, 3, u24s(0))));
        // First fragment of a longer message: the certificate's length field is seen, its bytes not all.
        assertNull(check(innerLengths(11, 1003, concat(u24s(1000, 997), new byte[50]))));
        // The fuzzer's finding, and other lies.
        String why = check(innerLengths(11, 300, concat(u24s(0xFF1100, 0x000129), new byte[100])));
        assertNotNull(why);
        assertTrue(why.contains("certificate_list length 16716032"), why);
        assertNotNull(check(innerLengths(11, 26, concat(u24s(23, 0xFFFFFF), new byte[20]))));
        assertNotNull(check(innerLengths(11, 26, concat(u24s(23, 21), new byte[20]))));
        assertNotNull(check(innerLengths(11, 40, concat(u24s(37, 10), new byte[10], u24s(0x800000), new byte[8]))));
        assertNotNull(check(innerLengths(23, 100, u24s(0xFFFFFF))));
        assertNull(check(innerLengths(23, 10, concat(u24s(7), new byte[7]))));
        // Later fragments and other types are not parsed; fragments too short for a length pass.
        byte[] later = fragment(11, 300, 1, 100, 3, 3);
        System.arraycopy(u24s(0xFFFFFF), 0, later, HandshakeHeader.LENGTH, 3);
        assertNull(check(record(22, 0, later)));
        assertNull(check(innerLengths(12, 100, u24s(0xFFFFFF))));
        assertNull(check(innerLengths(11, 300, new byte[2])));
    }

    @Test
    void randomDatagramsNeverThrow() {
        long seed = System.nanoTime();
        System.out.println("randomDatagramsNeverThrow seed=" + seed);
        Random rnd = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            byte[] d;
            if (rnd.nextBoolean()) {
                d = new byte[rnd.nextInt(80)];
                rnd.nextBytes(d);
            } else {
                // Mutate a valid datagram.
                d = concat(handshakeRecord(0, 1, 60, 0, 60), handshakeRecord(0, 1, 60, 0, 20));
                for (int k = rnd.nextInt(4); k >= 0; k--) {
                    d[rnd.nextInt(d.length)] = (byte) rnd.nextInt(256);
                }
                d = java.util.Arrays.copyOf(d, rnd.nextInt(d.length + 1));
            }
            int off = d.length == 0 ? 0 : rnd.nextInt(d.length);
            DtlsRecordFilter.check(d, off, d.length - off);
        }
    }
    @Test
    void headerRoundTripsAndVectors() {
        // A DTLS 1.2 ClientHello record header as captured: type 22, {254,253}, epoch 0, seq 1, 0x00C5.
        byte[] wire = {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, (byte) 0xC5};
        RecordHeader r = RecordHeader.parse(wire, 0);
        assertEquals(new RecordHeader(22, 0xFEFD, 0, 1, 0xC5), r);
        byte[] out = new byte[RecordHeader.LENGTH];
        r.serializeTo(out, 0);
        assertArrayEquals(wire, out);
        assertEquals("Record[type=22, version=0xFEFD, epoch=0, seq=1, length=197]", r.toString());

        byte[] hs = {1, 0, 0, (byte) 0xB9, 0, 0, 0, 0, 0, 0, 0, (byte) 0xB9};
        HandshakeHeader h = HandshakeHeader.parse(hs, 0);
        assertEquals(new HandshakeHeader(1, 0xB9, 0, 0, 0xB9), h);
        byte[] hsOut = new byte[HandshakeHeader.LENGTH];
        h.serializeTo(hsOut, 0);
        assertArrayEquals(hs, hsOut);

        long seed = System.nanoTime();
        System.out.println("headerRoundTripsAndVectors seed=" + seed);
        Random rnd = new Random(seed);
        for (int i = 0; i < 1000; i++) {
            RecordHeader x = new RecordHeader(rnd.nextInt(256), rnd.nextInt(65536), rnd.nextInt(65536),
                    rnd.nextLong() & 0xFFFF_FFFF_FFFFL, rnd.nextInt(65536));
            byte[] b = new byte[RecordHeader.LENGTH];
            x.serializeTo(b, 0);
            assertEquals(x, RecordHeader.parse(b, 0));
            HandshakeHeader y = new HandshakeHeader(rnd.nextInt(256), rnd.nextInt(1 << 24), rnd.nextInt(65536),
                    rnd.nextInt(1 << 24), rnd.nextInt(1 << 24));
            byte[] c = new byte[HandshakeHeader.LENGTH];
            y.serializeTo(c, 0);
            assertEquals(y, HandshakeHeader.parse(c, 0));
        }
        assertThrows(IllegalArgumentException.class, () -> new RecordHeader(256, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeHeader(1, 1 << 24, 0, 0, 0));
    }
    @Test
    void changeCipherSpecBeforeCertificateVerifyIsFlagged() {
        byte[] ccs = record(20, 0, new byte[] {1});
        byte[] finished = record(22, 1, new byte[40]);
        byte[] cv = handshakeRecord(0, 15, 74, 0, 74);
        byte[] cke = handshakeRecord(0, 16, 33, 0, 33);

        DtlsRecordFilter.CcsScan early = DtlsRecordFilter.scanForChangeCipherSpec(concat(ccs, finished), 0,
                ccs.length + finished.length, false);
        assertTrue(early.prematureChangeCipherSpec());
        assertFalse(early.certificateVerifySeen());

        // CertificateVerify seen earlier, or earlier in the same datagram (OpenSSL packs flights).
        assertFalse(DtlsRecordFilter.scanForChangeCipherSpec(ccs, 0, ccs.length, true).prematureChangeCipherSpec());
        byte[] packed = concat(cke, cv, ccs, finished);
        DtlsRecordFilter.CcsScan inOrder = DtlsRecordFilter.scanForChangeCipherSpec(packed, 0, packed.length, false);
        assertFalse(inOrder.prematureChangeCipherSpec());
        assertTrue(inOrder.certificateVerifySeen());
        // CertificateVerify after the ChangeCipherSpec in one datagram: still premature.
        byte[] wrongOrder = concat(ccs, cv);
        assertTrue(DtlsRecordFilter.scanForChangeCipherSpec(wrongOrder, 0, wrongOrder.length, false)
                .prematureChangeCipherSpec());
        // A CertificateVerify datagram alone.
        DtlsRecordFilter.CcsScan cvOnly = DtlsRecordFilter.scanForChangeCipherSpec(cv, 0, cv.length, false);
        assertTrue(cvOnly.certificateVerifySeen());
        assertFalse(cvOnly.prematureChangeCipherSpec());
        // A partial CertificateVerify fragment does not count.
        byte[] partial = handshakeRecord(0, 15, 74, 0, 30);
        assertFalse(DtlsRecordFilter.scanForChangeCipherSpec(partial, 0, partial.length, false).certificateVerifySeen());
    }
}
