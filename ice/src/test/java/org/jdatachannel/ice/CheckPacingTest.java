package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** RFC 8445 §14.2 JVM-wide pacing: the Ta rule and the count of checking agents. */
class CheckPacingTest {

    @Test
    void taIsFiveMsPerCheckingAgentAndAtMostIce4jsTwenty() {
        assertEquals(5, CheckPacing.ta(0));
        assertEquals(5, CheckPacing.ta(1));
        assertEquals(10, CheckPacing.ta(2));
        assertEquals(15, CheckPacing.ta(3));
        assertEquals(20, CheckPacing.ta(4));
        assertEquals(20, CheckPacing.ta(1000));
    }

    @Test
    void aSlotIsCountedOnceAndNotAgainAfterStop() {
        int before = CheckPacing.checkingAgents();
        CheckPacing.Slot s = new CheckPacing.Slot();
        s.start();
        s.start();
        assertEquals(before + 1, CheckPacing.checkingAgents());
        s.stop();
        s.stop();
        assertEquals(before, CheckPacing.checkingAgents());
        s.start(); // ended: a late RUNNING event does not count it again
        assertEquals(before, CheckPacing.checkingAgents());
        new CheckPacing.Slot().stop(); // never started
        assertEquals(before, CheckPacing.checkingAgents());
    }

    @Test
    void aSlotCountsOnlyWhileItHasChecksWaiting() {
        int before = CheckPacing.checkingAgents();
        CheckPacing.Slot s = new CheckPacing.Slot();
        s.waiting(false); // not started: not counted either way
        assertEquals(before, CheckPacing.checkingAgents());
        s.start();
        assertEquals(before, CheckPacing.checkingAgents());
        s.waiting(true);
        assertEquals(before + 1, CheckPacing.checkingAgents());
        s.waiting(true);
        assertEquals(before + 1, CheckPacing.checkingAgents());
        s.waiting(false); // all its checks sent, e.g. a controlled agent awaiting the nomination
        assertEquals(before, CheckPacing.checkingAgents());
        s.waiting(true); // a triggered check queued
        assertEquals(before + 1, CheckPacing.checkingAgents());
        s.stop();
        s.waiting(true);
        assertEquals(before, CheckPacing.checkingAgents());
    }

    @Test
    void agentsLeaveTheCountWhenConnectedAndWhenClosed() throws Exception {
        int before = CheckPacing.checkingAgents();
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        try {
            CompletableFuture<Void> ca = connected(a);
            CompletableFuture<Void> cb = connected(b);
            IcePairs.exchangeAndStart(a, b);
            ca.get(10, TimeUnit.SECONDS);
            cb.get(10, TimeUnit.SECONDS);
        } finally {
            a.close();
            b.close();
        }
        assertEquals(before, CheckPacing.checkingAgents());
        // An agent closed while checking (its peer never answers) leaves the count too.
        IceAgent lone = agent(true);
        IceAgent silent = agent(false);
        try {
            lone.gather();
            silent.gather();
            lone.setRemoteCredentials(silent.localUfrag(), silent.localPassword());
            silent.gather().forEach(lone::addRemoteCandidate);
            lone.start();
        } finally {
            silent.close();
            lone.close();
        }
        assertEquals(before, CheckPacing.checkingAgents());
    }

    private static CompletableFuture<Void> connected(IceAgent a) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                f.complete(null);
            }
        });
        return f;
    }

    private static IceAgent agent(boolean controlling) {
        return new IceAgent(IceConfig.builder().controlling(controlling)
                .addressFilter(a -> a.getHostAddress().equals("127.0.0.1")).build());
    }
}
