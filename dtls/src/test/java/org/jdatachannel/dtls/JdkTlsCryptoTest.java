package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.tls.TlsFatalAlert;
import org.junit.jupiter.api.Test;

class JdkTlsCryptoTest {

    private static final HexFormat HEX = HexFormat.of();

    /** RFC 8439 §2.8.2 AEAD_CHACHA20_POLY1305 example. */
    @Test
    void rfc8439AeadVector() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (0x80 + i);
        }
        byte[] nonce = HEX.parseHex("070000004041424344454647");
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
                + "the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);

        JdkTlsCrypto.JdkChaCha20Poly1305 enc = new JdkTlsCrypto.JdkChaCha20Poly1305(true);
        enc.setKey(key, 0, 32);
        enc.init(nonce, 16);
        byte[] sealed = new byte[enc.getOutputSize(plaintext.length)];
        assertEquals(plaintext.length + 16, enc.doFinal(aad, plaintext, 0, plaintext.length, sealed, 0));
        assertEquals("d31a8d34648e60db7b86afbc53ef7ec2", HEX.formatHex(sealed, 0, 16));
        assertEquals("1ae10b594f09e26a7e902ecbd0600691", HEX.formatHex(sealed, sealed.length - 16, sealed.length));

        // In place, as Bouncy Castle decrypts records.
        JdkTlsCrypto.JdkChaCha20Poly1305 dec = new JdkTlsCrypto.JdkChaCha20Poly1305(false);
        dec.setKey(key, 0, 32);
        dec.init(nonce, 16);
        byte[] buf = sealed.clone();
        assertEquals(plaintext.length, dec.doFinal(aad, buf, 0, buf.length, buf, 0));
        assertArrayEquals(plaintext, Arrays.copyOf(buf, plaintext.length));

        // A flipped tag bit is bad_record_mac (which DTLS silently discards).
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        dec.init(nonce, 16);
        TlsFatalAlert e = assertThrows(TlsFatalAlert.class, () -> dec.doFinal(aad, tampered, 0, tampered.length,
                new byte[tampered.length], 0));
        assertEquals(20, e.getAlertDescription());
    }

    /** Agrees with Bouncy Castle's independent lightweight implementation on random inputs. */
    @Test
    void matchesLightweightImplementation() throws Exception {
        long seed = System.nanoTime();
        System.out.println("matchesLightweightImplementation seed=" + seed);
        Random rnd = new Random(seed);
        for (int i = 0; i < 50; i++) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[12];
            byte[] aad = new byte[13];
            byte[] msg = new byte[rnd.nextInt(1500)];
            rnd.nextBytes(key);
            rnd.nextBytes(nonce);
            rnd.nextBytes(aad);
            rnd.nextBytes(msg);
            JdkTlsCrypto.JdkChaCha20Poly1305 enc = new JdkTlsCrypto.JdkChaCha20Poly1305(true);
            enc.setKey(key, 0, 32);
            enc.init(nonce, 16);
            byte[] ours = new byte[msg.length + 16];
            enc.doFinal(aad, msg, 0, msg.length, ours, 0);

            ChaCha20Poly1305 ref = new ChaCha20Poly1305();
            ref.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
            byte[] theirs = new byte[ref.getOutputSize(msg.length)];
            int n = ref.processBytes(msg, 0, msg.length, theirs, 0);
            ref.doFinal(theirs, n);
            assertArrayEquals(theirs, ours, "seed " + seed + " round " + i);
        }
    }

    /**
     * Record encryption uses the JDK's AES-GCM (SunJCE, with its AES-NI/CLMUL intrinsics), not
     * Bouncy Castle's pure-Java AES, and Bouncy Castle's JCA provider is never installed: our
     * crypto looks ciphers up through the default JCA providers, whose AES/GCM is SunJCE's, and no
     * "BC" provider is registered after a full handshake with data (the EC operations use a private
     * provider instance, see HandshakeJcaHelper).
     */
    @Test
    void aesGcmComesFromTheJdkAndNoBouncyCastleProviderIsInstalled() throws Exception {
        JdkTlsCrypto crypto = JdkTlsCrypto.create();
        // Only the elliptic-curve handshake operations go to a private Bouncy Castle provider
        // instance (HandshakeJcaHelper); ciphers, MACs and digests come from the JDK.
        assertEquals(HandshakeJcaHelper.class, crypto.getHelper().getClass());
        // The lookup Bouncy Castle's JceAEADCipherImpl makes for AES-GCM records.
        assertEquals("SunJCE", crypto.getHelper().createCipher("AES/GCM/NoPadding").getProvider().getName());
        assertEquals("SunJCE", javax.crypto.Cipher.getInstance("ChaCha20-Poly1305").getProvider().getName());

        MemoryLink link = new MemoryLink();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<DtlsTransport> server = pool.submit(() -> DtlsTransport.connect(
                    DtlsRole.SERVER, link.b, TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), 10_000));
            DtlsTransport c = DtlsTransport.connect(DtlsRole.CLIENT, link.a, TestCerts.EC_A,
                    TestCerts.fp(TestCerts.EC_B), 10_000);
            DtlsTransport s = server.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", c.cipherSuite());
            c.send(new byte[] {1, 2, 3}, 0, 3);
            assertEquals(3, s.receive(new byte[16], 0, 16, 5000));
            c.close();
            s.close();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(null, java.security.Security.getProvider("BC"));
        for (java.security.Provider p : java.security.Security.getProviders()) {
            assertFalse(p.getName().startsWith("BC"), "Bouncy Castle provider installed: " + p);
        }
    }

    /**
     * One crypto per JVM: its caches of supported groups, signature schemes and ciphers are filled
     * once, not probed again at every handshake (both ends of the handshake above shared it).
     */
    @Test
    void oneCryptoIsSharedByAllHandshakes() {
        org.junit.jupiter.api.Assertions.assertSame(JdkTlsCrypto.create(), JdkTlsCrypto.create());
        org.junit.jupiter.api.Assertions.assertNotSame(JdkTlsCrypto.create(), JdkTlsCrypto.createUnshared());
    }

    /** AES-GCM test case 4 of McGrew and Viega's GCM specification (AES-128, 60-byte plaintext, 20-byte AAD). */
    @Test
    void aesGcmVector() throws Exception {
        byte[] key = HEX.parseHex("feffe9928665731c6d6a8f9467308308");
        byte[] nonce = HEX.parseHex("cafebabefacedbaddecaf888");
        byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] plaintext = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        JdkTlsCrypto.JdkAesGcm enc = new JdkTlsCrypto.JdkAesGcm(16, true);
        enc.setKey(key, 0, 16);
        enc.init(nonce, 16);
        byte[] sealed = new byte[enc.getOutputSize(plaintext.length)];
        assertEquals(plaintext.length + 16, enc.doFinal(aad, plaintext, 0, plaintext.length, sealed, 0));
        assertEquals("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", HEX.formatHex(sealed, 0, plaintext.length));
        assertEquals("5bc94fbc3221a5db94fae95ae7121a47", HEX.formatHex(sealed, plaintext.length, sealed.length));

        JdkTlsCrypto.JdkAesGcm dec = new JdkTlsCrypto.JdkAesGcm(16, false);
        dec.setKey(key, 0, 16);
        dec.init(nonce, 16);
        assertEquals(plaintext.length, dec.getOutputSize(sealed.length));
        byte[] buf = sealed.clone();
        assertEquals(plaintext.length, dec.doFinal(aad, buf, 0, buf.length, buf, 0)); // in place
        assertArrayEquals(plaintext, Arrays.copyOf(buf, plaintext.length));

        byte[] tampered = sealed.clone();
        tampered[3] ^= 1;
        dec.init(nonce, 16); // the same nonce again: allowed when opening
        TlsFatalAlert e = assertThrows(TlsFatalAlert.class,
                () -> dec.doFinal(aad, tampered, 0, tampered.length, tampered, 0));
        assertEquals(20, e.getAlertDescription()); // bad_record_mac: discarded by DTLS
        assertThrows(TlsFatalAlert.class, () -> new JdkTlsCrypto.JdkAesGcm(16, true).setKey(new byte[32], 0, 32));
    }

    /** AES-GCM agrees with Bouncy Castle's lightweight GCM on random inputs (128- and 256-bit keys). */
    @Test
    void aesGcmMatchesLightweightImplementation() throws Exception {
        long seed = System.nanoTime();
        System.out.println("aesGcmMatchesLightweightImplementation seed=" + seed);
        Random rnd = new Random(seed);
        for (int i = 0; i < 50; i++) {
            int keySize = i % 2 == 0 ? 16 : 32;
            byte[] key = new byte[keySize];
            byte[] nonce = new byte[12];
            byte[] aad = new byte[13];
            byte[] msg = new byte[rnd.nextInt(1500)];
            rnd.nextBytes(key);
            rnd.nextBytes(nonce);
            rnd.nextBytes(aad);
            rnd.nextBytes(msg);
            JdkTlsCrypto.JdkAesGcm enc = new JdkTlsCrypto.JdkAesGcm(keySize, true);
            enc.setKey(key, 0, keySize);
            enc.init(nonce, 16);
            byte[] ours = new byte[msg.length + 16];
            enc.doFinal(aad, msg, 0, msg.length, ours, 0);
            org.bouncycastle.crypto.modes.GCMModeCipher bc =
                    org.bouncycastle.crypto.modes.GCMBlockCipher.newInstance(org.bouncycastle.crypto.engines.AESEngine.newInstance());
            bc.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
            byte[] theirs = new byte[bc.getOutputSize(msg.length)];
            int n = bc.processBytes(msg, 0, msg.length, theirs, 0);
            bc.doFinal(theirs, n);
            assertArrayEquals(theirs, ours, "seed " + seed + " case " + i);
        }
    }
}
