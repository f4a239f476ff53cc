package org.jdatachannel.dtls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.EncryptionAlgorithm;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsCipher;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipher;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * Bouncy Castle's JCA crypto on the JDK's default providers (elliptic-curve handshake operations
 * through Bouncy Castle's provider, see {@link HandshakeJcaHelper}), plus ChaCha20-Poly1305 records
 * through the JDK's own {@code "ChaCha20-Poly1305"} cipher (SunJCE, JDK 11+). Bouncy Castle's
 * {@link JcaTlsCrypto} looks ChaCha20 and Poly1305 up under its own provider's algorithm names,
 * which the JDK does not register, so without this it would not offer the suite at all.
 *
 * <p>RFC 7905 §2: the AEAD is RFC 8439's, 32-byte key, 12-byte nonce, 16-byte tag; the per-record
 * nonce is built by {@link TlsAEADCipher}.
 *
 * <p>AES-GCM records (RFC 5288) use the JDK's {@code "AES/GCM/NoPadding"} as before, but initialised
 * per record with a {@link GCMParameterSpec} ({@link JdkAesGcm}): Bouncy Castle's JCA wrapper looks up
 * a new {@code AlgorithmParameters("GCM")} from the providers and builds its spec by reflection for
 * every record, which cost more than the record's encryption on the data path.
 */
final class JdkTlsCrypto extends JcaTlsCrypto {

    private static final String JDK_CHACHA = "ChaCha20-Poly1305";
    private static final boolean HAS_JDK_CHACHA = probe();

    private JdkTlsCrypto(SecureRandom keyRandom, SecureRandom nonceRandom) {
        super(new HandshakeJcaHelper(), keyRandom, nonceRandom);
    }

    /**
     * The JVM's one crypto, shared by all handshakes. {@link JcaTlsCrypto} is built for sharing: its
     * only state is the provider helper, two {@link SecureRandom}s (thread-safe) and four caches of
     * which algorithms, groups and signature schemes the providers support, each a {@code Hashtable}
     * guarded by itself. A crypto per handshake refilled those caches at every handshake: each
     * offered named group, signature scheme and cipher was probed by instantiating the JCA object
     * (KeyAgreement, KeyPairGenerator, Signature, Cipher) on the handshake's critical path.
     */
    private static final class Shared {
        static final JdkTlsCrypto INSTANCE = new JdkTlsCrypto(new SecureRandom(), new SecureRandom());
    }

    /**
     * @return the JVM-wide crypto (JDK providers for records, digests and RSA, Bouncy Castle's for the
     *         handshake's elliptic-curve operations; see {@link HandshakeJcaHelper}); thread-safe
     */
    static JdkTlsCrypto create() {
        return Shared.INSTANCE;
    }

    /** @return a crypto of its own with fresh SecureRandoms and empty caches (tests) */
    static JdkTlsCrypto createUnshared() {
        return new JdkTlsCrypto(new SecureRandom(), new SecureRandom());
    }

    private static boolean probe() {
        try {
            Cipher.getInstance(JDK_CHACHA);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public boolean hasEncryptionAlgorithm(int encryptionAlgorithm) {
        if (encryptionAlgorithm == EncryptionAlgorithm.CHACHA20_POLY1305) {
            return HAS_JDK_CHACHA;
        }
        return super.hasEncryptionAlgorithm(encryptionAlgorithm);
    }

    @Override
    public TlsCipher createCipher(TlsCryptoParameters cryptoParams, int encryptionAlgorithm, int macAlgorithm)
            throws IOException {
        if (encryptionAlgorithm == EncryptionAlgorithm.CHACHA20_POLY1305 && HAS_JDK_CHACHA) {
            try {
                return new TlsAEADCipher(cryptoParams, new JdkChaCha20Poly1305(true), new JdkChaCha20Poly1305(false),
                        32, 16, TlsAEADCipher.AEAD_CHACHA20_POLY1305, null);
            } catch (GeneralSecurityException e) {
                throw new TlsFatalAlert(AlertDescription.internal_error, e);
            }
        }
        return super.createCipher(cryptoParams, encryptionAlgorithm, macAlgorithm);
    }

    @Override
    protected TlsAEADCipherImpl createAEADCipher(String cipherName, String algorithm, int keySize,
            boolean isEncrypting) throws GeneralSecurityException {
        if ("AES/GCM/NoPadding".equals(cipherName) && "AES".equals(algorithm)) {
            return new JdkAesGcm(keySize, isEncrypting);
        }
        return super.createAEADCipher(cipherName, algorithm, keySize, isEncrypting);
    }

    /**
     * One direction of AES-GCM for TLS records (RFC 5288 §3: 4-byte salt + 8-byte explicit nonce,
     * built by {@link TlsAEADCipher}; 16-byte tag) on the JDK cipher. Not thread-safe.
     */
    static final class JdkAesGcm implements TlsAEADCipherImpl {
        private final Cipher cipher;
        private final int mode;
        private final int keySize;
        private SecretKey key;
        private int tagLength;

        /**
         * @param keySize key length in bytes, 16 or 32
         * @param encrypt true to seal, false to open
         */
        JdkAesGcm(int keySize, boolean encrypt) throws GeneralSecurityException {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
            this.mode = encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
            this.keySize = keySize;
        }

        @Override
        public void setKey(byte[] k, int off, int len) throws IOException {
            if (len != keySize) {
                throw new TlsFatalAlert(AlertDescription.internal_error, "AES-GCM key must be " + keySize + " bytes");
            }
            this.key = new SecretKeySpec(k, off, len, "AES");
        }

        @Override
        public void init(byte[] nonce, int macSize) throws IOException {
            try {
                // A fresh nonce per record (RFC 5288 §3); the JDK refuses to encrypt twice under one
                // key and nonce, which never happens (sequence numbers), and allows repeated decryption.
                cipher.init(mode, key, new GCMParameterSpec(macSize * 8, nonce));
                tagLength = macSize;
            } catch (GeneralSecurityException e) {
                throw new TlsFatalAlert(AlertDescription.internal_error, e);
            }
        }

        @Override
        public int getOutputSize(int inputLength) {
            return mode == Cipher.ENCRYPT_MODE ? inputLength + tagLength : Math.max(0, inputLength - tagLength);
        }

        @Override
        public int doFinal(byte[] additionalData, byte[] input, int inputOffset, int inputLength, byte[] output,
                int outputOffset) throws IOException {
            try {
                if (additionalData != null && additionalData.length > 0) {
                    cipher.updateAAD(additionalData);
                }
                // Cipher.doFinal is copy-safe: Bouncy Castle decrypts in place.
                return cipher.doFinal(input, inputOffset, inputLength, output, outputOffset);
            } catch (GeneralSecurityException e) {
                // Opening: any failure is a record to discard silently (RFC 6347 §4.1.2.7), as Bouncy
                // Castle's own wrapper ends (its RuntimeException becomes bad_record_mac).
                if (mode == Cipher.DECRYPT_MODE || e instanceof AEADBadTagException) {
                    throw new TlsFatalAlert(AlertDescription.bad_record_mac);
                }
                throw new TlsFatalAlert(AlertDescription.internal_error, e);
            }
        }
    }

    /** One direction of ChaCha20-Poly1305 (RFC 8439 §2.8) on the JDK cipher. Not thread-safe. */
    static final class JdkChaCha20Poly1305 implements TlsAEADCipherImpl {
        private static final int TAG_LENGTH = 16;

        private final Cipher cipher;
        private final int mode;
        private SecretKey key;
        private byte[] lastNonce;

        JdkChaCha20Poly1305(boolean encrypt) throws GeneralSecurityException {
            this.cipher = Cipher.getInstance(JDK_CHACHA);
            this.mode = encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        }

        @Override
        public void setKey(byte[] k, int off, int len) throws IOException {
            if (len != 32) {
                throw new TlsFatalAlert(AlertDescription.internal_error, "ChaCha20 key must be 32 bytes");
            }
            this.key = new SecretKeySpec(k, off, len, "ChaCha20");
            this.lastNonce = null;
        }

        @Override
        public void init(byte[] nonce, int macSize) throws IOException {
            if (nonce == null || nonce.length != 12 || macSize != TAG_LENGTH) {
                throw new TlsFatalAlert(AlertDescription.internal_error, "ChaCha20-Poly1305 needs a 12-byte nonce");
            }
            // The nonce is unique per record (RFC 7905 §2: sequence number XOR fixed IV). The JDK
            // refuses to re-initialise with the previous key and nonce, in both modes. Decrypting
            // twice under one nonce is harmless and happens when a forged or corrupted record
            // fails authentication and the genuine record with the same sequence number follows
            // (the replay window only records authenticated records), so for decryption we step
            // through a different nonce first. Encryption never repeats a nonce; if it did, the
            // JDK's refusal is the right outcome.
            try {
                if (mode == Cipher.DECRYPT_MODE && java.util.Arrays.equals(nonce, lastNonce)) {
                    byte[] other = nonce.clone();
                    other[0] ^= 1;
                    cipher.init(mode, key, new IvParameterSpec(other));
                }
                cipher.init(mode, key, new IvParameterSpec(nonce));
                lastNonce = nonce.clone();
            } catch (GeneralSecurityException e) {
                throw new TlsFatalAlert(AlertDescription.internal_error, e);
            }
        }

        @Override
        public int getOutputSize(int inputLength) {
            return mode == Cipher.ENCRYPT_MODE ? inputLength + TAG_LENGTH : inputLength - TAG_LENGTH;
        }

        @Override
        public int doFinal(byte[] additionalData, byte[] input, int inputOffset, int inputLength, byte[] output,
                int outputOffset) throws IOException {
            try {
                if (additionalData != null && additionalData.length > 0) {
                    cipher.updateAAD(additionalData);
                }
                // Cipher.doFinal is copy-safe: Bouncy Castle decrypts in place.
                return cipher.doFinal(input, inputOffset, inputLength, output, outputOffset);
            } catch (AEADBadTagException e) {
                throw new TlsFatalAlert(AlertDescription.bad_record_mac);
            } catch (GeneralSecurityException e) {
                throw new TlsFatalAlert(AlertDescription.internal_error, e);
            }
        }
    }
}
