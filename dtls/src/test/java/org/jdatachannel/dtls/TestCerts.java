package org.jdatachannel.dtls;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

final class TestCerts {

    static final DtlsCertificate EC_A = DtlsCertificate.generate();
    static final DtlsCertificate EC_B = DtlsCertificate.generate();

    private static DtlsCertificate rsa;

    private TestCerts() {
    }

    /** An RSA 2048 identity (generated once per JVM: RSA key generation is slow). */
    static synchronized DtlsCertificate rsa() {
        if (rsa == null) {
            rsa = DtlsCertificate.generate(DtlsCertificate.KeyType.RSA_2048, Duration.ofDays(1));
        }
        return rsa;
    }

    /** A P-256 identity whose certificate was valid from {@code notBefore} to {@code notAfter}. */
    static DtlsCertificate ecValid(Instant notBefore, Instant notAfter) throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = kpg.generateKeyPair();
        X500Name n = new X500Name("CN=dated");
        byte[] der = new JcaX509v3CertificateBuilder(n, BigInteger.valueOf(9), Date.from(notBefore),
                Date.from(notAfter), n, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        return DtlsCertificate.of(kp.getPrivate(), DtlsCertificate.parse(der));
    }

    /** A PEM fixture from {@code src/test/resources/org/jdatachannel/dtls/pem/} (see its README). */
    static String pem(String name) throws IOException {
        try (InputStream in = TestCerts.class.getResourceAsStream("pem/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource pem/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static Map<String, byte[]> fp(DtlsCertificate c) {
        return Map.of("sha-256", c.fingerprint("sha-256"));
    }
}
