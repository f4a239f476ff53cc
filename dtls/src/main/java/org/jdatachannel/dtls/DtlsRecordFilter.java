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
 * the message, or whose fragment runs past its record; a Certificate or SupplementalData message
 * whose 24-bit inner lengths are not all in its first fragment, or a later fragment of one before
 * its first fragment ({@link #checkInnerLengths}); and small fragments that do not end their
 * message beyond a per-connection budget ({@link #MIN_NON_FINAL_FRAGMENT}), which make Bouncy
 * Castle 1.84's reassembler quadratic. Records are walked defensively (RFC 6347 §4.1.1 allows
 * several per datagram); headers are read only after their bounds are checked.
 *
 * <pre>
 * DTLS 1.2 record (RFC 6347 §4.1):          handshake fragment (RFC 6347 §4.2.2):
 *  0      1      3      5            11   13  0       1         4        6         9         12
 * +------+------+------+------------+------+ +-------+---------+--------+---------+---------+----
 * | type | ver  |epoch | seq (48)   | len  | |msg_typ| length  |msg_seq |frag_off |frag_len | ...
 * +------+------+------+------------+------+ +-------+---------+--------+---------+---------+----
 * </pre>
 *
 * <p>Pure functions apart from the caller's {@link GuardState} (one per connection, receiving
 * thread only); thread-safe otherwise.
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
     * (DTLSReliableHandshake.MAX_RECEIVE_AHEAD), each with a list of its missing byte ranges
     * (about 32 bytes per range, at most about 570 ranges with {@link #MIN_NON_FINAL_FRAGMENT}
     * and {@link #MAX_SMALL_NON_FINAL_FRAGMENTS}), plus the small, complete messages of the
     * previous flight, so a hostile peer can make it hold at most about 16 x (32 + 18) KiB =
     * 0.8 MiB per connection (16 MiB x 16 = 256 MiB without the length limit; 7.8 MiB of range
     * objects for 16 messages of 1-byte fragments without the fragment budget).
     */
    static final int MAX_HANDSHAKE_MESSAGE_LENGTH = 32 * 1024;

    /**
     * Smallest handshake fragment that need not end its message: 64 bytes.
     *
     * <p>Why: Bouncy Castle 1.84's DTLSReassembler keeps the missing byte ranges of a message in a
     * list that it scans and inserts into linearly for every fragment (fixed only after 1.84), so
     * 1-byte fragments at odd offsets into a 32 KiB message make 16,384 ranges and cost it seconds
     * of CPU per message, and the range objects outweigh the buffer. Fragments of 64 bytes or more
     * leave at most 32,768 / 65 = 504 gaps in a message.
     *
     * <p>Real peers: Bouncy Castle, OpenSSL and NSS fragment at the MTU; BoringSSL fills the end of
     * a datagram and may leave one fragment of as little as 1 byte at its end (d1_both.cc,
     * {@code "minimum one byte of progress"}), at most one per datagram; these are counted against
     * {@link #MAX_SMALL_NON_FINAL_FRAGMENTS} instead of being dropped.
     */
    static final int MIN_NON_FINAL_FRAGMENT = 64;

    /**
     * Fragments shorter than {@link #MIN_NON_FINAL_FRAGMENT} that do not end their message,
     * accepted per connection: 64. A packing peer sends at most one per datagram of a flight,
     * including retransmissions; beyond the budget, datagrams carrying one are dropped.
     */
    static final int MAX_SMALL_NON_FINAL_FRAGMENTS = 64;

    private DtlsRecordFilter() {
    }

    /**
     * What the guard remembers about one connection's accepted datagrams: the first fragments of
     * Certificate and SupplementalData messages seen (so that their later fragments may pass) and
     * the small non-final fragments accepted. Bounded: at most {@link #MAX_HEADS} messages.
     *
     * <p>Thread-safety: none; the receiving thread only.
     */
    static final class GuardState {
        /** Distinct Certificate/SupplementalData messages (type, message_seq, length) remembered. */
        static final int MAX_HEADS = 16;
        private final long[] heads = new long[MAX_HEADS];
        private int headCount;
        private int smallFragments;

        boolean hasHead(long key) {
            for (int i = 0; i < headCount; i++) {
                if (heads[i] == key) {
                    return true;
                }
            }
            return false;
        }

        /** Small non-final fragments accepted so far. */
        int smallFragments() {
            return smallFragments;
        }
    }

    /** What one datagram adds to a {@link GuardState}; committed only when the datagram passes. */
    private static final class Pending {
        private final GuardState state;
        private final long[] heads = new long[GuardState.MAX_HEADS];
        private int headCount;
        int tinyFragments;

        Pending(GuardState state) {
            this.state = state;
            this.tinyFragments = state.smallFragments;
        }

        boolean hasHead(long key) {
            if (state.hasHead(key)) {
                return true;
            }
            for (int i = 0; i < headCount; i++) {
                if (heads[i] == key) {
                    return true;
                }
            }
            return false;
        }

        boolean addHead(long key) {
            if (hasHead(key)) {
                return true;
            }
            if (state.headCount + headCount >= GuardState.MAX_HEADS) {
                return false;
            }
            heads[headCount++] = key;
            return true;
        }

        void commit() {
            for (int i = 0; i < headCount; i++) {
                state.heads[state.headCount++] = heads[i];
            }
            state.smallFragments = tinyFragments;
        }
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
     * {@link #check(byte[], int, int, GuardState)} with a fresh state, as for the first datagram of
     * a connection: a Certificate or SupplementalData fragment at a non-zero offset passes only
     * behind its first fragment in the same datagram.
     *
     * @return null to pass the datagram to Bouncy Castle, or the reason to drop it
     */
    static String check(byte[] buf, int off, int len) {
        return check(buf, off, len, new GuardState());
    }

    /**
     * Checks one received datagram against the guard; when it passes (null), what it carried is
     * recorded in {@code state}, which is left unchanged when it is dropped.
     *
     * @param state the connection's guard state (receiving thread only)
     * @return null to pass the datagram to Bouncy Castle, or the reason to drop it
     */
    static String check(byte[] buf, int off, int len, GuardState state) {
        return check(buf, off, len, state, true);
    }

    /**
     * @param commit whether to record a passing datagram in {@code state} (false: only look)
     */
    static String check(byte[] buf, int off, int len, GuardState state, boolean commit) {
        if (!isDtls(buf, off, len)) {
            return len < 1 ? "empty datagram" : "first byte " + (buf[off] & 0xFF) + " is not DTLS (RFC 7983)";
        }
        // Created at the first epoch-0 handshake record only: a datagram without one (all
        // application data after the handshake) is checked by reading its record headers, with
        // no allocation; it changes nothing in the state.
        Pending pending = null;
        int pos = off;
        int end = off + len;
        while (end - pos >= RecordHeader.LENGTH) {
            // Every record is walked by the length in bytes 11..12 of its header, whatever its
            // content type (unknown types and DTLS 1.3 unified headers included): that is how
            // Bouncy Castle 1.84 (DTLSRecordLayer.receiveRecord) splits a datagram into records
            // before it looks at the type, so a record of an unknown type must not hide a
            // hostile handshake record behind it. Header fields as in RecordHeader (RFC 6347
            // §4.1): type at 0, epoch at 3..4, length at 11..12.
            int contentType = buf[pos] & 0xFF;
            int epoch = Bytes.u16(buf, pos + 3);
            int length = Bytes.u16(buf, pos + 11);
            int body = pos + RecordHeader.LENGTH;
            if (isReservedVersion(buf, pos)) {
                return RESERVED_VERSION;
            }
            if (length > end - body) {
                // Truncated record: Bouncy Castle 1.84 discards it, but still processes the whole
                // records before it (receiveRecord queues them), so those are charged below as
                // for any passing datagram; returning here without the commit let an appended
                // truncated header carry unlimited tiny fragments past the budget (issue-6 review).
                break;
            }
            if (contentType == RecordHeader.HANDSHAKE && epoch == 0) {
                if (pending == null) {
                    pending = new Pending(state);
                }
                String problem = checkHandshakeFragments(buf, body, length, pending);
                if (problem != null) {
                    return problem;
                }
            }
            pos = body + length;
        }
        if (commit && pending != null) {
            pending.commit();
        }
        return null;
    }

    /** {@link #check}'s and {@link #checkVersions}'s reason for a record of version {0xFE, 0xFE}. */
    static final String RESERVED_VERSION = "record version {254, 254} (reserved; Bouncy Castle 1.84 would fail the"
            + " connection with internal_error)";

    /**
     * Whether the record header at {@code pos} (at least {@link RecordHeader#LENGTH} bytes) carries
     * the version {0xFE, 0xFE}.
     *
     * <p>Why: Bouncy Castle 1.84 reads every record's version through {@code ProtocolVersion.get},
     * which throws {@code IllegalArgumentException} for {0xFE, 0xFE} ("a reserved protocol
     * version") before the record is authenticated; its record layer turns that into a fatal
     * internal_error alert and closes the connection. So one forged datagram from the peer's address
     * (UDP source addresses are easy to spoof) could end an established connection, where RFC 6347
     * §4.1.2.7 wants invalid records discarded: "Invalid records SHOULD be silently discarded". Every
     * other version value Bouncy Castle parses and then discards (not its negotiated version). Found
     * by DtlsPushReceiveTest's random datagrams (about 1 run in 60).
     */
    static boolean isReservedVersion(byte[] buf, int pos) {
        return buf[pos + 1] == (byte) 0xFE && buf[pos + 2] == (byte) 0xFE;
    }

    /**
     * The record version check of {@link #check} alone, for a transport without the handshake guard:
     * walks the records of a datagram (RFC 6347 §4.1.1) by their length fields.
     *
     * @return null to pass the datagram, or {@link #RESERVED_VERSION}
     */
    static String checkVersions(byte[] buf, int off, int len) {
        int pos = off;
        int end = off + len;
        while (end - pos >= RecordHeader.LENGTH) {
            if (isReservedVersion(buf, pos)) {
                return RESERVED_VERSION;
            }
            pos += RecordHeader.LENGTH + Bytes.u16(buf, pos + 11);
        }
        return null;
    }

    /**
     * Whether a datagram that passed {@link #check} without committing needs the committing call
     * too: only one with an epoch-0 handshake record can change a {@link GuardState}.
     */
    static boolean hasPlaintextHandshake(byte[] buf, int off, int len) {
        int pos = off;
        int end = off + len;
        while (end - pos >= RecordHeader.LENGTH) {
            int length = Bytes.u16(buf, pos + 11);
            if ((buf[pos] & 0xFF) == RecordHeader.HANDSHAKE && Bytes.u16(buf, pos + 3) == 0) {
                return true;
            }
            pos += RecordHeader.LENGTH + length;
        }
        return false;
    }

    /** Checks every handshake fragment inside one plaintext record body. */
    private static String checkHandshakeFragments(byte[] buf, int off, int len, Pending pending) {
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
            boolean endsMessage = h.fragmentOffset() + h.fragmentLength() == h.length();
            if (h.fragmentLength() < MIN_NON_FINAL_FRAGMENT && !endsMessage
                    && ++pending.tinyFragments > MAX_SMALL_NON_FINAL_FRAGMENTS) {
                return "more than " + MAX_SMALL_NON_FINAL_FRAGMENTS + " handshake fragments of under "
                        + MIN_NON_FINAL_FRAGMENT + " bytes that do not end their message (reassembly CPU guard)";
            }
            if (h.msgType() == CERTIFICATE || h.msgType() == SUPPLEMENTAL_DATA) {
                long key = ((long) h.msgType() << 40) | ((long) h.messageSeq() << 24) | h.length();
                if (h.fragmentOffset() == 0) {
                    String inner = checkInnerLengths(h, buf, pos + HandshakeHeader.LENGTH);
                    if (inner != null) {
                        return inner;
                    }
                    if (!pending.addHead(key)) {
                        return "more than " + GuardState.MAX_HEADS + " distinct Certificate/SupplementalData messages";
                    }
                } else if (!pending.hasHead(key)) {
                    return (h.msgType() == CERTIFICATE ? "Certificate" : "SupplementalData") + " fragment at offset "
                            + h.fragmentOffset() + " before the message's first fragment (its length fields are"
                            + " checked there)";
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
     * The 24-bit lengths inside a Certificate or SupplementalData message, all of which must lie in
     * its first fragment.
     *
     * <p>Why: Bouncy Castle 1.84 parses these with {@code TlsUtils.readOpaque24}, which allocates
     * {@code new byte[length]} for the claimed length before checking that the message holds it,
     * so a 300-byte Certificate claiming a 16 MiB certificate_list made it allocate 16 MiB before
     * the fingerprint check (found by HandshakeFuzzTest). The structures (RFC 5246 §7.4.2:
     * {@code "ASN.1Cert certificate_list<0..2^24-1>"} of {@code "opaque ASN.1Cert<1..2^24-1>"};
     * RFC 4680 §2: {@code "SupplementalDataEntry supp_data<1..2^24-1>"}) fill the whole message,
     * so the outer length must be the message length minus 3, and each certificate must fit in
     * what is left of the list.
     *
     * <p>Rule (exact, no residual allocation): the first fragment must hold the outer length
     * field and, for a Certificate, every certificate's length field; only the last certificate's
     * bytes may continue in later fragments. A first fragment that stops earlier is dropped, and so
     * is a fragment at a non-zero offset that arrives before any first fragment of its message
     * ({@link GuardState}), because Bouncy Castle's reassembler keeps the bytes that arrive first
     * for each position. Cost to real peers: WebRTC endpoints present one self-signed certificate
     * (W3C RTCCertificate), whose only length field is in bytes 3..5, so only a first fragment of under
     * 6 bytes is refused (a datagram packer that leaves 25..30 bytes at the end of a datagram);
     * a certificate chain is accepted only when the first fragment reaches its last certificate.
     */
    private static String checkInnerLengths(HandshakeHeader h, byte[] buf, int body) {
        int have = h.fragmentLength();
        int length = h.length();
        String what = h.msgType() == CERTIFICATE ? "certificate_list" : "supp_data";
        if (have < 3) {
            // A message shorter than 3 bytes is a decode_error for Bouncy Castle; no allocation.
            return have == length ? null
                    : "first fragment of " + have + " bytes does not hold the " + what + " length";
        }
        int outer = Bytes.u24(buf, body);
        if (outer != length - 3) {
            return what + " length " + outer + " does not fill the " + length + "-byte message";
        }
        if (h.msgType() == CERTIFICATE) {
            int p = 3;
            while (p < length) {
                if (have - p < 3) {
                    return "certificate length field at offset " + p + " is not in the first fragment ("
                            + have + " bytes)";
                }
                int certLength = Bytes.u24(buf, body + p);
                if (certLength > length - p - 3) {
                    return "certificate length " + certLength + " runs past the " + length + "-byte message";
                }
                int next = p + 3 + certLength;
                if (next > have && next != length) {
                    return "certificate length field at offset " + next + " is not in the first fragment ("
                            + have + " bytes)";
                }
                p = next;
            }
        }
        return null;
    }

    /** Handshake type of CertificateVerify (RFC 5246 §7.4.8). */
    static final int CERTIFICATE_VERIFY = 15;
    private static final int CHANGE_CIPHER_SPEC = 20;

    /**
     * Finds whether a datagram carries a ChangeCipherSpec record that comes before the client's
     * CertificateVerify has been seen (in earlier datagrams or earlier in this one).
     *
     * <p>Why: Bouncy Castle's server switches its read epoch as soon as a ChangeCipherSpec arrives
     * once it has the ClientKeyExchange. If the CertificateVerify that precedes it in the client's
     * flight was lost, its retransmission (epoch 0) is then discarded for the wrong epoch and the
     * handshake stalls until it times out. Dropping the datagram with the early ChangeCipherSpec
     * (it is useless before the CertificateVerify anyway) lets the client's retransmitted flight
     * (RFC 6347 §4.2.4) deliver CertificateVerify, ChangeCipherSpec and Finished in order.
     *
     * <p>A CertificateVerify counts as seen once its first fragment (offset 0) and its last
     * fragment (ending at its length) have both arrived, in one datagram or several: a peer that
     * fills datagrams (BoringSSL) may split it at a datagram boundary, with the tail travelling
     * with the ChangeCipherSpec. (A CertificateVerify in three or more fragments, which needs a
     * datagram smaller than the signature, counts when its ends have arrived.)
     *
     * @param before what earlier accepted datagrams carried
     * @return the scan result; records are walked as in {@link #check}, which must have passed
     */
    static CcsScan scanForChangeCipherSpec(byte[] buf, int off, int len, CcsScan before) {
        boolean head = before.certificateVerifyHead();
        boolean tail = before.certificateVerifyTail();
        boolean premature = false;
        int pos = off;
        int end = off + len;
        while (end - pos >= RecordHeader.LENGTH) {
            RecordHeader record = RecordHeader.parse(buf, pos); // walked as in check()
            int body = pos + RecordHeader.LENGTH;
            if (record.length() > end - body) {
                break;
            }
            if (record.epoch() == 0 && record.contentType() == CHANGE_CIPHER_SPEC && !(head && tail)) {
                premature = true;
            }
            if (record.epoch() == 0 && record.contentType() == RecordHeader.HANDSHAKE) {
                int p = body;
                int recordEnd = body + record.length();
                while (recordEnd - p >= HandshakeHeader.LENGTH) {
                    HandshakeHeader h = HandshakeHeader.parse(buf, p);
                    if (h.msgType() == CERTIFICATE_VERIFY) {
                        head |= h.fragmentOffset() == 0;
                        tail |= h.fragmentOffset() + h.fragmentLength() == h.length();
                    }
                    p += HandshakeHeader.LENGTH + h.fragmentLength();
                }
            }
            pos = body + record.length();
        }
        return new CcsScan(head, tail, premature);
    }

    /** {@link #scanForChangeCipherSpec(byte[], int, int, CcsScan)} after nothing or after a whole CertificateVerify. */
    static CcsScan scanForChangeCipherSpec(byte[] buf, int off, int len, boolean certificateVerifySeen) {
        return scanForChangeCipherSpec(buf, off, len, certificateVerifySeen ? CcsScan.SEEN : CcsScan.NONE);
    }

    /**
     * @param certificateVerifyHead a CertificateVerify fragment at offset 0 has been seen
     * @param certificateVerifyTail a CertificateVerify fragment ending the message has been seen
     * @param prematureChangeCipherSpec the datagram has a ChangeCipherSpec before both
     */
    record CcsScan(boolean certificateVerifyHead, boolean certificateVerifyTail, boolean prematureChangeCipherSpec) {
        static final CcsScan NONE = new CcsScan(false, false, false);
        static final CcsScan SEEN = new CcsScan(true, true, false);

        /** A whole CertificateVerify has now been seen. */
        boolean certificateVerifySeen() {
            return certificateVerifyHead && certificateVerifyTail;
        }
    }
}
