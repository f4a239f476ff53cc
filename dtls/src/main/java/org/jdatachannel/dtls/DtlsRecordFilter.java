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

    /** Largest handshake message length we let through (bytes). Real ones are a few KiB. */
    static final int MAX_HANDSHAKE_MESSAGE_LENGTH = 64 * 1024;

    static final int RECORD_HEADER_LENGTH = 13;
    static final int HANDSHAKE_HEADER_LENGTH = 12;
    private static final int CONTENT_TYPE_HANDSHAKE = 22;

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
        while (end - pos >= RECORD_HEADER_LENGTH) {
            int type = buf[pos] & 0xFF;
            if (type < 20 || type > 26) {
                // DTLS 1.3 unified header (001xxxxx) or unknown: its length field is not at a fixed
                // place; Bouncy Castle (DTLS 1.2) discards such records, nothing further to check.
                return null;
            }
            int epoch = u16(buf, pos + 3);
            int recordLength = u16(buf, pos + 11);
            int body = pos + RECORD_HEADER_LENGTH;
            if (recordLength > end - body) {
                // Truncated record: Bouncy Castle requires the whole record and discards it.
                return null;
            }
            if (type == CONTENT_TYPE_HANDSHAKE && epoch == 0) {
                String problem = checkHandshakeFragments(buf, body, recordLength);
                if (problem != null) {
                    return problem;
                }
            }
            pos = body + recordLength;
        }
        return null;
    }

    /** Checks every handshake fragment inside one plaintext record body. */
    private static String checkHandshakeFragments(byte[] buf, int off, int len) {
        int pos = off;
        int end = off + len;
        while (pos < end) {
            if (end - pos < HANDSHAKE_HEADER_LENGTH) {
                return "handshake fragment header truncated (" + (end - pos) + " bytes)";
            }
            long length = u24(buf, pos + 1);
            long fragmentOffset = u24(buf, pos + 6);
            long fragmentLength = u24(buf, pos + 9);
            if (length > MAX_HANDSHAKE_MESSAGE_LENGTH) {
                return "handshake message length " + length + " exceeds " + MAX_HANDSHAKE_MESSAGE_LENGTH
                        + " (CVE-2026-59646 guard)";
            }
            // RFC 6347 §4.2.3: a fragment covers [fragment_offset, fragment_offset + fragment_length)
            // of a message of `length` bytes.
            if (fragmentOffset + fragmentLength > length) {
                return "handshake fragment offset " + fragmentOffset + " + length " + fragmentLength
                        + " exceeds message length " + length;
            }
            if (fragmentLength > end - pos - HANDSHAKE_HEADER_LENGTH) {
                return "handshake fragment length " + fragmentLength + " runs past its record";
            }
            pos += HANDSHAKE_HEADER_LENGTH + (int) fragmentLength;
        }
        return null;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static long u24(byte[] b, int i) {
        return ((b[i] & 0xFFL) << 16) | ((b[i + 1] & 0xFFL) << 8) | (b[i + 2] & 0xFFL);
    }
}
