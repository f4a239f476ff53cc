package org.jdatachannel.dtls;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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

    static synchronized DtlsCertificate rsa() throws Exception {
        if (rsa == null) {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
            kpg.initialize(2048);
            KeyPair kp = kpg.generateKeyPair();
            X500Name n = new X500Name("CN=rsa-peer");
            Instant now = Instant.now();
            byte[] der = new JcaX509v3CertificateBuilder(n, BigInteger.valueOf(7), Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(1, ChronoUnit.DAYS)), n, kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())).getEncoded();
            X509Certificate cert = DtlsCertificate.parse(der);
            rsa = DtlsCertificate.of(kp.getPrivate(), cert);
        }
        return rsa;
    }

    static Map<String, byte[]> fp(DtlsCertificate c) {
        return Map.of("sha-256", c.fingerprint("sha-256"));
    }
}
