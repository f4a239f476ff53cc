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
    void everyCertificateIsHandedOutOnceAndSparesAreRefilledAfterASetUp() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            DtlsCertificate c = SpareCertificate.take();
            assertTrue(seen.add(c.sha256Fingerprint()), "certificate handed out twice");
            assertFalse(c.isExpired(Instant.now().plus(SpareCertificate.MIN_REMAINING)));
            if (i == 2) {
                SpareCertificate.refill();
                awaitReady(SpareCertificate.SPARES);
            }
        }
        SpareCertificate.refill();
        SpareCertificate.refill();
        awaitReady(SpareCertificate.SPARES);
        assertEquals(SpareCertificate.SPARES, SpareCertificate.ready(), "never more than SPARES ahead");
        assertEquals(SpareCertificate.SPARES, SpareCertificate.planned());
        java.util.List<String> spares = SpareCertificate.readyFingerprints();
        DtlsCertificate fromSpare = SpareCertificate.take();
        assertEquals(spares.get(0), fromSpare.sha256Fingerprint(), "the oldest ready spare is used, not generated anew");
        assertFalse(SpareCertificate.readyFingerprints().contains(fromSpare.sha256Fingerprint()));
        assertTrue(seen.add(fromSpare.sha256Fingerprint()));
        assertEquals(SpareCertificate.SPARES - 1, SpareCertificate.planned(),
                "take() starts no generation (the connection refills after its set-up)");
        DtlsCertificate second = SpareCertificate.take();
        assertEquals(spares.get(1), second.sha256Fingerprint());
        assertEquals(0, SpareCertificate.planned());
        assertTrue(seen.add(SpareCertificate.take().sha256Fingerprint()), "none planned: generated on the spot");
        assertEquals(0, SpareCertificate.planned());
    }

    @Test
    void aConnectionWithoutCertificateRefillsTheSparesWhenItsSetUpIsOver() throws Exception {
        while (SpareCertificate.planned() > 0) {
            SpareCertificate.take();
        }
        org.jdatachannel.RtcConfiguration cfg = org.jdatachannel.RtcConfiguration.builder().build();
        org.jdatachannel.PeerConnection pc = new org.jdatachannel.PeerConnection(cfg);
        try {
            assertEquals(0, SpareCertificate.planned(), "constructing takes, it does not refill");
        } finally {
            pc.close();
        }
        assertEquals(SpareCertificate.SPARES, SpareCertificate.planned(), "closed: its set-up is over");
        awaitReady(SpareCertificate.SPARES);
    }

    /**
     * When the certgen threads refuse work (both busy, their queue of 256 full), refill() gives up
     * after one refused attempt: it runs on an event loop or in close(), and retrying would spin
     * there for as long as the queue stays full.
     */
    @Test
    void refillReturnsWhenTheCertgenQueueRefusesWork() throws Exception {
        while (SpareCertificate.planned() > 0) {
            SpareCertificate.take();
        }
        java.lang.reflect.Field field = Class.forName("org.jdatachannel.PeerConnection$CertGen")
                .getDeclaredField("EXECUTOR");
        field.setAccessible(true);
        java.util.concurrent.ThreadPoolExecutor certgen = (java.util.concurrent.ThreadPoolExecutor) field.get(null);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(2);
        Runnable hold = () -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread refiller = new Thread(SpareCertificate::refill, "spare-refill-test");
        try {
            certgen.execute(hold);
            certgen.execute(hold);
            assertTrue(busy.await(TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS), "certgen threads busy");
            while (certgen.getQueue().remainingCapacity() > 0) {
                certgen.execute(() -> { });
            }
            refiller.start();
            refiller.join(TIMEOUT_MS);
            assertFalse(refiller.isAlive(), "refill() still running while the certgen queue is full");
            assertEquals(0, SpareCertificate.planned(), "a refused generation leaves no spare planned");
        } finally {
            release.countDown();
            refiller.join(TIMEOUT_MS);
        }
        long end = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        while (!certgen.getQueue().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        SpareCertificate.refill(); // room again: spares are planned as usual
        awaitReady(SpareCertificate.SPARES);
    }

    @Test
    void connectedConnectionsRefillTheSparesAfterTheirSetUpWithoutBeingClosed() throws Exception {
        while (SpareCertificate.planned() > 0) {
            SpareCertificate.take();
        }
        // NETWORK RULE: ICE restricted to 127.0.0.1.
        org.jdatachannel.RtcConfiguration cfg = org.jdatachannel.RtcConfiguration.builder()
                .iceAddressFilter(a -> a.getHostAddress().equals("127.0.0.1")).build();
        org.jdatachannel.PeerConnection a = new org.jdatachannel.PeerConnection(cfg);
        org.jdatachannel.PeerConnection b = new org.jdatachannel.PeerConnection(cfg);
        try {
            assertEquals(0, SpareCertificate.planned(), "constructing takes, it does not refill");
            java.util.concurrent.CompletableFuture<Void> open = new java.util.concurrent.CompletableFuture<>();
            a.createDataChannel("x").onOpen(() -> open.complete(null));
            long t = TIMEOUT_MS;
            java.util.concurrent.TimeUnit ms = java.util.concurrent.TimeUnit.MILLISECONDS;
            a.setLocalDescription(a.createOffer().get(t, ms)).get(t, ms);
            b.setRemoteDescription(a.localDescription()).get(t, ms);
            b.setLocalDescription(b.createAnswer().get(t, ms)).get(t, ms);
            a.setRemoteDescription(b.localDescription()).get(t, ms);
            open.get(t, ms);
            long end = System.nanoTime() + TIMEOUT_MS * 1_000_000;
            while (SpareCertificate.planned() < SpareCertificate.SPARES && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(SpareCertificate.SPARES, SpareCertificate.planned(), "refilled after SCTP came up");
            awaitReady(SpareCertificate.SPARES);
        } finally {
            a.close();
            b.close();
        }
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
