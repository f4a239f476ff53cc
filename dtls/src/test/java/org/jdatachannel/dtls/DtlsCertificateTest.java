package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class DtlsCertificateTest {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsCertificateTest.class);

    @Test
    void generatesSelfSignedP256WithSha256Fingerprint() throws Exception {
        DtlsCertificate c = DtlsCertificate.generate();
        var x = c.certificate();
        assertEquals("CN=jdatachannel", x.getSubjectX500Principal().getName());
        assertEquals(x.getSubjectX500Principal(), x.getIssuerX500Principal());
        x.verify(x.getPublicKey()); // self-signed
        assertEquals("SHA256withECDSA", x.getSigAlgName());
        assertEquals(256, ((ECPublicKey) x.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        Instant now = Instant.now();
        assertTrue(x.getNotBefore().toInstant().isBefore(now.minus(Duration.ofHours(23))));
        assertTrue(x.getNotAfter().toInstant().isAfter(now.plus(Duration.ofDays(29))));
        assertTrue(x.getSerialNumber().signum() > 0);

        String fp = c.sha256Fingerprint();
        assertTrue(fp.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fp);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(x.getEncoded());
        assertArrayEquals(digest, c.fingerprint("sha-256"));
        assertArrayEquals(digest, c.fingerprint("SHA-256"));
        assertEquals(Fingerprints.toColonHex(digest), fp);
        assertEquals(20, c.fingerprint("sha-1").length);
        assertEquals(48, c.fingerprint("sha-384").length);
        assertEquals(64, c.fingerprint("sha-512").length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.fingerprint("md5"));
        assertTrue(e.getMessage().contains("md5"), e.getMessage());
        assertTrue(c.toString().contains(fp) && !c.toString().contains("PRIVATE"), c.toString());

        DtlsCertificate other = DtlsCertificate.generate();
        assertNotEquals(fp, other.sha256Fingerprint());
        assertNotEquals(x.getSerialNumber(), other.certificate().getSerialNumber());
    }

    /** W3C webrtc-pc §4.9: RSASSA-PKCS1-v1_5, modulusLength 2048, publicExponent 65537, SHA-256. */
    @Test
    void generatesRsa2048() throws Exception {
        Instant before = Instant.now();
        DtlsCertificate c = DtlsCertificate.generate(DtlsCertificate.KeyType.RSA_2048, Duration.ofDays(7));
        var x = c.certificate();
        x.verify(x.getPublicKey());
        assertEquals("SHA256withRSA", x.getSigAlgName());
        RSAPublicKey pub = (RSAPublicKey) x.getPublicKey();
        assertEquals(2048, pub.getModulus().bitLength());
        assertEquals(BigInteger.valueOf(65537), pub.getPublicExponent());
        assertEquals("RSA", c.keyAlgorithm());
        assertEquals("CN=jdatachannel", x.getSubjectX500Principal().getName());
        // notAfter = now + 7 days, in whole seconds
        Duration d = Duration.between(before, c.expires());
        assertTrue(d.compareTo(Duration.ofDays(7).minusSeconds(2)) > 0 && d.compareTo(Duration.ofDays(7).plusSeconds(60)) < 0,
                d.toString());
    }

    @Test
    void expiryIsNotAfterInclusive() {
        Instant before = Instant.now();
        DtlsCertificate c = DtlsCertificate.generate(DtlsCertificate.KeyType.ECDSA_P256, Duration.ofHours(1));
        Duration d = Duration.between(before, c.expires());
        assertTrue(d.compareTo(Duration.ofMinutes(59)) > 0 && d.compareTo(Duration.ofMinutes(61)) < 0, d.toString());
        assertEquals(c.certificate().getNotAfter().toInstant(), c.expires());
        assertFalse(c.isExpired(Instant.now()));
        assertFalse(c.isExpired(c.expires()), "notAfter itself is still valid (RFC 5280 §4.1.2.5: inclusive)");
        assertTrue(c.isExpired(c.expires().plusMillis(1)));
        assertTrue(c.toString().contains("expires " + c.expires()), c.toString());
        assertThrows(IllegalArgumentException.class, () -> c.isExpired(null));
        // Default validity: 30 days.
        Duration dflt = Duration.between(before, DtlsCertificate.generate().expires());
        assertTrue(dflt.compareTo(Duration.ofDays(30).minusSeconds(2)) > 0, dflt.toString());
    }

    @Test
    void generateRejectsBadArguments() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(999), Duration.ofSeconds(-5),
                Duration.ofDays(3651)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DtlsCertificate.generate(DtlsCertificate.KeyType.ECDSA_P256, bad));
            assertTrue(e.getMessage().contains("validity"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.generate(null, Duration.ofDays(1)));
        // Bounds are inclusive.
        DtlsCertificate.checkValidity(Duration.ofSeconds(1));
        DtlsCertificate.checkValidity(DtlsCertificate.MAX_VALIDITY);
    }

    @ParameterizedTest
    @CsvSource({"ECDSA_P256", "RSA_2048"})
    void pemRoundTrip(DtlsCertificate.KeyType type) {
        DtlsCertificate c = type == DtlsCertificate.KeyType.RSA_2048 ? TestCerts.rsa() : TestCerts.EC_A;
        String pem = c.toPem();
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"), pem);
        assertTrue(pem.contains("\n-----BEGIN PRIVATE KEY-----\n"), "PKCS#8, not SEC1/PKCS#1: " + pem);
        assertFalse(pem.contains("\r"));
        DtlsCertificate back = DtlsCertificate.fromPem(pem);
        assertArrayEquals(c.encoded(), back.encoded());
        assertEquals(c.sha256Fingerprint(), back.sha256Fingerprint());
        assertArrayEquals(c.privateKey().getEncoded(), back.privateKey().getEncoded());
        assertEquals(c.expires(), back.expires());
        assertEquals(pem, back.toPem());
    }

    /** OpenSSL's traditional key formats (SEC1 with EC PARAMETERS, PKCS#1), key before or after the cert. */
    @ParameterizedTest
    @CsvSource({"openssl-ec-sec1.pem, EC, CN=openssl-ec", "openssl-rsa-pkcs1.pem, RSA, CN=openssl-rsa"})
    void readsOpensslFixtures(String file, String alg, String subject) throws Exception {
        DtlsCertificate c = DtlsCertificate.fromPem(TestCerts.pem(file));
        assertEquals(alg, c.keyAlgorithm());
        assertEquals(subject, c.certificate().getSubjectX500Principal().getName());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(c.certificate().getEncoded()),
                c.fingerprint("sha-256"));
        assertFalse(c.isExpired(Instant.now()));
        // Written back as PKCS#8 and read again: same identity.
        DtlsCertificate again = DtlsCertificate.fromPem(c.toPem());
        assertEquals(c.sha256Fingerprint(), again.sha256Fingerprint());
        assertArrayEquals(c.privateKey().getEncoded(), again.privateKey().getEncoded());
    }

    @ParameterizedTest
    @CsvSource({
        "openssl-ec-encrypted-pkcs8.pem, encrypted",
        "openssl-ec-p521.pem, P-256 or P-384",
        "openssl-rsa-1024.pem, 2048..8192 bits",
        "mismatched-key.pem, does not belong to the certificate",
    })
    void refusesUnusableFixtures(String file, String expected) throws Exception {
        String pem = TestCerts.pem(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.fromPem(pem));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void refusesMalformedPem() throws Exception {
        String good = TestCerts.EC_A.toPem();
        String cert = good.substring(0, good.indexOf("-----BEGIN PRIVATE KEY"));
        String key = good.substring(good.indexOf("-----BEGIN PRIVATE KEY"));
        String[][] cases = {
            {"", "exactly one CERTIFICATE"},
            {"hello, no PEM here", "exactly one CERTIFICATE"},
            {cert, "0 key(s)"},
            {key, "0 certificate(s)"},
            {cert + cert + key, "2 certificate(s)"},
            {cert + key + TestCerts.EC_B.toPem().substring(TestCerts.EC_B.toPem().indexOf("-----BEGIN PRIVATE KEY")),
                "2 key(s)"},
            {good.replace("-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY-----\n!!!"), "does not parse"},
            {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "does not parse"},
            {"-----BEGIN PUBLIC KEY-----\n" + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"
                + "A".repeat(84) + "==\n-----END PUBLIC KEY-----\n" + good, "does not parse|unexpected PEM block"},
            {"x".repeat(DtlsCertificate.MAX_PEM_CHARS + 1), "at most " + DtlsCertificate.MAX_PEM_CHARS},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.fromPem(c[0]),
                    c[1]);
            boolean matches = false;
            for (String alt : c[1].split("\\|")) {
                matches |= e.getMessage().contains(alt);
            }
            assertTrue(matches, "expected '" + c[1] + "' in: " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.fromPem(null));
    }

    /** Randomly damaged PEM text: fromPem returns an identity or throws IllegalArgumentException, nothing else. */
    @Test
    void damagedPemOnlyEverThrowsIllegalArgument() {
        long seed = Long.getLong("dtls.seed", System.nanoTime());
        LOG.info("damagedPemOnlyEverThrowsIllegalArgument seed {} (-Ddtls.seed={} repeats it)", seed, seed);
        SplittableRandom r = new SplittableRandom(seed);
        String[] sources = {TestCerts.EC_A.toPem(), TestCerts.rsa().toPem()};
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-\n ";
        int parsed = 0;
        for (int i = 0; i < 1500; i++) {
            StringBuilder sb = new StringBuilder(sources[r.nextInt(sources.length)]);
            int edits = 1 + r.nextInt(4);
            for (int k = 0; k < edits && sb.length() > 0; k++) {
                int at = r.nextInt(sb.length());
                switch (r.nextInt(3)) {
                    case 0 -> sb.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    case 1 -> sb.deleteCharAt(at);
                    default -> sb.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                }
            }
            try {
                DtlsCertificate.fromPem(sb.toString());
                parsed++;
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank());
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " case " + i + ": " + e + "\n" + sb, e);
            }
        }
        LOG.info("{} of 1500 damaged PEM texts still parsed (harmless damage, e.g. in whitespace)", parsed);
    }

    /**
     * RFC 8122 §5: "An endpoint MUST select the set of fingerprints that use its most preferred
     * hash function (out of those offered by the peer) and verify that each certificate used
     * matches one fingerprint out of that set." A matching sha-1 entry must not rescue a
     * mismatching sha-256 one; entries of weaker hashes are not consulted once a stronger one is
     * offered; several certificates under the preferred hash: one match is enough.
     */
    @Test
    void fingerprintsAreVerifiedWithTheMostPreferredHashOffered() {
        byte[] der = TestCerts.EC_A.encoded();
        byte[] otherDer = TestCerts.EC_B.encoded();
        java.util.function.BiFunction<String, byte[], java.util.Map.Entry<String, byte[]>> e =
                (h, d) -> java.util.Map.entry(h, Fingerprints.digest(h, d));
        String why = Fingerprints.verify(der, java.util.List.of(e.apply("sha-1", der), e.apply("sha-256", otherDer)));
        assertTrue(why != null && why.startsWith("peer certificate fingerprint mismatch: sha-256 expected"), why);
        assertFalse(why.contains("sha-1"), why);
        assertEquals(null, Fingerprints.verify(der, java.util.List.of(e.apply("sha-1", otherDer), e.apply("SHA-256", der))));
        assertEquals(null, Fingerprints.verify(der,
                java.util.List.of(e.apply("sha-384", otherDer), e.apply("sha-384", der), e.apply("sha-256", otherDer))));
        why = Fingerprints.verify(der, java.util.List.of(e.apply("sha-256", der), e.apply("sha-512", otherDer)));
        assertTrue(why != null && why.contains("sha-512 expected"), why);
        assertEquals(null, Fingerprints.verify(der,
                java.util.List.of(java.util.Map.entry("md5", new byte[16]), e.apply("sha-256", der))));
        why = Fingerprints.verify(der, java.util.List.of(java.util.Map.entry("md5", new byte[16])));
        assertTrue(why.startsWith("no remote fingerprint with a supported hash function"), why);
    }

    @Test
    void colonHexVectors() {
        assertEquals("", Fingerprints.toColonHex(new byte[0]));
        assertEquals("00:0F:A0:FF", Fingerprints.toColonHex(new byte[] {0, 15, (byte) 0xA0, (byte) 0xFF}));
    }

    @Test
    void ofRejectsMismatchedKeys() throws Exception {
        DtlsCertificate rsa = TestCerts.rsa();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DtlsCertificate.of(TestCerts.EC_A.privateKey(), rsa.certificate()));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertEquals("RSA", rsa.keyAlgorithm());
        // Same algorithm and curve, another key: caught by the test signature.
        e = assertThrows(IllegalArgumentException.class,
                () -> DtlsCertificate.of(TestCerts.EC_A.privateKey(), TestCerts.EC_B.certificate()));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.of(null, rsa.certificate()));
        assertThrows(IllegalArgumentException.class, () -> DtlsCertificate.of(rsa.privateKey(), null));
    }

    /** of() does not judge validity: an expired identity can be built (and refused where it is used). */
    @Test
    void expiredCertificateIsReportedAsExpired() throws Exception {
        Instant now = Instant.now();
        DtlsCertificate old = TestCerts.ecValid(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)));
        assertTrue(old.isExpired(now));
        assertFalse(old.isExpired(now.minus(Duration.ofDays(2))));
    }
}
