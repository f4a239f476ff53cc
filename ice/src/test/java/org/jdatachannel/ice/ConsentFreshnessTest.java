package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * RFC 7675 §5.1: when the peer stops answering consent checks on the selected pair, consent
 * expires and the agent stops sending. ice4j's consent timers are JVM-global configuration read
 * once (jitsi-metaconfig caches values), so this class runs in its own JVM (surefire
 * {@code reuseForks=false}) and sets them before the first ice4j class loads: interval 300 ms,
 * 3 retransmissions 100 ms apart.
 */
class ConsentFreshnessTest {
    private static final Map<String, String> FAST = Map.of(
            "ice4j.consent-freshness.interval", "300 milliseconds",
            "ice4j.consent-freshness.original-wait-interval", "100 milliseconds",
            "ice4j.consent-freshness.max-wait-interval", "100 milliseconds",
            "ice4j.consent-freshness.max-retransmissions", "3",
            "ice4j.consent-freshness.randomize-interval", "false");

    @BeforeAll
    static void fastConsent() {
        FAST.forEach(System::setProperty);
    }

    @AfterAll
    static void restore() {
        FAST.keySet().forEach(System::clearProperty);
    }

    /**
     * A Failed selected pair shortly after consent was confirmed (ice4j does that when any check
     * transaction on the pair times out, not only a consent check) is not consent expiry (RFC
     * 7675 §5.1: none of the requests of the last 30 s answered): the agent stays connected, the
     * next consent check confirms consent again, and the deferred verdict finds it confirmed.
     */
    @Test
    void aFailedSelectedPairWithFreshConsentIsNotConsentLoss() throws Exception {
        IceConfig cfg = IceConfig.builder().addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress())
                .controlling(true).build();
        try (IceAgent a = new IceAgent(cfg);
             IceAgent b = new IceAgent(IceConfig.builder().addressFilter(cfg.addressFilter()).build())) {
            connect(a, b);
            org.ice4j.ice.CandidatePair selected = a.ice4jComponent().getSelectedPair();
            java.lang.reflect.Method fail = org.ice4j.ice.CandidatePair.class.getDeclaredMethod("setStateFailed");
            fail.setAccessible(true);
            long failedAt = System.currentTimeMillis();
            // What ice4j does when e.g. a late connectivity check times out. (The state does not
            // stay Failed: the peer's next check or our next consent check changes it.)
            fail.invoke(selected);
            assertTrue(a.state() == IceState.CONNECTED || a.state() == IceState.COMPLETED, a.state().toString());
            a.transport().send(new byte[] {0x40}, 0, 1); // still allowed to send

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (a.deferredConsentChecks() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a condition with a deadline, not waiting for luck
            }
            assertEquals(1, a.deferredConsentChecks(), "the deferred consent verdict ran");
            assertTrue(a.state() == IceState.CONNECTED || a.state() == IceState.COMPLETED, a.state().toString());
            assertTrue(selected.getConsentFreshness() >= failedAt, "a later consent check succeeded on the pair");
            a.transport().send(new byte[] {0x40}, 0, 1);
        }
    }

    private static void connect(IceAgent a, IceAgent b) throws Exception {
        CompletableFuture<Void> ca = new CompletableFuture<>();
        CompletableFuture<Void> cb = new CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                ca.complete(null);
            }
        });
        b.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                cb.complete(null);
            }
        });
        IcePairs.exchangeAndStart(a, b);
        CompletableFuture.allOf(ca, cb).get(10, TimeUnit.SECONDS);
    }

    @Test
    void consentLossFailsTheAgentAndStopsSending() throws Exception {
        IceConfig cfg = IceConfig.builder().addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress())
                .controlling(true).build();
        try (IceAgent a = new IceAgent(cfg);
             IceAgent b = new IceAgent(IceConfig.builder().addressFilter(cfg.addressFilter()).build())) {
            CompletableFuture<Void> ca = new CompletableFuture<>();
            CompletableFuture<Void> cb = new CompletableFuture<>();
            CompletableFuture<Void> failed = new CompletableFuture<>();
            a.onStateChange(s -> {
                if (s == IceState.CONNECTED) {
                    ca.complete(null);
                } else if (s == IceState.FAILED) {
                    failed.complete(null);
                }
            });
            b.onStateChange(s -> {
                if (s == IceState.CONNECTED) {
                    cb.complete(null);
                }
            });
            IcePairs.exchangeAndStart(a, b);
            CompletableFuture.allOf(ca, cb).get(10, TimeUnit.SECONDS);
            a.transport().send(new byte[] {0x40}, 0, 1);

            long t0 = System.nanoTime();
            b.close(); // the peer disappears without a word
            failed.get(20, TimeUnit.SECONDS);
            LoggerFactory.getLogger(ConsentFreshnessTest.class).info("consent lost after {} ms",
                    (System.nanoTime() - t0) / 1_000_000);
            assertEquals(IceState.FAILED, a.state());
            IOException e = assertThrows(IOException.class, () -> a.transport().send(new byte[] {0x40}, 0, 1));
            assertTrue(e.getMessage().contains("consent"), e.getMessage());
        }
    }
}
