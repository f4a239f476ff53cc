package org.jdatachannel.dtls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A local DTLS identity: a private key and its self-signed X.509 certificate.
 *
 * <p>WebRTC does not use certificate authorities: the peer authenticates the certificate by the
 * fingerprint carried in SDP ({@code a=fingerprint:sha-256 AB:CD:...}, RFC 8122 §5: "A
 * certificate fingerprint is a secure one-way hash of the Distinguished Encoding Rules (DER) form
 * of the certificate"). A certificate can therefore be kept and reused across connections, like
 * a W3C webrtc-pc {@code RTCCertificate} (a stable identity, one fingerprint): store
 * {@link #toPem()} and read it back with {@link #fromPem(String)}.
 *
 * <p>Keys: ECDSA on P-256 or P-384, or RSA with a modulus of 2048..8192 bits. The validity of the
 * peer's certificate is never checked (WebRTC authenticates by fingerprint); our own is checked by
 * {@code RtcConfiguration} and {@code PeerConnection} (an expired certificate is refused, as the
 * W3C RTCPeerConnection constructor refuses one with InvalidAccessError).
 *
 * <p>Immutable and thread-safe. Key generation, signing and PEM key conversion use the JDK's JCA
 * providers (SunEC, SunRsaSign); PEM text is read and written by Bouncy Castle bcpkix.
 */
public final class DtlsCertificate {

    /** Common name written into generated certificates. */
    public static final String COMMON_NAME = "jdatachannel";
    /** Validity of {@link #generate()}: 30 days, the W3C generateCertificate default (2592000000 ms). */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);
    /** Longest validity {@link #generate(KeyType, Duration)} accepts: 3650 days. */
    public static final Duration MAX_VALIDITY = Duration.ofDays(3650);
    /** Longest PEM text {@link #fromPem(String)} reads, in characters (an RSA 8192 key and cert is ~10 KB). */
    public static final int MAX_PEM_CHARS = 65536;

    /** Key types {@link #generate(KeyType, Duration)} can create: the two every browser must support (W3C generateCertificate). */
    public enum KeyType {
        /**
         * ECDSA on NIST P-256 (secp256r1), certificate signed with SHA256withECDSA; W3C
         * {@code {name: "ECDSA", namedCurve: "P-256"}}. The default, what browsers generate.
         */
        ECDSA_P256,
        /**
         * RSA 2048-bit modulus, public exponent 65537, certificate signed with SHA256withRSA; W3C
         * {@code {name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: 65537, hash: "SHA-256"}}.
         * Generating the key takes about 50..500 ms.
         */
        RSA_2048
    }

    private static final Duration NOT_BEFORE_SLACK = Duration.ofDays(1);
    private static final int MIN_RSA_BITS = 2048;
    private static final int MAX_RSA_BITS = 8192;

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
     * Same as {@code generate(KeyType.ECDSA_P256, DEFAULT_VALIDITY)}: ECDSA P-256, valid 30 days.
     *
     * @return the new certificate
     * @throws IllegalStateException if the JDK lacks EC key generation or ECDSA signing (never on a
     *     standard JDK 17)
     */
    public static DtlsCertificate generate() {
        return generate(KeyType.ECDSA_P256, DEFAULT_VALIDITY);
    }

    /**
     * Generates a fresh key pair and a self-signed certificate for it: random 63-bit serial, subject
     * and issuer {@code CN=jdatachannel}, valid from one day ago (slack for clock skew) until
     * {@code validity} from now (whole seconds, X.509 time precision). Blocks for the key
     * generation (RSA: tens to hundreds of ms); {@code PeerConnection.generateCertificate} runs it
     * off the caller's thread.
     *
     * @param type the key type
     * @param validity how long from now the certificate is valid: 1 s .. {@link #MAX_VALIDITY}
     * @return the new certificate
     * @throws IllegalArgumentException if {@code type} or {@code validity} is null or the validity
     *     is out of range
     * @throws IllegalStateException if the JDK lacks the key generation or signing (never on a
     *     standard JDK 17)
     */
    public static DtlsCertificate generate(KeyType type, Duration validity) {
        if (type == null) {
            throw new IllegalArgumentException("key type must not be null");
        }
        checkValidity(validity);
        try {
            SecureRandom random = new SecureRandom();
            KeyPair keyPair;
            String sigAlg;
            java.security.Provider signWith = null;
            KeyPair signingPair;
            if (type == KeyType.ECDSA_P256) {
                // Key pair and self-signature through Bouncy Castle's EC code (about 5 times less CPU
                // than JDK 17's SunEC, see HandshakeJcaHelper); the key is handed out as the JDK's
                // own key object, as before.
                KeyPairGenerator kpg = new HandshakeJcaHelper().createKeyPairGenerator("EC");
                kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
                signingPair = kpg.generateKeyPair();
                java.security.KeyFactory jdk = java.security.KeyFactory.getInstance("EC");
                keyPair = new KeyPair(
                        jdk.generatePublic(new java.security.spec.X509EncodedKeySpec(signingPair.getPublic().getEncoded())),
                        jdk.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(
                                signingPair.getPrivate().getEncoded())));
                // The handshake signs with the generator's own key object: it shares the named
                // curve's base point and so its precomputed comb table (see HandshakeJcaHelper).
                HandshakeJcaHelper.rememberBcKey(keyPair.getPrivate(), signingPair.getPrivate());
                signWith = HandshakeJcaHelper.provider();
                sigAlg = "SHA256withECDSA";
            } else {
                KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
                kpg.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), random);
                keyPair = kpg.generateKeyPair();
                signingPair = keyPair;
                sigAlg = "SHA256withRSA";
            }
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + COMMON_NAME);
            BigInteger serial = new BigInteger(63, random).add(BigInteger.ONE);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial,
                    Date.from(now.minus(NOT_BEFORE_SLACK)), Date.from(now.plus(validity)), name,
                    keyPair.getPublic());
            JcaContentSignerBuilder signerBuilder = new JcaContentSignerBuilder(sigAlg).setSecureRandom(random);
            if (signWith != null) {
                signerBuilder.setProvider(signWith);
            }
            ContentSigner signer = signerBuilder.build(signingPair.getPrivate());
            byte[] der = builder.build(signer).getEncoded();
            return new DtlsCertificate(keyPair.getPrivate(), parse(der));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a " + type + " certificate: " + e, e);
        }
    }

    /**
     * @param validity a validity for {@link #generate(KeyType, Duration)}
     * @throws IllegalArgumentException if null or outside 1 s .. {@link #MAX_VALIDITY}
     */
    public static void checkValidity(Duration validity) {
        if (validity == null) {
            throw new IllegalArgumentException("validity must not be null");
        }
        if (validity.compareTo(Duration.ofSeconds(1)) < 0 || validity.compareTo(MAX_VALIDITY) > 0) {
            throw new IllegalArgumentException("validity must be 1 s .. " + MAX_VALIDITY.toDays() + " days, got "
                    + validity);
        }
    }

    /**
     * Wraps an existing key and certificate (for example one persisted across sessions). The key
     * must belong to the certificate: a test signature made with the key is verified with the
     * certificate's public key.
     *
     * @param privateKey an {@code EC} (P-256 or P-384) or {@code RSA} (2048..8192 bits) private key
     * @param certificate the matching certificate (its validity is not checked here; see
     *     {@link #isExpired(Instant)})
     * @return the identity
     * @throws IllegalArgumentException if either is null, the key algorithm is neither EC nor RSA,
     *     differs from the certificate's, the curve or modulus size is not supported, or the key
     *     does not belong to the certificate
     */
    public static DtlsCertificate of(PrivateKey privateKey, X509Certificate certificate) {
        if (privateKey == null || certificate == null) {
            throw new IllegalArgumentException("privateKey and certificate must not be null");
        }
        String alg = privateKey.getAlgorithm();
        if (!"EC".equals(alg) && !"RSA".equals(alg)) {
            throw new IllegalArgumentException("private key algorithm must be EC or RSA, was " + alg);
        }
        PublicKey pub = certificate.getPublicKey();
        if (!alg.equals(pub.getAlgorithm())) {
            throw new IllegalArgumentException("private key algorithm " + alg
                    + " does not match certificate key algorithm " + pub.getAlgorithm());
        }
        if (privateKey instanceof RSAKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
                throw new IllegalArgumentException("RSA key must have " + MIN_RSA_BITS + ".." + MAX_RSA_BITS
                        + " bits, has " + bits);
            }
        } else if (privateKey instanceof ECKey ec) {
            curveName(ec.getParams()); // throws for other curves
        } else {
            throw new IllegalArgumentException("unsupported private key class " + privateKey.getClass().getName());
        }
        checkKeyMatches(privateKey, pub);
        return new DtlsCertificate(privateKey, certificate);
    }

    /** @return "P-256" or "P-384" @throws IllegalArgumentException for any other curve */
    private static String curveName(ECParameterSpec spec) {
        for (String[] c : new String[][] {{"secp256r1", "P-256"}, {"secp384r1", "P-384"}}) {
            try {
                AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                p.init(new ECGenParameterSpec(c[0]));
                ECParameterSpec named = p.getParameterSpec(ECParameterSpec.class);
                if (named.getOrder().equals(spec.getOrder()) && named.getCurve().equals(spec.getCurve())
                        && named.getGenerator().equals(spec.getGenerator())) {
                    return c[1];
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK lacks curve " + c[0], e);
            }
        }
        throw new IllegalArgumentException("EC key must be on P-256 or P-384, is on a curve of "
                + spec.getCurve().getField().getFieldSize() + " bits that is neither");
    }

    /** Signs a random nonce with {@code key} and verifies it with {@code pub}. */
    private static void checkKeyMatches(PrivateKey key, PublicKey pub) {
        String sigAlg = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] nonce = new byte[32];
        SecureRandom random = new SecureRandom();
        random.nextBytes(nonce);
        boolean ok;
        try {
            Signature s = Signature.getInstance(sigAlg);
            s.initSign(key, random);
            s.update(nonce);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(sigAlg);
            v.initVerify(pub);
            v.update(nonce);
            ok = v.verify(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot check that the private key belongs to the certificate: " + e, e);
        }
        if (!ok) {
            throw new IllegalArgumentException("the private key does not belong to the certificate (its signature "
                    + "does not verify with the certificate's public key)");
        }
    }

    /**
     * Reads a certificate and its private key from PEM text, as written by {@link #toPem()} or by
     * OpenSSL: one {@code CERTIFICATE} block and one private key block, in any order, either
     * PKCS#8 {@code PRIVATE KEY} (RFC 5958), SEC1 {@code EC PRIVATE KEY} (RFC 5915) or PKCS#1
     * {@code RSA PRIVATE KEY} (RFC 8017); {@code EC PARAMETERS} blocks and text outside blocks are
     * ignored. Encrypted keys are refused: decrypt them first (for example
     * {@code openssl pkcs8 -topk8 -nocrypt}).
     *
     * @param pem the PEM text, at most {@link #MAX_PEM_CHARS} characters
     * @return the identity, checked as by {@link #of(PrivateKey, X509Certificate)}
     * @throws IllegalArgumentException if {@code pem} is null, too long, does not parse, holds an
     *     encrypted key, holds not exactly one certificate and one private key, or the key does
     *     not belong to the certificate; the message says which
     */
    public static DtlsCertificate fromPem(String pem) {
        if (pem == null) {
            throw new IllegalArgumentException("PEM text must not be null");
        }
        if (pem.length() > MAX_PEM_CHARS) {
            throw new IllegalArgumentException("PEM text has " + pem.length() + " characters, at most "
                    + MAX_PEM_CHARS + " are read");
        }
        List<X509CertificateHolder> certs = new ArrayList<>();
        List<PrivateKey> keys = new ArrayList<>();
        boolean encrypted = false;
        String unexpected = null;
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    certs.add(h);
                } else if (o instanceof PrivateKeyInfo info) {
                    keys.add(converter.getPrivateKey(info));
                } else if (o instanceof PEMKeyPair kp) {
                    keys.add(converter.getPrivateKey(kp.getPrivateKeyInfo()));
                } else if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                    encrypted = true;
                } else if (!(o instanceof ASN1ObjectIdentifier) && unexpected == null) {
                    // EC PARAMETERS parse to an OID and are ignored; anything else is refused.
                    unexpected = o.getClass().getSimpleName();
                }
            }
        } catch (IOException | RuntimeException e) {
            // PEMParser throws IOException (PEMException) for bad Base64 or ASN.1, and some
            // malformed structures surface as unchecked exceptions from the ASN.1 layer.
            throw new IllegalArgumentException("PEM text does not parse: " + e.getMessage(), e);
        }
        if (encrypted) {
            throw new IllegalArgumentException("the private key is encrypted; encrypted keys are not supported, "
                    + "decrypt it first (e.g. openssl pkcs8 -topk8 -nocrypt)");
        }
        if (unexpected != null) {
            throw new IllegalArgumentException("unexpected PEM block holding a " + unexpected
                    + "; expected one CERTIFICATE and one private key");
        }
        if (certs.size() != 1 || keys.size() != 1) {
            throw new IllegalArgumentException("PEM text must hold exactly one CERTIFICATE and one private key, "
                    + "has " + certs.size() + " certificate(s) and " + keys.size() + " key(s)");
        }
        X509Certificate cert;
        try {
            cert = parse(certs.get(0).getEncoded());
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("the PEM certificate does not parse: " + e.getMessage(), e);
        }
        return of(keys.get(0), cert);
    }

    /**
     * Writes the certificate ({@code CERTIFICATE}, DER in Base64) and then the private key
     * (unencrypted PKCS#8 {@code PRIVATE KEY}), the form {@link #fromPem(String)} and OpenSSL read.
     * This is the only way the private key leaves this object: store the text like a password.
     *
     * @return PEM text with {@code \n} line ends
     */
    public String toPem() {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(certificate);
            w.writeObject(new JcaPKCS8Generator(privateKey, null));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM: " + e, e);
        }
        return out.toString().replace("\r\n", "\n");
    }

    /** @return when the certificate stops being valid (X.509 notAfter, inclusive; whole seconds) */
    public Instant expires() {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * RFC 5280 §4.1.2.5: "The validity period for a certificate is the period of time from
     * notBefore through notAfter, inclusive."
     *
     * @param now the time to check against (usually {@code Instant.now()})
     * @return true when {@code now} is after {@link #expires()}
     * @throws IllegalArgumentException if {@code now} is null
     */
    public boolean isExpired(Instant now) {
        if (now == null) {
            throw new IllegalArgumentException("now must not be null");
        }
        return now.isAfter(expires());
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

    /** @return subject, key algorithm, expiry and SHA-256 fingerprint (never the key) */
    @Override
    public String toString() {
        return "DtlsCertificate[" + certificate.getSubjectX500Principal().getName() + ", "
                + keyAlgorithm() + ", expires " + expires() + ", sha-256 " + sha256Fingerprint + "]";
    }

    static X509Certificate parse(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }
}
