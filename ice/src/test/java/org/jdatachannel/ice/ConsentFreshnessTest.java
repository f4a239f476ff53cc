package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * RFC 7675 §5.1 consent and the W3C connected/disconnected/failed states. ice4j's consent check
 * interval is JVM-global configuration read once (jitsi-metaconfig caches values), so this class
 * runs in its own JVM (surefire {@code reuseForks=false}) and sets it before the first ice4j class
 * loads: a check every 300 ms, retransmitted 3 times 100 ms apart. The verdicts use per-agent
 * timeouts ({@link IceConfig#disconnectedTimeoutMs()}, {@link IceConfig#consentTimeoutMs()}).
 */
class ConsentFreshnessTest {
    @BeforeAll
    static void fastConsent() {
        FastConsent.set();
    }

    @AfterAll
    static void restore() {
        FastConsent.clear();
    }

    private static IceConfig.Builder config(boolean controlling) {
        return IceConfig.builder().addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress())
                .controlling(controlling).disconnectedTimeoutMs(FastConsent.DISCONNECTED_TIMEOUT_MS)
                .consentTimeoutMs(FastConsent.CONSENT_TIMEOUT_MS);
    }

    /**
     * A Failed selected pair shortly after consent was confirmed (ice4j does that when any check
     * transaction on the pair times out, not only a consent check) is not consent expiry (RFC
     * 7675 §5.1: none of the requests of the last 30 s answered): the agent stays connected and
     * the next consent check confirms consent again.
     */
    @Test
    void aFailedSelectedPairWithFreshConsentIsNotConsentLoss() throws Exception {
        try (IceAgent a = new IceAgent(config(true).build()); IceAgent b = new IceAgent(config(false).build())) {
            List<IceState> states = new CopyOnWriteArrayList<>();
            a.onStateChange(states::add);
            connect(a, b);
            org.ice4j.ice.CandidatePair selected = a.ice4jComponent().getSelectedPair();
            java.lang.reflect.Method fail = org.ice4j.ice.CandidatePair.class.getDeclaredMethod("setStateFailed");
            fail.setAccessible(true);
            long stampBefore = selected.getConsentFreshness();
            fail.invoke(selected); // what ice4j does when e.g. a late connectivity check times out
            a.transport().send(new byte[] {0x40}, 0, 1); // still allowed to send
            await(() -> selected.getConsentFreshness() != stampBefore, 5000, "a later consent check succeeded");
            assertTrue(a.state() == IceState.CONNECTED || a.state() == IceState.COMPLETED, a.state().toString());
            assertTrue(states.stream().noneMatch(s -> s == IceState.FAILED || s == IceState.DISCONNECTED),
                    states.toString());
            a.transport().send(new byte[] {0x40}, 0, 1);
        }
    }

    /**
     * An ice4j 3.2 race (docs/ICE4J.md "Known race") can take the selected pair off the controlled
     * agent's check list after the nomination: a triggered check sets the Succeeded pair Waiting just
     * before handleNominationConfirmed prunes Waiting pairs. ice4j then no longer finds the pair for
     * the peer's consent checks and, its check client stopped, answers them with 403, so the peer's
     * consent expired after 30 s (one pair in 500 in the 1,000-connection scale run). Here the race's
     * outcome is made directly; the agent puts its selected pair back and the peer's consent keeps
     * being confirmed.
     */
    @Test
    void aSelectedPairPrunedFromTheCheckListIsPutBack() throws Exception {
        try (IceAgent a = new IceAgent(config(true).build()); IceAgent b = new IceAgent(config(false).build())) {
            List<IceState> states = new CopyOnWriteArrayList<>();
            a.onStateChange(states::add);
            connect(a, b);
            // ice4j's check client has stopped (TERMINATED, reported as COMPLETED): only then does it
            // answer a check for an unknown pair with 403.
            await(() -> b.state() == IceState.COMPLETED, 10_000, "b's checks terminated");
            org.ice4j.ice.CandidatePair selected = b.ice4jComponent().getSelectedPair();
            org.ice4j.ice.CheckList list = b.ice4jComponent().getParentStream().getCheckList();
            synchronized (list) {
                list.remove(selected); // what the race leaves (the pair may already be missing)
            }
            org.ice4j.ice.CandidatePair aSelected = a.ice4jComponent().getSelectedPair();
            long stamp = aSelected.getConsentFreshness();
            // Two later consent checks of a's answered with success (a 403 never moves the stamp).
            await(() -> aSelected.getConsentFreshness() != stamp, 5000, "a's consent confirmed after the prune");
            long stamp2 = aSelected.getConsentFreshness();
            await(() -> aSelected.getConsentFreshness() != stamp2, 5000, "a's consent confirmed again");
            synchronized (list) {
                assertTrue(list.contains(selected), "b's selected pair is back on its check list");
            }
            assertTrue(states.stream().noneMatch(s -> s == IceState.FAILED || s == IceState.DISCONNECTED),
                    states.toString());
        }
    }

    /**
     * The path breaks (every datagram to b is dropped): both sides report DISCONNECTED after
     * disconnectedTimeoutMs, CONNECTED again when it heals; then b vanishes for good and a goes
     * FAILED after consentTimeoutMs and refuses to send.
     */
    @Test
    void disconnectedThenRecoveredThenFailed() throws Exception {
        try (IceAgent a = new IceAgent(config(true).build()); IceAgent b = new IceAgent(config(false).build())) {
            List<IceState> sa = new CopyOnWriteArrayList<>();
            List<IceState> sb = new CopyOnWriteArrayList<>();
            a.onStateChange(sa::add);
            b.onStateChange(sb::add);
            connect(a, b);

            long t0 = System.nanoTime();
            b.dropIncoming(true);
            await(() -> a.state() == IceState.DISCONNECTED && b.state() == IceState.DISCONNECTED, 5000,
                    "both disconnected");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LoggerFactory.getLogger(ConsentFreshnessTest.class).info("disconnected after {} ms", ms);
            assertTrue(sa.contains(IceState.DISCONNECTED) && !sa.contains(IceState.FAILED),
                    "a broken path is first reported disconnected, not failed: " + sa);

            b.dropIncoming(false);
            await(() -> a.state() != IceState.DISCONNECTED && b.state() != IceState.DISCONNECTED, 5000,
                    "both recovered");
            assertTrue(a.state() == IceState.CONNECTED || a.state() == IceState.COMPLETED, a.state().toString());
            a.transport().send(new byte[] {0x40}, 0, 1);
            assertEquals(IceState.CONNECTED, sa.get(sa.indexOf(IceState.DISCONNECTED) + 1), sa.toString());

            CompletableFuture<Void> failed = new CompletableFuture<>();
            a.onStateChange(s -> {
                if (s == IceState.FAILED) {
                    failed.complete(null);
                }
            });
            t0 = System.nanoTime();
            b.dropIncoming(true); // the peer vanishes without a word
            failed.get(10, TimeUnit.SECONDS);
            ms = (System.nanoTime() - t0) / 1_000_000;
            LoggerFactory.getLogger(ConsentFreshnessTest.class).info("consent lost after {} ms; states {}", ms, sa);
            assertEquals(IceState.FAILED, a.state());
            assertEquals(IceState.DISCONNECTED, sa.get(sa.size() - 2), "disconnected before failed: " + sa);
            IOException e = assertThrows(IOException.class, () -> a.transport().send(new byte[] {0x40}, 0, 1));
            assertTrue(e.getMessage().contains("consent"), e.getMessage());
        }
    }

    /**
     * Data before nomination (RFC 8445 §12.1) is held to consent too (RFC 7675 §5.1: "the
     * endpoint MUST cease transmission on that 5-tuple"): the controlling agent never nominates
     * and the peer vanishes after the early pair was validated; ice4j sends no further checks on
     * a valid pair that is not selected, so a stops sending and reports FAILED consentTimeoutMs
     * after the pair was validated, and a send then throws.
     */
    @Test
    void earlyPairWithoutNominationLosesConsent() throws Exception {
        try (IceAgent a = new IceAgent(config(true).build()); IceAgent b = new IceAgent(config(false).build())) {
            a.nominationOffForTests();
            CompletableFuture<Void> failed = new CompletableFuture<>();
            a.onStateChange(s -> {
                if (s == IceState.FAILED) {
                    failed.complete(null);
                }
            });
            IcePairs.exchangeAndStart(a, b);
            a.dataReady().get(10, TimeUnit.SECONDS);
            b.dataReady().get(10, TimeUnit.SECONDS);
            assertTrue(a.earlyConsentDeadlinePendingForTests(), "early consent deadline armed");
            a.transport().send(new byte[] {23, 0}, 0, 2); // allowed: a valid pair, checked by the peer
            b.dropIncoming(true); // the peer vanishes
            assertEquals(IceState.CHECKING, a.state(), "nothing was nominated");
            failed.get(FastConsent.CONSENT_TIMEOUT_MS + 10_000L, TimeUnit.MILLISECONDS);
            assertEquals(IceState.FAILED, a.state());
            IOException e = assertThrows(IOException.class, () -> a.transport().send(new byte[] {23, 0}, 0, 2));
            assertTrue(e.getMessage().contains("consent"), e.getMessage());
        }
    }

    private static void await(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10); // polling a condition with a deadline
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
}
