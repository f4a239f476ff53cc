package org.jdatachannel.dtls;

import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

import javax.crypto.KeyAgreement;

import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.jcajce.util.ProviderJcaJceHelper;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JCA helper of {@link JdkTlsCrypto}: elliptic-curve public-key operations of the handshake
 * (ECDSA signatures and their verification, ECDH, X25519/X448 key generation and agreement,
 * EdDSA) through Bouncy Castle's provider; everything else (AES-GCM and ChaCha20-Poly1305
 * records, HMAC/PRF, digests, RSA, certificate parsing, SecureRandom) through the JDK's default
 * providers as before.
 *
 * <p>Why: on JDK 17, SunEC's P-256 arithmetic is generic Java code; measured on the 2-core CI
 * machine (warm JIT, 300 iterations): ECDSA P-256 sign 0.92 ms vs 0.14 ms in Bouncy Castle,
 * verify 1.96 ms vs 0.18 ms, X25519 key pair + agreement 0.59 ms vs 0.22 ms. A DTLS 1.2 handshake
 * does two signatures, two verifications and two key agreements on its critical path, which made
 * the asymmetric crypto about 85 % of the handshake's CPU (JFR) and most of its wall time. The
 * JDK stays in charge of the record ciphers, where its AES-GCM intrinsics are the faster choice.
 *
 * <p>Bouncy Castle signs with its fixed-point comb multiplier, whose table lookups are constant
 * time, and X25519/X448 come from its RFC 7748 implementation (constant time by design).
 *
 * <p>Signing keys: Bouncy Castle converts a JDK {@code ECPrivateKey} into its own domain
 * parameters on every {@code initSign}, which creates a new base point and so repeats the
 * fixed-point comb precomputation each time (measured: a sign costs ~6x more than with a
 * Bouncy Castle key). Signatures made here therefore sign with a Bouncy Castle copy of a JDK EC
 * private key, translated once per key object and remembered in a weak map (the entry goes when
 * the original key is unreachable, e.g. with its {@link DtlsCertificate}). A translated copy
 * still has a base point of its own, so its first signature pays the comb precomputation once
 * (~0.2 ms warm, more while the JIT is cold). A key that {@link DtlsCertificate#generate()}
 * made with Bouncy Castle's generator is registered with that generator's key instead
 * ({@link #rememberBcKey}): its domain parameters are the named curve's shared ones, whose base
 * point's comb table is computed once per JVM, so a fresh certificate per connection signs its
 * first handshake message at the cost of any later one.
 *
 * <p>The provider is one private instance used by reference ({@link ProviderJcaJceHelper}); it is
 * <em>not</em> added to the JVM's provider list, so nothing else in the application changes.
 * Keys made by other providers (the JDK's {@link java.security.interfaces.ECPrivateKey} of a
 * {@link DtlsCertificate}, the peer's public key parsed from its certificate by the JDK's
 * CertificateFactory) are accepted by Bouncy Castle's classes through the standard interfaces.
 *
 * <p>Thread-safe (stateless; each call returns a new engine object).
 */
final class HandshakeJcaHelper extends DefaultJcaJceHelper {

    /** Created on first use (the provider's constructor registers many algorithms: ~0.1 s once). */
    private static final class Holder {
        static final Provider BC = new BouncyCastleProvider();
        static final ProviderJcaJceHelper HELPER = new ProviderJcaJceHelper(BC);
    }

    /** @return the private Bouncy Castle provider instance (not registered in the JVM) */
    static Provider provider() {
        return Holder.BC;
    }

    /** @return true for an elliptic-curve algorithm name handled by Bouncy Castle */
    static boolean isEllipticCurve(String algorithm) {
        String a = algorithm.toUpperCase(Locale.ROOT);
        return a.equals("EC") || a.equals("ECDH") || a.contains("ECDSA") || a.equals("X25519") || a.equals("X448")
                || a.equals("XDH") || a.equals("ED25519") || a.equals("ED448") || a.equals("EDDSA");
    }

    /** Bouncy Castle copies of JDK EC private keys, by original key (weak; guarded by itself). */
    private static final Map<PrivateKey, PrivateKey> BC_KEYS = Collections.synchronizedMap(new WeakHashMap<>());

    @Override
    public Signature createSignature(String algorithm) throws NoSuchAlgorithmException {
        return isEllipticCurve(algorithm) ? new BcKeySignature(Holder.HELPER.createSignature(algorithm))
                : super.createSignature(algorithm);
    }

    /**
     * @return {@code key} itself if it is Bouncy Castle's or not an EC key, else its Bouncy Castle
     *         copy (made once per key object)
     */
    static PrivateKey bcKey(PrivateKey key) throws InvalidKeyException {
        if (!(key instanceof java.security.interfaces.ECPrivateKey)
                || key instanceof org.bouncycastle.jce.interfaces.ECPrivateKey) {
            return key;
        }
        PrivateKey copy = BC_KEYS.get(key);
        if (copy == null) {
            try {
                copy = (PrivateKey) Holder.HELPER.createKeyFactory("EC").translateKey(key);
            } catch (NoSuchAlgorithmException e) {
                throw new InvalidKeyException("Bouncy Castle has no EC key factory", e);
            }
            BC_KEYS.put(key, copy);
        }
        return copy;
    }

    /**
     * Registers {@code bc} as the Bouncy Castle key to sign with in place of {@code jdk}.
     *
     * @param jdk a JDK EC private key
     * @param bc a Bouncy Castle EC private key with the same secret scalar and curve (the caller
     *     guarantees it: both come from one key generation)
     */
    static void rememberBcKey(PrivateKey jdk, PrivateKey bc) {
        BC_KEYS.put(jdk, bc);
    }

    /** A Bouncy Castle signature that signs with {@link #bcKey} of the key it is given. */
    private static final class BcKeySignature extends Signature {
        private final Signature delegate;

        BcKeySignature(Signature delegate) {
            super(delegate.getAlgorithm());
            this.delegate = delegate;
        }

        @Override
        protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
            delegate.initVerify(key);
        }

        @Override
        protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
            delegate.initSign(bcKey(key));
        }

        @Override
        protected void engineInitSign(PrivateKey key, SecureRandom random) throws InvalidKeyException {
            delegate.initSign(bcKey(key), random);
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            delegate.update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            delegate.update(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            return delegate.sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            return delegate.verify(sigBytes);
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
            delegate.setParameter(params);
        }

        @Override
        protected AlgorithmParameters engineGetParameters() {
            return delegate.getParameters();
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new java.security.InvalidParameterException("not supported");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new java.security.InvalidParameterException("not supported");
        }
    }

    @Override
    public KeyAgreement createKeyAgreement(String algorithm) throws NoSuchAlgorithmException {
        return isEllipticCurve(algorithm) ? Holder.HELPER.createKeyAgreement(algorithm)
                : super.createKeyAgreement(algorithm);
    }

    @Override
    public KeyPairGenerator createKeyPairGenerator(String algorithm) throws NoSuchAlgorithmException {
        return isEllipticCurve(algorithm) ? Holder.HELPER.createKeyPairGenerator(algorithm)
                : super.createKeyPairGenerator(algorithm);
    }

    @Override
    public KeyFactory createKeyFactory(String algorithm) throws NoSuchAlgorithmException {
        return isEllipticCurve(algorithm) ? Holder.HELPER.createKeyFactory(algorithm)
                : super.createKeyFactory(algorithm);
    }

    @Override
    public AlgorithmParameters createAlgorithmParameters(String algorithm) throws NoSuchAlgorithmException {
        return isEllipticCurve(algorithm) ? Holder.HELPER.createAlgorithmParameters(algorithm)
                : super.createAlgorithmParameters(algorithm);
    }
}
