package org.jdatachannel.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates ICE's STUN Binding messages before ice4j sees them, because ice4j 3.2 does not:
 * it processes a Binding request that has a valid USERNAME but no MESSAGE-INTEGRITY as a genuine
 * connectivity check (answering success, learning a peer-reflexive candidate and sending
 * triggered checks to whatever address sent it), and it accepts a Binding response without
 * MESSAGE-INTEGRITY as proof that a pair works. Both are found by {@code StunHostileInputTest}.
 *
 * <p>Rules (short-term credentials, RFC 8445 §7.2.2 and RFC 8489 §9.1):
 * <ul>
 *   <li>Binding request: must carry USERNAME and MESSAGE-INTEGRITY. RFC 8489 §9.1.3
 *       (paraphrased): a request lacking either is rejected with 400 (Bad Request). We drop it
 *       silently instead (deviation: no reply at all to unauthenticated input, so the port cannot
 *       be used as a reflector). A request that has both goes to ice4j, which checks the USERNAME
 *       and the MESSAGE-INTEGRITY and answers 401 (Unauthorized) when they are wrong (never larger
 *       than the request; see the test).</li>
 *   <li>Binding success or error response from anyone but a configured STUN/TURN server: its
 *       MESSAGE-INTEGRITY must verify with the remote password. RFC 8489 §9.1.4: "If the value
 *       does not match, or if both MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 were absent,
 *       ... the response MUST be discarded, as if it was never received." (over UDP), so the
 *       check's retransmissions go on. Responses of STUN/TURN servers (no or long-term
 *       credentials) are left to ice4j's transactions.</li>
 *   <li>Everything else in the STUN range (indications, TURN methods, messages ice4j will find
 *       malformed) passes unchanged: ice4j matches responses to its own transactions and drops the
 *       rest.</li>
 * </ul>
 *
 * <p>Not covered: STUN that reaches ice4j through a TURN relay (Data indications are unwrapped
 * inside ice4j); the TURN server only relays from peers we installed permissions for.
 *
 * <p>Thread-safety: immutable apart from the suppliers it reads; called on socket reader threads.
 */
final class StunGuard {
    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int BINDING_REQUEST = 0x0001;
    private static final int BINDING_SUCCESS = 0x0101;
    private static final int BINDING_ERROR = 0x0111;
    private static final int USERNAME = 0x0006;
    private static final int MESSAGE_INTEGRITY = 0x0008;
    private static final int HMAC_SHA1_BYTES = 20;

    /** Why a message was dropped, or {@link #PASS}. */
    enum Verdict {
        PASS,
        REQUEST_WITHOUT_CREDENTIALS,
        RESPONSE_WITHOUT_INTEGRITY,
        RESPONSE_BAD_INTEGRITY,
        RESPONSE_BEFORE_REMOTE_CREDENTIALS
    }

    private final Supplier<String> remotePassword;
    private final Predicate<InetSocketAddress> isServer;

    /**
     * @param remotePassword the peer's ICE password, or null while unknown
     * @param isServer       whether an address is a configured STUN/TURN server
     */
    StunGuard(Supplier<String> remotePassword, Predicate<InetSocketAddress> isServer) {
        this.remotePassword = remotePassword;
        this.isServer = isServer;
    }

    /**
     * @param m    a datagram in the STUN range (first byte 0..3), whole
     * @param from its source
     * @return {@link Verdict#PASS} to hand it to ice4j, otherwise why it is dropped
     */
    Verdict check(byte[] m, InetSocketAddress from) {
        if (m.length < 20 || readInt(m, 4) != MAGIC_COOKIE) {
            return Verdict.PASS; // not STUN as RFC 8489 §6.3 defines it: ice4j drops it
        }
        int type = readShort(m, 0);
        if (type == BINDING_REQUEST) {
            boolean username = attributeOffset(m, USERNAME) >= 0;
            boolean integrity = attributeOffset(m, MESSAGE_INTEGRITY) >= 0;
            return username && integrity ? Verdict.PASS : Verdict.REQUEST_WITHOUT_CREDENTIALS;
        }
        if ((type == BINDING_SUCCESS || type == BINDING_ERROR) && !isServer.test(from)) {
            int mi = attributeOffset(m, MESSAGE_INTEGRITY);
            if (mi < 0) {
                return Verdict.RESPONSE_WITHOUT_INTEGRITY;
            }
            String pwd = remotePassword.get();
            if (pwd == null) {
                return Verdict.RESPONSE_BEFORE_REMOTE_CREDENTIALS;
            }
            return integrityMatches(m, mi, pwd) ? Verdict.PASS : Verdict.RESPONSE_BAD_INTEGRITY;
        }
        return Verdict.PASS;
    }

    /**
     * The offset of the first attribute of {@code type} that lies before any MESSAGE-INTEGRITY
     * (RFC 8489 §14.5: attributes after it, except FINGERPRINT, are ignored), or -1; also -1
     * when the attribute walk leaves the message or the header length is wrong (a malformed
     * message, which ice4j will drop).
     */
    static int attributeOffset(byte[] m, int type) {
        int length = readShort(m, 2);
        if (length != m.length - 20 || (length & 3) != 0) {
            return -1;
        }
        int pos = 20;
        while (pos + 4 <= m.length) {
            int t = readShort(m, pos);
            int len = readShort(m, pos + 2);
            if (pos + 4 + len > m.length) {
                return -1;
            }
            if (t == type) {
                return pos;
            }
            if (t == MESSAGE_INTEGRITY) {
                return -1;
            }
            pos += 4 + ((len + 3) & ~3);
        }
        return -1;
    }

    /**
     * RFC 8489 §14.5: the HMAC-SHA1, keyed with the password (short-term credential, §9.1.2),
     * covers the message up to the MESSAGE-INTEGRITY attribute with the header's length field
     * counting up to the end of that attribute.
     */
    static boolean integrityMatches(byte[] m, int miOffset, String password) {
        if (readShort(m, miOffset + 2) != HMAC_SHA1_BYTES) {
            return false;
        }
        byte[] covered = java.util.Arrays.copyOf(m, miOffset);
        int adjusted = miOffset + 4 + HMAC_SHA1_BYTES - 20;
        covered[2] = (byte) (adjusted >>> 8);
        covered[3] = (byte) adjusted;
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            expected = mac.doFinal(covered);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
        byte[] got = java.util.Arrays.copyOfRange(m, miOffset + 4, miOffset + 4 + HMAC_SHA1_BYTES);
        return MessageDigest.isEqual(expected, got);
    }

    private static int readShort(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static int readInt(byte[] b, int off) {
        return (readShort(b, off) << 16) | readShort(b, off + 2);
    }
}
