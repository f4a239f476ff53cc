package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class DtlsCertificateTest {

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
        assertEquals(64, c.fingerprint("sha-512").length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.fingerprint("md5"));
        assertTrue(e.getMessage().contains("md5"), e.getMessage());
        assertTrue(c.toString().contains(fp) && !c.toString().contains("PRIVATE"), c.toString());

        DtlsCertificate other = DtlsCertificate.generate();
        assertNotEquals(fp, other.sha256Fingerprint());
        assertNotEquals(x.getSerialNumber(), other.certificate().getSerialNumber());
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
    }
}
