package org.jdatachannel.dtls;

/**
 * Stateless checks on a received datagram before Bouncy Castle sees it: the RFC 7983 demux and a
 * guard for CVE-2026-59646.
 *
 * <p>RFC 7983 §7 demultiplexes by the first byte: {@code "19 < B < 64 --> forward to DTLS"};
 * STUN (0..3), TURN channels (64..79), RTP/RTCP (128..191) and anything else is not ours.
 *
 * <p>CVE-2026-59646: Bouncy Castle ≤ 1.84 allocates a reassembly buffer of the 24-bit handshake
 * {@code length} of any plaintext handshake fragment it receives, so a single small datagram can
 * make it allocate up to 16 MiB. We drop datagrams carrying an epoch-0 handshake fragment whose
 * message length exceeds {@link #MAX_HANDSHAKE_MESSAGE_LENGTH}, whose fragment does not fit inside
 * the message, or whose fragment runs past its record. Records are walked defensively (RFC 6347
 * §4.1.1 allows several per datagram); headers are read only after their bounds are checked.
 *
 * <pre>
 * DTLS 1.2 record (RFC 6347 §4.1):          handshake fragment (RFC 6347 §4.2.2):
 *  0      1      3      5            11   13  0       1         4        6         9         12
 * +------+------+------+------------+------+ +-------+---------+--------+---------+---------+----
 * | type | ver  |epoch | seq (48)   | len  | |msg_typ| length  |msg_seq |frag_off |frag_len | ...
 * +------+------+------+------------+------+ +-------+---------+--------+---------+---------+----
 * </pre>
 *
 * <p>Pure functions; thread-safe.
 */
final class DtlsRecordFilter {

    /**
     * Largest handshake message length we let through: 32,768 bytes.
     *
     * <p>Why this value: it is Bouncy Castle's own default {@code TlsPeer.getMaxHandshakeMessageSize()}
     * (AbstractTlsPeer: 32768), which BC 1.84 applies to TLS only and 1.85 (the CVE fix) also to
     * DTLS, dropping {@code length > max} exactly as we do; so upgrading changes nothing for peers.
     * The largest real handshake messages in WebRTC DTLS 1.2 are far below it: the ClientHellos
     * captured from Chromium 156 (1,413 bytes) and Firefox ESR 153 (1,461 bytes) with their
     * X25519MLKEM768 key share (see src/test/resources/.../clienthello/README.md), a Certificate
     * message with one self-signed RSA 4096 certificate (~1.5 KB) or even an ML-DSA-87 one (~7.5 KB).
     *
     * <p>Cost: before authentication Bouncy Castle 1.84 keeps one reassembly buffer of the claimed
     * length per message_seq in a window of 16 ahead of the next expected one
     * (DTLSReliableHandshake.MAX_RECEIVE_AHEAD), plus the buffers of the previous flight, so a
     * hostile peer can make it hold at most about 16 x 32 KiB = 512 KiB per connection per flight
     * (was 1 MiB with the earlier 64 KiB limit; 16 MiB x 16 = 256 MiB without the filter).
     */
    static final int MAX_HANDSHAKE_MESSAGE_LENGTH = 32 * 1024;

    private DtlsRecordFilter() {
    }

    /**
     * RFC 7983 §7: {@code "19 < B < 64 --> forward to DTLS"}.
     *
     * @return true when the first byte is in 20..63
     */
    static boolean isDtls(byte[] buf, int off, int len) {
        if (len < 1) {
            return false;
        }
        int b = buf[off] & 0xFF;
        return b >= 20 && b <= 63;
    }

    /**
     * @return null to pass the datagram to Bouncy Castle, or the reason to drop it
     */
    static String check(byte[] buf, int off, int len) {
        if (!isDtls(buf, off, len)) {
            return len < 1 ? "empty datagram" : "first byte " + (buf[off] & 0xFF) + " is not DTLS (RFC 7983)";
        }
        int pos = off;
        int end = off + len;
        while (end - pos >= RecordHeader.LENGTH) {
            // Every record is walked by the length in bytes 11..12 of its header, whatever its
            // content type (unknown types and DTLS 1.3 unified headers included): that is how
            // Bouncy Castle 1.84 (DTLSRecordLayer.receiveRecord) splits a datagram into records
            // before it looks at the type, so a record of an unknown type must not hide a
            // hostile handshake record behind it.
            RecordHeader record = RecordHeader.parse(buf, pos);
            int body = pos + RecordHeader.LENGTH;
            if (record.length() > end - body) {
                // Truncated record: Bouncy Castle requires the whole record and discards it.
                return null;
            }
            if (record.contentType() == RecordHeader.HANDSHAKE && record.epoch() == 0) {
                String problem = checkHandshakeFragments(buf, body, record.length());
                if (problem != null) {
                    return problem;
                }
            }
            pos = body + record.length();
        }
        return null;
    }

    /** Checks every handshake fragment inside one plaintext record body. */
    private static String checkHandshakeFragments(byte[] buf, int off, int len) {
        int pos = off;
        int end = off + len;
        while (pos < end) {
            if (end - pos < HandshakeHeader.LENGTH) {
                return "handshake fragment header truncated (" + (end - pos) + " bytes)";
            }
            HandshakeHeader h = HandshakeHeader.parse(buf, pos);
            if (h.length() > MAX_HANDSHAKE_MESSAGE_LENGTH) {
                return "handshake message length " + h.length() + " exceeds " + MAX_HANDSHAKE_MESSAGE_LENGTH
                        + " (CVE-2026-59646 guard)";
            }
            // RFC 6347 §4.2.3: a fragment covers [fragment_offset, fragment_offset + fragment_length)
            // of a message of `length` bytes.
            if ((long) h.fragmentOffset() + h.fragmentLength() > h.length()) {
                return "handshake fragment offset " + h.fragmentOffset() + " + length " + h.fragmentLength()
                        + " exceeds message length " + h.length();
            }
            if (h.fragmentLength() > end - pos - HandshakeHeader.LENGTH) {
                return "handshake fragment length " + h.fragmentLength() + " runs past its record";
            }
            if (h.fragmentOffset() == 0) {
                String inner = checkInnerLengths(h, buf, pos + HandshakeHeader.LENGTH);
                if (inner != null) {
                    return inner;
                }
            }
            pos += HandshakeHeader.LENGTH + h.fragmentLength();
        }
        return null;
    }

