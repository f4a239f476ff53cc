package org.jdatachannel.sctp;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Our State Cookie (RFC 9260 §5.1.3): everything needed to create the association when the COOKIE
 * ECHO arrives, so no state is kept after sending INIT ACK, signed with HMAC-SHA256 under a secret
 * key (§5.1.3: "the MAC is computed ... using a secret key"). The peer may tamper with it; every
 * field is validated by {@link #verify}.
 *
 * <pre>
 *  magic "JDC1" (4) | created ms (8) | lifetime ms (4) | local tag (4) | peer tag (4)
 *  local initial TSN (4) | peer initial TSN (4) | peer a_rwnd (4) | outbound streams (2)
 *  inbound streams (2) | peer capabilities (1) | local tie-tag (4) | peer tie-tag (4) | HMAC (32)
 * </pre>
 *
 * @param createdMs creation time on the association's clock, ms
 * @param lifetimeMs validity, ms
 * @param localTag our verification tag (Initiate Tag of our INIT ACK)
 * @param peerTag the peer's Initiate Tag
 * @param localInitialTsn our initial TSN
 * @param peerInitialTsn the peer's initial TSN
 * @param peerRwnd the peer's a_rwnd
 * @param outboundStreams negotiated outbound streams
 * @param inboundStreams negotiated inbound streams
 * @param peerForwardTsn peer supports FORWARD TSN
 * @param peerReconfig peer supports RE-CONFIG
 * @param peerInterleaving peer lists I-DATA and I-FORWARD-TSN (RFC 8260)
 * @param peerZeroChecksum peer announced zero checksum with the DTLS method (RFC 9653)
 * @param localTieTag our tag when the INIT was received with an association existing, else 0
 * @param peerTieTag the peer's tag then, else 0
 */
record StateCookie(long createdMs, long lifetimeMs, int localTag, int peerTag, int localInitialTsn,
        int peerInitialTsn, int peerRwnd, int outboundStreams, int inboundStreams, boolean peerForwardTsn,
        boolean peerReconfig, int localTieTag, int peerTieTag, boolean peerInterleaving, boolean peerZeroChecksum) {

    static final int MAGIC = 0x4A444331;
    static final int BODY_SIZE = 4 + 8 + 4 + 4 + 4 + 4 + 4 + 4 + 2 + 2 + 1 + 4 + 4;
    static final int SIZE = BODY_SIZE + 32;

    /** Creates the HMAC engine keyed with {@code secret}. */
    static Mac newMac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    byte[] serialize(Mac mac) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(MAGIC).putLong(createdMs).putInt((int) lifetimeMs).putInt(localTag).putInt(peerTag)
                .putInt(localInitialTsn).putInt(peerInitialTsn).putInt(peerRwnd)
                .putShort((short) outboundStreams).putShort((short) inboundStreams)
                .put((byte) ((peerForwardTsn ? 1 : 0) | (peerReconfig ? 2 : 0) | (peerInterleaving ? 4 : 0)
                        | (peerZeroChecksum ? 8 : 0)))
                .putInt(localTieTag).putInt(peerTieTag);
        mac.update(b.array(), 0, BODY_SIZE);
        b.put(mac.doFinal());
        return b.array();
    }

    /**
     * Checks size, magic and MAC (constant time) and decodes.
     *
     * @return the cookie, or null if it is not one of ours or was modified
     */
    static StateCookie verify(byte[] cookie, Mac mac) {
        if (cookie.length != SIZE) {
            return null;
        }
        mac.update(cookie, 0, BODY_SIZE);
        byte[] expected = mac.doFinal();
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(cookie, BODY_SIZE, SIZE))) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(cookie);
        if (b.getInt() != MAGIC) {
            return null;
        }
        long created = b.getLong();
        long lifetime = Integer.toUnsignedLong(b.getInt());
        int lt = b.getInt();
        int pt = b.getInt();
        int ltsn = b.getInt();
        int ptsn = b.getInt();
        int rwnd = b.getInt();
        int os = b.getShort() & 0xffff;
        int is = b.getShort() & 0xffff;
        int caps = b.get();
        int ltt = b.getInt();
        int ptt = b.getInt();
        return new StateCookie(created, lifetime, lt, pt, ltsn, ptsn, rwnd, os, is, (caps & 1) != 0,
                (caps & 2) != 0, ltt, ptt, (caps & 4) != 0, (caps & 8) != 0);
    }
}
