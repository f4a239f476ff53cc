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

    /** Gathers both and gives each the other's credentials and candidates; starts nothing. */
    private static void signal(IceAgent a, IceAgent b) throws IOException {
        List<IceCandidate> la = a.gather();
        List<IceCandidate> lb = b.gather();
        a.setRemoteCredentials(b.localUfrag(), b.localPassword());
        b.setRemoteCredentials(a.localUfrag(), a.localPassword());
        lb.forEach(a::addRemoteCandidate);
        la.forEach(b::addRemoteCandidate);
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
        signal(a, b);
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
        signal(a, b);
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
        signal(a, b);
        b.start();
        a.start();
        connected.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertTrue(a.dataReady().isDone());
        roundTrip(a.transport(), b.transport(), (byte) 23);
    }
}
