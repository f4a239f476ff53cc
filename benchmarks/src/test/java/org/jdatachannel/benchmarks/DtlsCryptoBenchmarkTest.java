package org.jdatachannel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.Security;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;
import org.jdatachannel.benchmarks.DtlsCryptoBenchmark.Aead;
import org.jdatachannel.benchmarks.DtlsCryptoBenchmark.Impl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The benchmark compares like with like: for each AEAD the JDK and Bouncy Castle record ciphers
 * produce the same bytes for the same key, nonce and additional data, open each other's records and
 * refuse a tampered one; every benchmark cell runs. Nothing here is about speed.
 */
class DtlsCryptoBenchmarkTest {

    @ParameterizedTest
    @EnumSource(Aead.class)
    void jdkAndBouncyCastleSealTheSameBytesAndOpenEachOthersRecords(Aead aead) throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        byte[] key = new byte[aead.keyBytes];
        rnd.nextBytes(key);
        byte[] iv = new byte[aead.fixedIvBytes];
        rnd.nextBytes(iv);
        for (int size : new int[] {0, 1, 200, 1191, 16384}) {
            byte[] plain = new byte[size];
            rnd.nextBytes(plain);
            long seq = (1L << 48) | size;
            byte[] nonce = DtlsCryptoBenchmark.nonce(aead, iv, seq);
            byte[] aad = DtlsCryptoBenchmark.additionalData(seq, size);
            byte[] jdk = seal(aead, Impl.JDK, key, nonce, aad, plain);
            byte[] bc = seal(aead, Impl.BC, key, nonce, aad, plain);
            assertEquals(size + 16, jdk.length);
            assertArrayEquals(jdk, bc, aead + " " + size);
            assertArrayEquals(plain, open(aead, Impl.BC, key, nonce, aad, jdk));
            assertArrayEquals(plain, open(aead, Impl.JDK, key, nonce, aad, bc));
            byte[] tampered = jdk.clone();
            tampered[tampered.length - 1] ^= 1;
            for (Impl impl : Impl.values()) {
                // BC's JCA adapter throws IllegalStateException, the others TlsFatalAlert(bad_record_mac);
                // TlsAEADCipher.decodeCiphertext turns a RuntimeException into bad_record_mac too.
                Exception e = assertThrows(Exception.class, () -> open(aead, impl, key, nonce, aad, tampered));
                assertTrue(e instanceof IOException || e instanceof RuntimeException, impl + " " + size + ": " + e);
            }
        }
    }

    @Test
    void jdkMeansTheJdkProvidersAndNoBouncyCastleProviderIsInstalled() throws Exception {
        assertEquals("SunJCE", Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName());
        assertEquals("SunJCE", Cipher.getInstance("ChaCha20-Poly1305").getProvider().getName());
        DtlsCryptoBenchmark.create(Aead.AES_128_GCM, Impl.JDK, true);
        DtlsCryptoBenchmark.create(Aead.CHACHA20_POLY1305, Impl.JDK, true);
        assertNull(Security.getProvider("BC"));
    }

    @Test
    void everyCellSealsAndOpens() throws IOException {
        for (Aead aead : Aead.values()) {
            for (Impl impl : Impl.values()) {
                for (int size : new int[] {200, 1191, 16384}) {
                    DtlsCryptoBenchmark b = new DtlsCryptoBenchmark();
                    b.aead = aead;
                    b.impl = impl;
                    b.size = size;
                    b.setUp();
                    for (int i = 0; i < 2 * DtlsCryptoBenchmark.RECORDS + 1; i++) {
                        assertEquals(size + 16, b.seal());
                        assertEquals(size, b.open());
                    }
                }
            }
        }
    }

    @Test
    void cpuTimeHarnessReportsTheMedianRoundWithinItsSpread() throws IOException {
        double[] m = DtlsCryptoBenchmark.cpuMeasure(Aead.AES_128_GCM, Impl.BC, 200, false, 5, 5, 3);
        assertTrue(m[0] > 0 && m[1] <= m[0] && m[0] <= m[2], java.util.Arrays.toString(m));
        assertEquals(200 / m[3] * 1e3, m[0], 1e-9);
    }

    private static byte[] seal(Aead aead, Impl impl, byte[] key, byte[] nonce, byte[] aad, byte[] plain)
            throws IOException {
        TlsAEADCipherImpl c = DtlsCryptoBenchmark.create(aead, impl, true);
        c.setKey(key, 0, key.length);
        c.init(nonce, 16);
        byte[] out = new byte[c.getOutputSize(plain.length)];
        assertEquals(out.length, c.doFinal(aad, plain, 0, plain.length, out, 0));
        return out;
    }

    private static byte[] open(Aead aead, Impl impl, byte[] key, byte[] nonce, byte[] aad, byte[] sealed)
            throws IOException {
        TlsAEADCipherImpl c = DtlsCryptoBenchmark.create(aead, impl, false);
        c.setKey(key, 0, key.length);
        c.init(nonce, 16);
        byte[] out = new byte[c.getOutputSize(sealed.length)];
        assertEquals(out.length, c.doFinal(aad, sealed, 0, sealed.length, out, 0));
        return out;
    }
}
