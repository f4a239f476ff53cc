package org.jdatachannel.dtls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A local DTLS identity: a private key and its self-signed X.509 certificate.
 *
 * <p>WebRTC does not use certificate authorities: the peer authenticates the certificate by the
 * fingerprint carried in SDP ({@code a=fingerprint:sha-256 AB:CD:...}, RFC 8122 §5: "A
 * certificate fingerprint is a secure one-way hash of the Distinguished Encoding Rules (DER) form
 * of the certificate").
 *
 * <p>Immutable and thread-safe. Key generation and signing use the JDK's JCA providers (SunEC).
 */
public final class DtlsCertificate {

    /** Common name written into generated certificates. */
    public static final String COMMON_NAME = "jdatachannel";

    private static final Duration NOT_BEFORE_SLACK = Duration.ofDays(1);
    private static final Duration VALIDITY = Duration.ofDays(30);

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final byte[] encoded;
    private final String sha256Fingerprint;

    private DtlsCertificate(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        try {
            this.encoded = certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be DER-encoded: " + e.getMessage(), e);
        }
        this.sha256Fingerprint = Fingerprints.toColonHex(Fingerprints.digest("sha-256", encoded));
    }

    /**
     * Generates a fresh ECDSA P-256 key pair and a self-signed certificate for it: random 63-bit
     * serial, subject and issuer {@code CN=jdatachannel}, valid from one day ago until 30 days from
     * now, signed with SHA256withECDSA.
     *
     * @return the new certificate
     * @throws IllegalStateException if the JDK lacks EC key generation or ECDSA signing (never on a
     *     standard JDK 17)
     */
    public static DtlsCertificate generate() {
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair keyPair = kpg.generateKeyPair();

            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + COMMON_NAME);
            BigInteger serial = new BigInteger(63, random).add(BigInteger.ONE);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial,
                    Date.from(now.minus(NOT_BEFORE_SLACK)), Date.from(now.plus(VALIDITY)), name,
                    keyPair.getPublic());
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
                    .setSecureRandom(random).build(keyPair.getPrivate());
            byte[] der = builder.build(signer).getEncoded();
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return new DtlsCertificate(keyPair.getPrivate(), cert);
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot generate an ECDSA P-256 certificate: " + e, e);
        }
    }

    /**
     * Wraps an existing key and certificate (for example one persisted across sessions, or an RSA
     * identity). The key must belong to the certificate; this is not checked beyond the algorithm.
     *
     * @param privateKey an {@code EC} (P-256/P-384) or {@code RSA} private key
     * @param certificate the matching certificate
     * @return the identity
     * @throws IllegalArgumentException if either is null, the key algorithm is neither EC nor RSA,
     *     or it differs from the certificate's public key algorithm
     */
    public static DtlsCertificate of(PrivateKey privateKey, X509Certificate certificate) {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(certificate, "certificate");
        String alg = privateKey.getAlgorithm();
        if (!"EC".equals(alg) && !"RSA".equals(alg)) {
            throw new IllegalArgumentException("private key algorithm must be EC or RSA, was " + alg);
        }
        if (!alg.equals(certificate.getPublicKey().getAlgorithm())) {
            throw new IllegalArgumentException("private key algorithm " + alg
                    + " does not match certificate key algorithm " + certificate.getPublicKey().getAlgorithm());
        }
        return new DtlsCertificate(privateKey, certificate);
    }

    /**
     * @return the SHA-256 fingerprint of the DER certificate as upper-case colon hex
     *     ({@code "AB:CD:..."}, 32 bytes, 95 characters), the value for {@code a=fingerprint:sha-256}
     */
    public String sha256Fingerprint() {
        return sha256Fingerprint;
    }

    /**
     * @param hashFunction an RFC 8122 hash function token: {@code sha-1}, {@code sha-224},
     *     {@code sha-256}, {@code sha-384} or {@code sha-512} (case-insensitive)
     * @return the digest of the DER certificate with that hash
     * @throws IllegalArgumentException for an unsupported hash function
     */
    public byte[] fingerprint(String hashFunction) {
        if (!Fingerprints.isSupported(hashFunction)) {
            throw new IllegalArgumentException("unsupported fingerprint hash function: " + hashFunction
                    + " (supported: " + Fingerprints.SUPPORTED + ")");
        }
        return Fingerprints.digest(hashFunction, encoded);
    }

    /** @return a copy of the DER-encoded certificate */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** @return the X.509 certificate */
    public X509Certificate certificate() {
        return certificate;
    }

    /** @return the private key; never log or serialize it */
    PrivateKey privateKey() {
        return privateKey;
    }

    /** @return {@code "EC"} or {@code "RSA"} */
    String keyAlgorithm() {
        return privateKey.getAlgorithm();
    }

    /** @return subject and SHA-256 fingerprint (never the key) */
    @Override
    public String toString() {
        return "DtlsCertificate[" + certificate.getSubjectX500Principal().getName() + ", "
                + keyAlgorithm() + ", sha-256 " + sha256Fingerprint + "]";
    }

    static X509Certificate parse(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }
}
