package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Data before nomination (RFC 8445 §12.1: "An ICE agent MAY send data on any valid pair before
 * selected pairs have been produced for the data stream"): {@link IceAgent#dataReady()} and the
 * transport's send on the valid pair, gated on the peer having checked us.
 */
class EarlyDataTest {
    private static final Predicate<InetAddress> IPV4_LOOPBACK =
            a -> a instanceof Inet4Address && a.isLoopbackAddress();
    private static final long TIMEOUT_S = 10;

    private final List<IceAgent> agents = new ArrayList<>();

    @BeforeAll
    static void logging() {
        IceLogging.install();
    }

    @AfterEach
    void closeAll() {
        agents.forEach(IceAgent::close);
    }

    private IceAgent agent(boolean controlling) {
        IceAgent a = new IceAgent(IceConfig.builder().controlling(controlling).addressFilter(IPV4_LOOPBACK).build());
        agents.add(a);
        return a;
    }

    private static void roundTrip(IceTransport from, IceTransport to, byte first) throws IOException {
        byte[] data = {first, 1, 2, 3, 4, 5, 6, 7};
        from.send(data, 0, data.length);
        byte[] buf = new byte[IceTransport.MAX_DATAGRAM];
        int n = to.receive(buf, 0, buf.length, 5000);
        assertEquals(data.length, n, "received length");
        byte[] got = new byte[n];
        System.arraycopy(buf, 0, got, 0, n);
        assertArrayEquals(data, got);
    }

    /** The controlling agent never nominates: no pair is selected, yet data flows both ways. */
    @Test
    void dataFlowsOnAValidPairBeforeAnyPairIsSelected() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        a.nominationOffForTests();
        IcePairs.exchange(a, b);
        b.start();
        a.start();
        a.dataReady().get(TIMEOUT_S, TimeUnit.SECONDS);
        b.dataReady().get(TIMEOUT_S, TimeUnit.SECONDS);
        // Without a nomination neither side can have connected.
        assertEquals(IceState.CHECKING, a.state());
        assertEquals(IceState.CHECKING, b.state());
        assertEquals(null, a.selectedPairDescription());
        assertEquals(null, b.selectedPairDescription());
        roundTrip(a.transport(), b.transport(), (byte) 23); // DTLS content type range (RFC 7983 §7)
        roundTrip(b.transport(), a.transport(), (byte) 22);
    }

    /**
     * b's own check succeeds before a has started (ice4j answers checks before its start), but a
     * has not checked b: a could not yet tell where b's data comes from, so b must not send yet.
     */
    @Test
    void noDataBeforeThePeerHasCheckedUs() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        IcePairs.exchange(a, b);
        b.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!b.hasValidPairForTests()) {
            assertTrue(System.nanoTime() < deadline, "b's check was never answered");
            Thread.sleep(5);
        }
        assertFalse(b.dataReady().isDone(), "a has sent no check yet");
        byte[] data = {23, 0, 0};
        assertThrows(IOException.class, () -> b.transport().send(data, 0, data.length));
        a.start();
        a.dataReady().get(TIMEOUT_S, TimeUnit.SECONDS);
        b.dataReady().get(TIMEOUT_S, TimeUnit.SECONDS);
        roundTrip(b.transport(), a.transport(), (byte) 23);
    }

    /**
     * Two valid pairs (IPv4 and IPv6 loopback): before nomination the transport sends on the
     * highest-priority valid pair; a then nominates the OTHER pair (by hand, its nomination
     * strategy off), and from then on the transport sends on the selected pair only (RFC 8445
     * §12.1 "before selected pairs have been produced"; RFC 5763 §6.7.1 as updated by RFC 8842:
     * all pairs of a component carry one DTLS association), and data still arrives.
     */
    @Test
    void sendMovesFromTheEarlyPairToTheSelectedPair() throws Exception {
        Predicate<InetAddress> loopback = InetAddress::isLoopbackAddress;
        IceAgent a = new IceAgent(IceConfig.builder().controlling(true).addressFilter(loopback).build());
        agents.add(a);
        IceAgent b = new IceAgent(IceConfig.builder().controlling(false).addressFilter(loopback).build());
        agents.add(b);
        a.nominationOffForTests();
        java.util.concurrent.CompletableFuture<Void> connected = new java.util.concurrent.CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                connected.complete(null);
            }
        });
        IcePairs.exchange(a, b);
        b.start();
        a.start();
        a.dataReady().get(TIMEOUT_S, TimeUnit.SECONDS);
        b.dataReady().get(TIMEOUT_S, TimeUnit.SECONDS);
        org.ice4j.ice.CheckList checkList = a.ice4jComponent().getParentStream().getCheckList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        List<org.ice4j.ice.CandidatePair> succeeded;
        while (true) {
            synchronized (checkList) {
                succeeded = checkList.stream()
                        .filter(p -> p.getState() == org.ice4j.ice.CandidatePairState.SUCCEEDED).toList();
            }
            if (succeeded.size() >= 2) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "two valid pairs (IPv4 and IPv6 loopback): " + checkList);
            Thread.sleep(5); // polling a condition with a deadline
        }
        String early = a.earlyPairForTests();
        org.ice4j.ice.CandidatePair best = succeeded.stream()
                .max(java.util.Comparator.comparingLong(org.ice4j.ice.CandidatePair::getPriority)).orElseThrow();
        assertEquals(best.toShortString(), early, "the early pair is the highest-priority valid pair");
        roundTrip(a.transport(), b.transport(), (byte) 23);
        assertEquals(early, a.lastSendPairForTests(), "before nomination: sent on the early pair");

        org.ice4j.ice.CandidatePair other = succeeded.stream()
                .filter(p -> !p.toShortString().equals(early)).findFirst().orElseThrow();
        a.ice4jComponent().getParentStream().getParentAgent().nominate(other);
        connected.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertEquals(other.toShortString(), a.selectedPairDescription() == null ? null
                : a.ice4jComponent().getSelectedPair().toShortString(), "the nominated pair is selected");
        assertFalse(a.earlyConsentDeadlinePendingForTests(), "the selected pair's consent watch took over");
        roundTrip(a.transport(), b.transport(), (byte) 23);
        assertEquals(other.toShortString(), a.lastSendPairForTests(), "after nomination: sent on the selected pair");
    }

    /** Once ICE connects dataReady is complete whatever happened before. */
    @Test
    void dataReadyOnceConnected() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        java.util.concurrent.CompletableFuture<Void> connected = new java.util.concurrent.CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                connected.complete(null);
            }
        });
        IcePairs.exchange(a, b);
        b.start();
        a.start();
        connected.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertTrue(a.dataReady().isDone());
        roundTrip(a.transport(), b.transport(), (byte) 23);
    }
}
