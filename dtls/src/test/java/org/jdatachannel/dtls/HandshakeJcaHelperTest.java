package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

import javax.crypto.KeyAgreement;

import org.junit.jupiter.api.Test;

/** Which provider does what in the handshake, and that the results interoperate with the JDK's. */
class HandshakeJcaHelperTest {

    private final HandshakeJcaHelper helper = new HandshakeJcaHelper();

    @Test
    void ellipticCurveNamesGoToBouncyCastleOthersToTheJdk() throws Exception {
        for (String a : new String[] {"EC", "ECDH", "SHA256withECDSA", "NoneWithECDSA", "X25519", "X448", "Ed25519"}) {
            assertTrue(HandshakeJcaHelper.isEllipticCurve(a), a);
        }
        for (String a : new String[] {"RSA", "SHA256withRSA", "RSASSA-PSS", "DH", "AES/GCM/NoPadding", "SHA-256"}) {
            assertFalse(HandshakeJcaHelper.isEllipticCurve(a), a);
        }
        assertEquals("BC", helper.createKeyAgreement("X25519").getProvider().getName());
        assertEquals("BC", helper.createKeyPairGenerator("EC").getProvider().getName());
        assertNotEquals("BC", helper.createSignature("SHA256withRSA").getProvider().getName());
        assertNotEquals("BC", helper.createCipher("AES/GCM/NoPadding").getProvider().getName());
        assertNotEquals("BC", helper.createMac("HmacSHA256").getProvider().getName());
    }

    @Test
    void ecdsaWithAJdkKeyInteroperatesWithTheJdkBothWays() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair jdk = g.generateKeyPair();
        byte[] msg = "server key exchange params".getBytes(StandardCharsets.US_ASCII);
        for (int round = 0; round < 3; round++) {
            Signature ours = helper.createSignature("SHA256withECDSA");
            ours.initSign(jdk.getPrivate());
            ours.update(msg);
            byte[] sig = ours.sign();
            Signature jdkVerify = Signature.getInstance("SHA256withECDSA");
            jdkVerify.initVerify(jdk.getPublic());
            jdkVerify.update(msg);
            assertTrue(jdkVerify.verify(sig), "JDK verifies our signature");

            Signature jdkSign = Signature.getInstance("SHA256withECDSA");
            jdkSign.initSign(jdk.getPrivate());
            jdkSign.update(msg);
            byte[] sig2 = jdkSign.sign();
            Signature ourVerify = helper.createSignature("SHA256withECDSA");
            ourVerify.initVerify(jdk.getPublic());
            ourVerify.update(msg);
            assertTrue(ourVerify.verify(sig2), "we verify the JDK's signature");
            ourVerify.initVerify(jdk.getPublic());
            ourVerify.update(msg);
            sig2[sig2.length - 1] ^= 1;
            assertFalse(verifyQuietly(ourVerify, sig2), "a changed signature fails");
        }
    }

    private static boolean verifyQuietly(Signature s, byte[] sig) {
        try {
            return s.verify(sig);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    @Test
    void aJdkSigningKeyIsTranslatedOncePerKeyObject() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        PrivateKey k = g.generateKeyPair().getPrivate();
        PrivateKey first = HandshakeJcaHelper.bcKey(k);
        assertTrue(first instanceof org.bouncycastle.jce.interfaces.ECPrivateKey);
        assertSame(first, HandshakeJcaHelper.bcKey(k), "the copy is remembered");
        assertSame(first, HandshakeJcaHelper.bcKey(first), "a Bouncy Castle key is used as it is");
        assertEquals(((java.security.interfaces.ECPrivateKey) k).getS(),
                ((java.security.interfaces.ECPrivateKey) first).getS());
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        PrivateKey r = rsa.generateKeyPair().getPrivate();
        assertSame(r, HandshakeJcaHelper.bcKey(r), "non-EC keys are left alone");
    }

    @Test
    void x25519AgreementMatchesTheJdk() throws Exception {
        KeyPair a = helper.createKeyPairGenerator("X25519").generateKeyPair();
        KeyPair b = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        KeyAgreement ours = helper.createKeyAgreement("X25519");
        ours.init(a.getPrivate());
        ours.doPhase(b.getPublic(), true);
        KeyAgreement jdk = KeyAgreement.getInstance("X25519");
        jdk.init(b.getPrivate());
        jdk.doPhase(java.security.KeyFactory.getInstance("X25519")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(a.getPublic().getEncoded())), true);
        org.junit.jupiter.api.Assertions.assertArrayEquals(jdk.generateSecret(), ours.generateSecret());
    }

    @Test
    void aGeneratedEcCertificateHandsOutJdkKeyObjectsSignedByItsOwnKey() throws Exception {
        DtlsCertificate c = DtlsCertificate.generate();
        PrivateKey k = c.privateKey();
        assertTrue(k instanceof java.security.interfaces.ECPrivateKey);
        assertFalse(k instanceof org.bouncycastle.jce.interfaces.ECPrivateKey, "the JDK's key class, as before");
        assertFalse(c.certificate().getPublicKey() instanceof org.bouncycastle.jce.interfaces.ECPublicKey);
        c.certificate().verify(c.certificate().getPublicKey()); // self-signed, verified by the JDK
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(k);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(c.certificate().getPublicKey());
        v.update(new byte[] {1, 2, 3});
        assertTrue(v.verify(sig), "the private key belongs to the certificate");
    }

    @Test
    void aGeneratedCertificateSignsWithItsGeneratorsNamedCurveKey() throws Exception {
        // The key Bouncy Castle's generator made has the named curve's shared domain parameters
        // (its comb table is computed once per JVM); a translated copy of the JDK key would have
        // plain parameters of its own and pay the comb precomputation at its first signature.
        for (int i = 0; i < 2; i++) {
            DtlsCertificate c = DtlsCertificate.generate();
            PrivateKey k = c.privateKey();
            PrivateKey bc = HandshakeJcaHelper.bcKey(k);
            assertTrue(bc instanceof org.bouncycastle.jce.interfaces.ECPrivateKey);
            org.bouncycastle.jce.spec.ECParameterSpec params = ((org.bouncycastle.jce.interfaces.ECPrivateKey) bc)
                    .getParameters();
            assertTrue(params instanceof org.bouncycastle.jce.spec.ECNamedCurveParameterSpec,
                    "named-curve parameters, was " + params.getClass().getName());
            assertEquals("secp256r1", ((org.bouncycastle.jce.spec.ECNamedCurveParameterSpec) params).getName());
            assertEquals(((java.security.interfaces.ECPrivateKey) k).getS(),
                    ((org.bouncycastle.jce.interfaces.ECPrivateKey) bc).getD(), "the same secret scalar");
            assertSame(bc, HandshakeJcaHelper.bcKey(k));
            Signature ours = helper.createSignature("SHA256withECDSA");
            ours.initSign(k);
            ours.update(new byte[] {4, 5, 6});
            byte[] sig = ours.sign();
            Signature jdkVerify = Signature.getInstance("SHA256withECDSA");
            jdkVerify.initVerify(c.certificate().getPublicKey());
            jdkVerify.update(new byte[] {4, 5, 6});
            assertTrue(jdkVerify.verify(sig), "signed with the certificate's key");
        }
    }
}
