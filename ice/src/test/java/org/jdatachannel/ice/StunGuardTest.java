package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetSocketAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link StunGuard} on its own: the rules of its class description, bit flips, random bytes. */
class StunGuardTest {
    private static final Logger LOG = LoggerFactory.getLogger(StunGuardTest.class);
    private static final String REMOTE_PWD = "remotePassword0123456789";
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 3478);
    private static final StunGuard GUARD = new StunGuard(() -> REMOTE_PWD, SERVER::equals);
    private static final byte[] TX = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    private static byte[] response(String key) {
        StunBytes.Builder b = StunBytes.message(StunBytes.BINDING_SUCCESS, TX).xorMappedAddress(PEER);
        if (key != null) {
            b.messageIntegrity(key);
        }
        return b.fingerprint().build();
    }

    @Test
    void rules() {
        byte[] request = StunBytes.message(StunBytes.BINDING_REQUEST, TX).username("a:b").priority(1)
                .messageIntegrity("whatever").fingerprint().build();
        assertEquals(StunGuard.Verdict.PASS, GUARD.check(request, PEER), "ice4j checks USERNAME and MI");
        assertEquals(StunGuard.Verdict.REQUEST_WITHOUT_CREDENTIALS, GUARD.check(
                StunBytes.message(StunBytes.BINDING_REQUEST, TX).username("a:b").fingerprint().build(), PEER));
        assertEquals(StunGuard.Verdict.REQUEST_WITHOUT_CREDENTIALS, GUARD.check(
                StunBytes.message(StunBytes.BINDING_REQUEST, TX).messageIntegrity("x").build(), PEER));
        // USERNAME after MESSAGE-INTEGRITY is not covered by it (RFC 8489 §14.5): does not count
        assertEquals(StunGuard.Verdict.REQUEST_WITHOUT_CREDENTIALS, GUARD.check(
                StunBytes.message(StunBytes.BINDING_REQUEST, TX).messageIntegrity("x").username("a:b").build(), PEER));
        assertEquals(StunGuard.Verdict.PASS, GUARD.check(response(REMOTE_PWD), PEER));
        assertEquals(StunGuard.Verdict.RESPONSE_BAD_INTEGRITY, GUARD.check(response("other"), PEER));
        assertEquals(StunGuard.Verdict.RESPONSE_WITHOUT_INTEGRITY, GUARD.check(response(null), PEER));
        assertEquals(StunGuard.Verdict.PASS, GUARD.check(response(null), SERVER), "a STUN server's plain response");
        StunGuard early = new StunGuard(() -> null, a -> false);
        assertEquals(StunGuard.Verdict.RESPONSE_BEFORE_REMOTE_CREDENTIALS, early.check(response(REMOTE_PWD), PEER));
        byte[] indication = StunBytes.message(StunBytes.BINDING_INDICATION, TX).fingerprint().build();
        assertEquals(StunGuard.Verdict.PASS, GUARD.check(indication, PEER), "keepalives go on to ice4j");
    }

    @Test
    void everyBitFlipOfAnAuthenticatedResponseIsCaught() {
        byte[] good = response(REMOTE_PWD);
        int miEnd = good.length - 8; // FINGERPRINT (8 bytes) follows MESSAGE-INTEGRITY
        int caught = 0;
        for (int i = 2; i < miEnd; i++) {
            if (i >= 4 && i < 8) {
                continue; // magic cookie: no longer STUN at all, ice4j drops it
            }
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                assertNotEquals(StunGuard.Verdict.PASS, GUARD.check(bad, PEER), "byte " + i + " bit " + bit);
                caught++;
            }
        }
        LOG.info("{} single-bit flips rejected", caught);
    }

    @Test
    void randomBytesNeverThrow() {
        long seed = Long.getLong("stun.seed", System.nanoTime());
        LOG.info("seed {} (-Dstun.seed to replay)", seed);
        Random r = new Random(seed);
        byte[] good = response(REMOTE_PWD);
        for (int i = 0; i < 200_000; i++) {
            byte[] m;
            if (r.nextBoolean()) {
                m = new byte[r.nextInt(200)];
                r.nextBytes(m);
                if (m.length >= 8) {
                    m[4] = 0x21;
                    m[5] = 0x12;
                    m[6] = (byte) 0xA4;
                    m[7] = 0x42;
                }
                if (m.length >= 4 && r.nextBoolean()) {
                    int len = m.length - 20;
                    m[2] = (byte) (len >>> 8);
                    m[3] = (byte) len;
                }
            } else {
                m = java.util.Arrays.copyOf(good, Math.max(0, good.length + r.nextInt(9) - 6));
                for (int k = r.nextInt(4); k > 0 && m.length > 0; k--) {
                    m[r.nextInt(m.length)] = (byte) r.nextInt();
                }
            }
            GUARD.check(m, r.nextBoolean() ? PEER : SERVER); // must not throw
        }
    }
}
