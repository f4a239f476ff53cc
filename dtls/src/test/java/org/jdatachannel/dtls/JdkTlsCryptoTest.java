package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
