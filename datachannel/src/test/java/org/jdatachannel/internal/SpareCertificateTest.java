package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.jdatachannel.dtls.DtlsCertificate;
import org.junit.jupiter.api.Test;

/** Certificates generated ahead: each handed out once, spares used when ready, at most SPARES kept. */
class SpareCertificateTest {
    private static final long TIMEOUT_MS = 30_000;

    @Test
    void everyCertificateIsHandedOutOnceAndSparesAreRefilled() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            DtlsCertificate c = SpareCertificate.take();
            assertTrue(seen.add(c.sha256Fingerprint()), "certificate handed out twice");
            assertFalse(c.isExpired(Instant.now().plus(SpareCertificate.MIN_REMAINING)));
            if (i == 2) {
                awaitReady(SpareCertificate.SPARES);
            }
        }
        awaitReady(SpareCertificate.SPARES);
        assertEquals(SpareCertificate.SPARES, SpareCertificate.ready(), "never more than SPARES ahead");
        java.util.List<String> spares = SpareCertificate.readyFingerprints();
        DtlsCertificate fromSpare = SpareCertificate.take();
        assertEquals(spares.get(0), fromSpare.sha256Fingerprint(), "the oldest ready spare is used, not generated anew");
        assertFalse(SpareCertificate.readyFingerprints().contains(fromSpare.sha256Fingerprint()));
        assertTrue(seen.add(fromSpare.sha256Fingerprint()));
    }

    private static void awaitReady(int n) throws InterruptedException {
        long end = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        while (SpareCertificate.ready() < n) {
            if (System.nanoTime() > end) {
                throw new AssertionError("spares not ready within " + TIMEOUT_MS + " ms: " + SpareCertificate.ready());
            }
            Thread.sleep(5);
        }
    }
}
