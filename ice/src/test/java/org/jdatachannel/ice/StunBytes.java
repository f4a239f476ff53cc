package org.jdatachannel.ice;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test support: STUN messages (RFC 8489) built and read byte by byte, independently of ice4j, so
 * tests can send exactly the malformed or forged messages a hostile peer would.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Magic Cookie                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Transaction ID (96 bits)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
final class StunBytes {
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_INDICATION = 0x0011;
    static final int BINDING_SUCCESS = 0x0101;
    static final int BINDING_ERROR = 0x0111;
    static final int MAGIC_COOKIE = 0x2112A442;

    static final int USERNAME = 0x0006;
    static final int MESSAGE_INTEGRITY = 0x0008;
    static final int ERROR_CODE = 0x0009;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
    static final int PRIORITY = 0x0024;
    static final int USE_CANDIDATE = 0x0025;
    static final int FINGERPRINT = 0x8028;
    static final int ICE_CONTROLLED = 0x8029;
    static final int ICE_CONTROLLING = 0x802A;

    private StunBytes() {
    }

    /** A message under construction: header, then attributes in order. */
    static final class Builder {
        private final int type;
        private final byte[] txid;
        private final ByteArrayOutputStream attrs = new ByteArrayOutputStream();

        Builder(int type, byte[] txid) {
            this.type = type;
            this.txid = txid.clone();
        }

        Builder attr(int attrType, byte[] value) {
            write16(attrType);
            write16(value.length);
            attrs.writeBytes(value);
            attrs.writeBytes(new byte[(4 - value.length % 4) % 4]); // RFC 8489 §14: 32-bit padding
            return this;
        }

        Builder username(String u) {
            return attr(USERNAME, u.getBytes(StandardCharsets.UTF_8));
        }

        Builder priority(long p) {
            return attr(PRIORITY, ByteBuffer.allocate(4).putInt((int) p).array());
        }

        Builder controlled(long tieBreaker) {
            return attr(ICE_CONTROLLED, ByteBuffer.allocate(8).putLong(tieBreaker).array());
        }

        Builder controlling(long tieBreaker) {
            return attr(ICE_CONTROLLING, ByteBuffer.allocate(8).putLong(tieBreaker).array());
        }

        Builder useCandidate() {
            return attr(USE_CANDIDATE, new byte[0]);
        }

        Builder xorMappedAddress(InetSocketAddress a) {
            byte[] ip = a.getAddress().getAddress();
            if (!(a.getAddress() instanceof Inet4Address)) {
                throw new IllegalArgumentException("IPv4 only in this helper");
            }
            ByteBuffer b = ByteBuffer.allocate(8);
            b.put((byte) 0).put((byte) 1).putShort((short) (a.getPort() ^ (MAGIC_COOKIE >>> 16)));
            int x = ByteBuffer.wrap(ip).getInt() ^ MAGIC_COOKIE;
            b.putInt(x);
            return attr(XOR_MAPPED_ADDRESS, b.array());
        }

        /**
         * RFC 8489 §14.5: HMAC-SHA1 over the message up to the attribute, with the header's length
         * already counting the MESSAGE-INTEGRITY attribute (24 bytes). Short-term credential: the
         * key is the password itself (§9.1.2, after OpaqueString; ASCII here).
         */
        Builder messageIntegrity(String password) {
            byte[] sofar = header(attrs.size() + 24);
            byte[] body = attrs.toByteArray();
            byte[] hmac = hmacSha1(password.getBytes(StandardCharsets.UTF_8), concat(sofar, body));
            return attr(MESSAGE_INTEGRITY, hmac);
        }

        /** RFC 8489 §14.7: CRC-32 of the message up to the attribute, XOR 0x5354554E. */
        Builder fingerprint() {
            byte[] sofar = concat(header(attrs.size() + 8), attrs.toByteArray());
            CRC32 crc = new CRC32();
            crc.update(sofar);
            int v = (int) crc.getValue() ^ 0x5354554E;
            return attr(FINGERPRINT, ByteBuffer.allocate(4).putInt(v).array());
        }

        byte[] build() {
            return concat(header(attrs.size()), attrs.toByteArray());
        }

        private byte[] header(int length) {
            ByteBuffer b = ByteBuffer.allocate(20);
            b.putShort((short) type).putShort((short) length).putInt(MAGIC_COOKIE).put(txid);
            return b.array();
        }

        private void write16(int v) {
            attrs.write(v >>> 8);
            attrs.write(v);
        }
    }

    static Builder message(int type, byte[] txid) {
        return new Builder(type, txid);
    }

    static int type(byte[] m) {
        return ((m[0] & 0xFF) << 8) | (m[1] & 0xFF);
    }

    static byte[] txid(byte[] m) {
        byte[] t = new byte[12];
        System.arraycopy(m, 8, t, 0, 12);
        return t;
    }

    /** @return the value of the first attribute of that type, or null (assumes a well-formed message) */
    static byte[] attribute(byte[] m, int attrType) {
        int pos = 20;
        int end = Math.min(m.length, 20 + (((m[2] & 0xFF) << 8) | (m[3] & 0xFF)));
        while (pos + 4 <= end) {
            int t = ((m[pos] & 0xFF) << 8) | (m[pos + 1] & 0xFF);
            int len = ((m[pos + 2] & 0xFF) << 8) | (m[pos + 3] & 0xFF);
            if (pos + 4 + len > end) {
                return null;
            }
            if (t == attrType) {
                byte[] v = new byte[len];
                System.arraycopy(m, pos + 4, v, 0, len);
                return v;
            }
            pos += 4 + len + (4 - len % 4) % 4;
        }
        return null;
    }

    /** @return the ERROR-CODE of an error response (class * 100 + number), or -1 */
    static int errorCode(byte[] m) {
        byte[] v = attribute(m, ERROR_CODE);
        return v == null || v.length < 4 ? -1 : (v[2] & 0x07) * 100 + (v[3] & 0xFF);
    }

    static byte[] hmacSha1(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
