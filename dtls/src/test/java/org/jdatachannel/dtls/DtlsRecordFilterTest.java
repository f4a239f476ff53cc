package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
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

    /** A record of {@code r}'s bytes with the version {major, minor}. */
    private static byte[] withVersion(byte[] r, int major, int minor) {
        byte[] v = r.clone();
        v[1] = (byte) major;
        v[2] = (byte) minor;
        return v;
    }

    @Test
    void aRecordOfTheReservedVersionIsDroppedWhereverItIs() {
        byte[] app = record(23, 1, new byte[40]);
        byte[] reserved = withVersion(app, 0xFE, 0xFE);
        for (byte[] d : List.of(reserved, concat(app, reserved), concat(handshakeRecord(0, 1, 100, 0, 100), reserved),
                withVersion(handshakeRecord(0, 1, 100, 0, 100), 0xFE, 0xFE))) {
            assertEquals(DtlsRecordFilter.RESERVED_VERSION, check(d));
            assertEquals(DtlsRecordFilter.RESERVED_VERSION, DtlsRecordFilter.checkVersions(d, 0, d.length));
        }
        // DTLS 1.0 and 1.2, and versions Bouncy Castle parses and discards itself, pass
        for (int[] v : new int[][] {{0xFE, 0xFF}, {0xFE, 0xFD}, {0xFE, 0xFC}, {0xFE, 0x00}, {3, 3}, {0xFF, 0xFE}}) {
            byte[] d = concat(app, withVersion(app, v[0], v[1]));
            assertNull(check(d), Arrays.toString(v));
            assertNull(DtlsRecordFilter.checkVersions(d, 0, d.length), Arrays.toString(v));
        }
        // a truncated record after a good one: the walk stops (Bouncy Castle discards it)
        byte[] truncated = concat(app, Arrays.copyOf(reserved, 12));
        assertNull(DtlsRecordFilter.checkVersions(truncated, 0, truncated.length));
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
        // Other types are not parsed.
        assertNull(check(innerLengths(12, 100, u24s(0xFFFFFF))));
        // A message shorter than its length field fails in Bouncy Castle without allocating.
        assertNull(check(innerLengths(11, 2, new byte[2])));
    }

    /** A Certificate fragment (message_seq 1) carrying bytes [from, to) of {@code body}. */
    private static byte[] certFragment(byte[] body, int from, int to) {
        byte[] f = fragment(11, body.length, 1, from, to - from, to - from);
        System.arraycopy(body, from, f, HandshakeHeader.LENGTH, to - from);
        return f;
    }

    /** The 300-byte Certificate of corpus certificate-list-length-16MiB: list length 0xFF1100. */
    private static byte[] lyingCertificate() {
        return concat(u24s(0xFF1100, 0x000129), new byte[294]);
    }

    /**
     * The review's bypasses of the inner-length check (Bouncy Castle then allocated 16.5 MiB):
     * (A) the first fragment holds 2 bytes, too few for the list length; (B) the list length is
     * right in [0, 3) and the first certificate's 0xFFFFFF length is in [3, 300); (C) the hostile
     * later fragment arrives before a well-formed first fragment, so Bouncy Castle's reassembler
     * keeps its bytes at offsets 3..5; (D) a chain whose second length field is beyond the first
     * fragment. All are dropped; the same message in one fragment or split after its length
     * fields passes.
     */
    @Test
    void certificateLengthFieldsOutsideTheFirstFragmentAreDropped() {
        byte[] a = lyingCertificate();
        String whyA = check(record(22, 0, concat(certFragment(a, 0, 2), certFragment(a, 2, 300))));
        assertNotNull(whyA);
        assertTrue(whyA.contains("does not hold the certificate_list length"), whyA);

        byte[] b = concat(u24s(297, 0xFFFFFF), new byte[294]);
        String whyB = check(record(22, 0, concat(certFragment(b, 0, 3), certFragment(b, 3, 300))));
        assertNotNull(whyB);
        assertTrue(whyB.contains("certificate length field at offset 3 is not in the first fragment"), whyB);

        // (C): the later fragment first, in its own datagram or earlier in the same one.
        byte[] good = concat(u24s(297, 294), new byte[294]);
        DtlsRecordFilter.GuardState state = new DtlsRecordFilter.GuardState();
        byte[] hostileTail = record(22, 0, certFragment(b, 3, 300));
        assertNotNull(DtlsRecordFilter.check(hostileTail, 0, hostileTail.length, state));
        byte[] reversed = record(22, 0, concat(certFragment(b, 3, 300), certFragment(good, 0, 10)));
        assertNotNull(DtlsRecordFilter.check(reversed, 0, reversed.length, state));
        // In order, across datagrams: passes, and the tail is accepted after its head.
        byte[] head = record(22, 0, certFragment(good, 0, 10));
        byte[] tail = record(22, 0, certFragment(good, 10, 300));
        assertNull(DtlsRecordFilter.check(head, 0, head.length, state));
        assertNull(DtlsRecordFilter.check(tail, 0, tail.length, state));
        // A head in a dropped datagram does not count.
        DtlsRecordFilter.GuardState fresh = new DtlsRecordFilter.GuardState();
        byte[] headThenJunk = concat(head, handshakeRecord(0, 1, 0xFFFFFF, 0, 1));
        assertNotNull(DtlsRecordFilter.check(headThenJunk, 0, headThenJunk.length, fresh));
        assertNotNull(DtlsRecordFilter.check(tail, 0, tail.length, fresh));
        // Looking without committing leaves the state alone.
        assertNull(DtlsRecordFilter.check(head, 0, head.length, fresh, false));
        assertNotNull(DtlsRecordFilter.check(tail, 0, tail.length, fresh));

        // (D): two certificates, the first fragment ends inside the first one.
        byte[] chain = concat(u24s(297, 100), new byte[100], u24s(191), new byte[191]);
        assertNull(check(record(22, 0, certFragment(chain, 0, 300))));
        assertNull(check(record(22, 0, concat(certFragment(chain, 0, 110), certFragment(chain, 110, 300)))));
        assertNotNull(check(record(22, 0, concat(certFragment(chain, 0, 60), certFragment(chain, 60, 300)))));
        // One certificate split anywhere after byte 6 passes, as real peers send it.
        for (int split = 6; split < 300; split += 37) {
            assertNull(check(record(22, 0, concat(certFragment(good, 0, split), certFragment(good, split, 300)))),
                    "split at " + split);
        }
    }

    /**
     * Bouncy Castle 1.84's reassembler costs O(gaps) per fragment: 1-byte fragments at odd
     * offsets made 16,384 gaps per message. Fragments under 64 bytes that do not end their message
     * pass only within a per-connection budget of 64; larger ones and message tails always pass.
     */
    @Test
    void smallNonFinalFragmentsAreBudgeted() {
        DtlsRecordFilter.GuardState state = new DtlsRecordFilter.GuardState();
        // Message tails and whole small messages never count.
        for (int i = 0; i < 200; i++) {
            byte[] t = handshakeRecord(0, 1, 1000, 990, 10);
            assertNull(DtlsRecordFilter.check(t, 0, t.length, state));
            byte[] whole = handshakeRecord(0, 14, 0, 0, 0);
            assertNull(DtlsRecordFilter.check(whole, 0, whole.length, state));
            byte[] big = handshakeRecord(0, 1, 1000, 500, 64);
            assertNull(DtlsRecordFilter.check(big, 0, big.length, state));
        }
        assertEquals(0, state.smallFragments());
        // One small fragment at the end of each datagram, as BoringSSL packs: within budget.
        for (int i = 0; i < DtlsRecordFilter.MAX_SMALL_NON_FINAL_FRAGMENTS; i++) {
            byte[] d = concat(handshakeRecord(0, 2, 90, 0, 90), handshakeRecord(0, 1, 1000, 0, 1 + i % 63));
            assertNull(DtlsRecordFilter.check(d, 0, d.length, state), "small fragment " + i);
        }
        byte[] one = handshakeRecord(0, 1, 1000, 1, 1);
        String why = DtlsRecordFilter.check(one, 0, one.length, state);
        assertNotNull(why);
        assertTrue(why.contains("reassembly CPU guard"), why);
        // Many small fragments in one datagram: dropped as a whole, nothing counted.
        DtlsRecordFilter.GuardState fresh = new DtlsRecordFilter.GuardState();
        byte[][] frags = new byte[100][];
        for (int i = 0; i < frags.length; i++) {
            frags[i] = fragment(11, 32768, 1, 1 + 2 * i, 1, 1);
        }
        byte[] burst = record(22, 0, concat(frags));
        assertNotNull(DtlsRecordFilter.check(burst, 0, burst.length, fresh));
        assertEquals(0, fresh.smallFragments());
    }

    /**
     * A CertificateVerify split at a datagram boundary (a packing client such as BoringSSL): the
     * ChangeCipherSpec that travels with its tail is not premature once the head has arrived; if
     * the head was lost it still is (the client retransmits both).
     */
    @Test
    void certificateVerifyInTwoFragmentsCountsOnItsLastFragment() {
        byte[] ccs = record(20, 0, new byte[] {1});
        byte[] finished = record(22, 1, new byte[40]);
        byte[] cvHead = handshakeRecord(0, 15, 264, 0, 200);
        byte[] cvTail = handshakeRecord(0, 15, 264, 200, 64);
        DtlsRecordFilter.CcsScan first = DtlsRecordFilter.scanForChangeCipherSpec(cvHead, 0, cvHead.length,
                DtlsRecordFilter.CcsScan.NONE);
        assertFalse(first.certificateVerifySeen());
        assertFalse(first.prematureChangeCipherSpec());
        byte[] second = concat(cvTail, ccs, finished);
        DtlsRecordFilter.CcsScan then = DtlsRecordFilter.scanForChangeCipherSpec(second, 0, second.length, first);
        assertTrue(then.certificateVerifySeen());
        assertFalse(then.prematureChangeCipherSpec(), "the CertificateVerify is complete before the ChangeCipherSpec");
        // Head lost: the tail alone does not make the ChangeCipherSpec safe.
        assertTrue(DtlsRecordFilter.scanForChangeCipherSpec(second, 0, second.length, DtlsRecordFilter.CcsScan.NONE)
                .prematureChangeCipherSpec());
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

    @Test
    void truncatedTrailingRecordDoesNotBypassTheTinyFragmentBudget() {
        // [1-byte non-final epoch-0 fragment][a 13-byte header claiming 100 absent bytes]: Bouncy
        // Castle processes the first record and discards the truncated one, so the first must be
        // charged exactly as when it comes alone.
        DtlsRecordFilter.GuardState plain = new DtlsRecordFilter.GuardState();
        DtlsRecordFilter.GuardState tailed = new DtlsRecordFilter.GuardState();
        byte[] truncated = java.util.Arrays.copyOf(record(22, 0, new byte[100]), RecordHeader.LENGTH);
        int passedPlain = 0;
        int passedTailed = 0;
        for (int i = 0; i < 200; i++) {
            byte[] rec = record(22, 0, fragment(1, 4000, 0, i * 2, 1, 1));
            if (DtlsRecordFilter.check(rec, 0, rec.length, plain) == null) {
                passedPlain++;
            }
            byte[] d = concat(rec, truncated);
            if (DtlsRecordFilter.check(d, 0, d.length, tailed) == null) {
                passedTailed++;
            }
        }
        assertEquals(DtlsRecordFilter.MAX_SMALL_NON_FINAL_FRAGMENTS, passedPlain);
        assertEquals(passedPlain, passedTailed, "a truncated trailing record must not bypass the fragment budget");
        assertEquals(plain.smallFragments(), tailed.smallFragments());
    }
}