    /** Handshake type of Certificate (RFC 5246 §7.4.2). */
    static final int CERTIFICATE = 11;
    /** Handshake type of SupplementalData (RFC 4680 §2). */
    static final int SUPPLEMENTAL_DATA = 23;

    /**
     * The 24-bit lengths inside the first fragment of a Certificate or SupplementalData message.
     *
     * <p>Why: Bouncy Castle 1.84 parses these with {@code TlsUtils.readOpaque24}, which allocates
     * {@code new byte[length]} for the claimed length before checking that the message holds it,
     * so a 300-byte Certificate claiming a 16 MiB certificate_list made it allocate 16 MiB before
     * the fingerprint check (found by HandshakeFuzzTest). The structures (RFC 5246 §7.4.2:
     * {@code "ASN.1Cert certificate_list<0..2^24-1>"} of {@code "opaque ASN.1Cert<1..2^24-1>"};
     * RFC 4680 §2: {@code "SupplementalDataEntry supp_data<1..2^24-1>"}) fill the whole message,
     * so the outer length must be the message length minus 3, and each certificate whose length
     * field lies in this fragment must fit in what is left of the list. Length fields in later
     * fragments cannot be seen without reassembly; the transient allocation they can still cause
     * is bounded by one per handshake (the handshake then fails).
     */
    private static String checkInnerLengths(HandshakeHeader h, byte[] buf, int body) {
        if (h.msgType() != CERTIFICATE && h.msgType() != SUPPLEMENTAL_DATA) {
            return null;
        }
        int have = h.fragmentLength();
        if (have < 3) {
            return null;
        }
        int outer = Bytes.u24(buf, body);
        if (outer != h.length() - 3) {
            return (h.msgType() == CERTIFICATE ? "certificate_list" : "supp_data") + " length " + outer
                    + " does not fill the " + h.length() + "-byte message";
        }
        if (h.msgType() == CERTIFICATE) {
            int p = 3;
            while (have - p >= 3) {
                int certLength = Bytes.u24(buf, body + p);
                if (certLength > h.length() - p - 3) {
                    return "certificate length " + certLength + " runs past the " + h.length() + "-byte message";
                }
                p += 3 + certLength;
            }
        }
        return null;
    }

    /** Handshake type of CertificateVerify (RFC 5246 §7.4.8). */
    static final int CERTIFICATE_VERIFY = 15;
    private static final int CHANGE_CIPHER_SPEC = 20;

    /**
     * Finds whether a datagram carries a ChangeCipherSpec record that comes before the client's
     * CertificateVerify has been seen (in an earlier datagram, {@code certificateVerifySeen}, or
     * earlier in this one), and whether it completes a CertificateVerify.
     *
     * <p>Why: Bouncy Castle's server switches its read epoch as soon as a ChangeCipherSpec arrives
     * once it has the ClientKeyExchange. If the CertificateVerify that precedes it in the client's
     * flight was lost, its retransmission (epoch 0) is then discarded for the wrong epoch and the
     * handshake stalls until it times out. Dropping the datagram with the early ChangeCipherSpec
     * (it is useless before the CertificateVerify anyway) lets the client's retransmitted flight
     * (RFC 6347 §4.2.4) deliver CertificateVerify, ChangeCipherSpec and Finished in order.
     *
     * @param certificateVerifySeen a complete CertificateVerify arrived in an earlier datagram
     * @return the scan result; records are walked as in {@link #check}, which must have passed
     */
    static CcsScan scanForChangeCipherSpec(byte[] buf, int off, int len, boolean certificateVerifySeen) {
        boolean cv = certificateVerifySeen;
        boolean premature = false;
        int pos = off;
        int end = off + len;
        while (end - pos >= RecordHeader.LENGTH) {
            RecordHeader record = RecordHeader.parse(buf, pos); // walked as in check()
            int body = pos + RecordHeader.LENGTH;
            if (record.length() > end - body) {
                break;
            }
            if (record.epoch() == 0 && record.contentType() == CHANGE_CIPHER_SPEC && !cv) {
                premature = true;
            }
            if (record.epoch() == 0 && record.contentType() == RecordHeader.HANDSHAKE) {
                int p = body;
                int recordEnd = body + record.length();
                while (recordEnd - p >= HandshakeHeader.LENGTH) {
                    HandshakeHeader h = HandshakeHeader.parse(buf, p);
                    // A CertificateVerify is small (one signature); count it when one fragment
                    // holds all of it, as every implementation sends it.
                    if (h.msgType() == CERTIFICATE_VERIFY && h.fragmentOffset() == 0
                            && h.fragmentLength() == h.length()) {
                        cv = true;
                    }
                    p += HandshakeHeader.LENGTH + h.fragmentLength();
                }
            }
            pos = body + record.length();
        }
        return new CcsScan(cv, premature);
    }

    /**
     * @param certificateVerifySeen a complete CertificateVerify has now been seen
     * @param prematureChangeCipherSpec the datagram has a ChangeCipherSpec before any
     */
    record CcsScan(boolean certificateVerifySeen, boolean prematureChangeCipherSpec) {
    }
}
