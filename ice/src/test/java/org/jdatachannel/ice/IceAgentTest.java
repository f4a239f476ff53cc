package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Two agents in one JVM over 127.0.0.1 only. */
class IceAgentTest {
    private static final Logger LOG = LoggerFactory.getLogger(IceAgentTest.class);
    private static final Predicate<InetAddress> IPV4_LOOPBACK =
            a -> a instanceof Inet4Address && a.isLoopbackAddress();
    private static final long CONNECT_TIMEOUT_S = 10;

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

    private static CompletableFuture<Void> connected(IceAgent a) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                f.complete(null);
            } else if (s == IceState.FAILED || s == IceState.CLOSED) {
                f.completeExceptionally(new AssertionError("ICE state " + s));
            }
        });
        return f;
    }

    /** Connects a (controlling) and b (controlled); b learns a's candidates only if {@code tellB}. */
    private void connect(IceAgent a, IceAgent b, boolean tellB) throws Exception {
        CompletableFuture<Void> ca = connected(a);
        CompletableFuture<Void> cb = connected(b);
        List<IceCandidate> la = a.gather();
        List<IceCandidate> lb = b.gather();
        a.setRemoteCredentials(b.localUfrag(), b.localPassword());
        b.setRemoteCredentials(a.localUfrag(), a.localPassword());
        lb.forEach(a::addRemoteCandidate);
        if (tellB) {
            la.forEach(b::addRemoteCandidate);
        }
        b.start();
        a.start();
        CompletableFuture.allOf(ca, cb).get(CONNECT_TIMEOUT_S, TimeUnit.SECONDS);
        LOG.info("connected: a {} / b {}", a.selectedPairDescription(), b.selectedPairDescription());
    }

    private static byte[] payload(Random r, int size) {
        byte[] d = new byte[size];
        r.nextBytes(d);
        d[0] = (byte) (20 + r.nextInt(60)); // DTLS or TURN ChannelData (RFC 7983 §7), as HostSocket passes on
        return d;
    }

    private static void roundTrip(IceTransport from, IceTransport to, byte[] data) throws IOException {
        from.send(data, 0, data.length);
        byte[] buf = new byte[IceTransport.MAX_DATAGRAM];
        int n = to.receive(buf, 0, buf.length, 5000);
        assertEquals(data.length, n, "received length");
        byte[] got = new byte[n];
        System.arraycopy(buf, 0, got, 0, n);
        assertArrayEquals(data, got);
    }

    @Test
    void gathersOnlyTheAllowedAddresses() throws Exception {
        IceAgent a = agent(true);
        List<IceCandidate> c = a.gather();
        assertEquals(1, c.size(), "only 127.0.0.1 is allowed: " + c);
        assertEquals("127.0.0.1", c.get(0).address());
        assertEquals("host", c.get(0).type());
        assertEquals("udp", c.get(0).transport());
        assertEquals(1, c.get(0).component());
        assertTrue(c.get(0).port() > 0);
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", c.get(0).port())), a.localSocketAddresses());
        assertEquals(c, a.gather(), "a second gather returns the same list");

        // Any loopback filter never yields a non-loopback address.
        IceAgent b = new IceAgent(IceConfig.builder().addressFilter(IceConfig.LOOPBACK_ONLY).build());
        agents.add(b);
        for (IceCandidate cand : b.gather()) {
            assertTrue(InetAddress.getByName(cand.address()).isLoopbackAddress(), cand.toString());
        }
    }

    /**
     * dataPath(): the host socket data leaves from, not relayed, the remote candidate, and the MTU of
     * the socket's interface as gathering listed it (so the SCTP layer needs no interface lookup).
     */
    @Test
    void theDataPathCarriesTheHostSocketAndItsInterfaceMtu() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        assertEquals(null, a.dataPath(), "no pair yet");
        connect(a, b, true);
        IceAgent.DataPathInfo p = a.dataPath();
        assertEquals(a.localSocketAddresses().get(0), p.localSocket());
        assertEquals(b.localSocketAddresses().get(0), p.remote());
        assertFalse(p.relayed());
        int mtu = java.net.NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1")).getMTU();
        assertEquals(mtu, p.interfaceMtu(), "the loopback interface's MTU");
        assertEquals(-1, new IceAgent.DataPathInfo(p.localSocket(), false, p.remote()).interfaceMtu(), "unknown");
        a.close();
        assertEquals(null, a.dataPath(), "closed");
    }

    /** Without ICE servers gathering is over when gather() returns; nothing is trickled. */
    @Test
    void hostOnlyGatheringIsDoneWhenGatherReturns() throws Exception {
        IceAgent a = agent(true);
        assertFalse(a.gatheringDone().isDone(), "not done before gather()");
        List<IceCandidate> late = new CopyOnWriteArrayList<>();
        a.onLocalCandidate(late::add);
        List<IceCandidate> host = a.gather();
        assertTrue(a.gatheringDone().isDone());
        assertEquals(host, a.localCandidates());
        assertEquals(List.of(), late);
        a.gatheringDone().complete(null); // a copy: completing it does nothing to the agent
    }

    /** Relay-only without a TURN server: nothing is advertised, gathering still ends. */
    @Test
    void relayOnlyWithoutTurnServerAdvertisesNothing() throws Exception {
        IceAgent a = new IceAgent(IceConfig.builder().addressFilter(IPV4_LOOPBACK).relayOnly(true)
                .iceServers(List.of(IceServer.stun("stun:127.0.0.1:9"))).build());
        agents.add(a);
        assertEquals(List.of(), a.gather());
        a.gatheringDone().get(1, TimeUnit.SECONDS);
        assertEquals(List.of(), a.localCandidates());
        assertFalse(a.localSocketAddresses().isEmpty(), "the host socket exists as a TURN base");
    }

    @Test
    void filterAcceptingNothingFailsGather() {
        IceAgent a = new IceAgent(IceConfig.builder().addressFilter(x -> false).build());
        agents.add(a);
        IOException e = assertThrows(IOException.class, a::gather);
        assertTrue(e.getMessage().contains("address filter"), e.getMessage());
        assertTrue(a.localSocketAddresses().isEmpty());
    }

    @Test
    void portRangeIsHonoured() throws Exception {
        int base;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            base = probe.getLocalPort();
        }
        int min = Math.max(1024, Math.min(base, 65000));
        IceAgent a = new IceAgent(IceConfig.builder().addressFilter(IPV4_LOOPBACK).portRange(min, min + 20).build());
        agents.add(a);
        int port = a.gather().get(0).port();
        assertTrue(port >= min && port <= min + 20, "port " + port + " in " + min + ".." + (min + 20));
    }

    @Test
    void connectsAndExchangesDatagramsBothWays() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        connect(a, b, true);
        assertEquals(IceState.CONNECTED, a.state() == IceState.COMPLETED ? IceState.CONNECTED : a.state());

        long seed = System.nanoTime();
        LOG.info("datagram sizes seed {}", seed);
        Random r = new Random(seed);
        IceTransport ta = a.transport();
        IceTransport tb = b.transport();
        roundTrip(ta, tb, payload(r, 1));
        roundTrip(tb, ta, payload(r, 100));
        roundTrip(ta, tb, payload(r, 16 * 1024));
        roundTrip(tb, ta, payload(r, 16 * 1024));
        roundTrip(ta, tb, payload(r, 65507)); // largest UDP payload over IPv4
        roundTrip(tb, ta, payload(r, 65507));
        for (int i = 0; i < 20; i++) {
            roundTrip(i % 2 == 0 ? ta : tb, i % 2 == 0 ? tb : ta, payload(r, 1 + r.nextInt(65507)));
        }
        // Nothing else (no STUN from checks or consent) was delivered.
        byte[] buf = new byte[2048];
        assertEquals(-1, ta.receive(buf, 0, buf.length, 0));
        assertEquals(-1, tb.receive(buf, 0, buf.length, 0));
    }

    @Test
    void controlledSideWithoutRemoteCandidatesConnectsThroughPeerReflexive() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        // The browser case: b only gets an mDNS name it cannot resolve.
        b.addRemoteCandidate(IceCandidate.host("1", 2122260223L,
                "3f2a7c1e-0d4b-4e8a-9c61-5b7d2e9f0a13.local", 50000));
        connect(a, b, false);
        assertTrue(b.selectedPairDescription().contains("prflx"), b.selectedPairDescription());
        Random r = new Random(7);
        roundTrip(a.transport(), b.transport(), payload(r, 1200));
        roundTrip(b.transport(), a.transport(), payload(r, 16 * 1024));
    }

    @Test
    void controllingSideWithoutRemoteCandidatesNominatesThePeerReflexivePair() throws Exception {
        // The Chromium-answers-with-mDNS case: we offer (controlling) and learn nothing usable.
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        CompletableFuture<Void> ca = connected(a);
        CompletableFuture<Void> cb = connected(b);
        List<IceCandidate> la = a.gather();
        b.gather();
        a.setRemoteCredentials(b.localUfrag(), b.localPassword());
        b.setRemoteCredentials(a.localUfrag(), a.localPassword());
        la.forEach(b::addRemoteCandidate);
        a.start();
        b.start();
        CompletableFuture.allOf(ca, cb).get(CONNECT_TIMEOUT_S, TimeUnit.SECONDS);
        assertTrue(a.selectedPairDescription().contains("prflx"), a.selectedPairDescription());
        Random r = new Random(11);
        roundTrip(a.transport(), b.transport(), payload(r, 16 * 1024));
        roundTrip(b.transport(), a.transport(), payload(r, 500));
    }

    @Test
    void peerSendingFromAnotherAddressThanAdvertisedIsNominatedAsPeerReflexive() throws Exception {
        // Chromium in a network namespace advertises its veth address but may send its checks
        // from 127.0.0.1. Here b advertises 127.0.0.2 (nobody listens there) but talks from
        // 127.0.0.1; a must nominate the peer-reflexive pair it learns from b's checks.
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        CompletableFuture<Void> ca = connected(a);
        CompletableFuture<Void> cb = connected(b);
        List<IceCandidate> la = a.gather();
        IceCandidate real = b.gather().get(0);
        a.setRemoteCredentials(b.localUfrag(), b.localPassword());
        b.setRemoteCredentials(a.localUfrag(), a.localPassword());
        a.addRemoteCandidate(new IceCandidate(real.foundation(), 1, "udp", real.priority(), "127.0.0.2",
                real.port(), "host", null, -1));
        la.forEach(b::addRemoteCandidate);
        a.start();
        b.start();
        CompletableFuture.allOf(ca, cb).get(CONNECT_TIMEOUT_S, TimeUnit.SECONDS);
        String sel = a.selectedPairDescription();
        assertTrue(sel.contains("127.0.0.1:" + real.port()) && sel.contains("prflx"), sel);
        Random r = new Random(13);
        roundTrip(a.transport(), b.transport(), payload(r, 1000));
        roundTrip(b.transport(), a.transport(), payload(r, 1000));
    }

    @Test
    void unresolvableMdnsAndUnusableCandidatesAreSkipped() throws Exception {
        IceAgent a = agent(true);
        a.gather();
        a.addRemoteCandidate(IceCandidate.host("1", 1, "a9b8c7d6-0000-4000-8000-000000000001.local", 9));
        a.addRemoteCandidate(new IceCandidate("2", 1, "tcp", 1, "127.0.0.1", 9, "host", null, -1));
        a.addRemoteCandidate(new IceCandidate("3", 2, "udp", 1, "127.0.0.1", 5000, "host", null, -1));
        a.addRemoteCandidate(IceCandidate.host("4", 1, "no-such-host.invalid", 5000)); // never looked up
        a.addRemoteCandidate(IceCandidate.host("5", 1, "127.0.0.1", 5000));
        a.addRemoteCandidate(IceCandidate.host("5", 1, "127.0.0.1", 5000)); // duplicate
        a.addRemoteCandidate(IceCandidate.host("6", 1, "300.1.2.3", 5000)); // not an address
        a.pendingResolutions().get(30, TimeUnit.SECONDS);
        assertEquals(1, a.remoteCandidateCount(), "127.0.0.1:5000");
    }

    /**
     * Host names other than {@code .local} are not resolved at all (a peer must not make us look
     * up names of its choosing): "localhost" would resolve (from /etc/hosts), yet is skipped.
     */
    @Test
    void nonMdnsHostNamesAreNotResolved() throws Exception {
        IceAgent a = agent(true);
        a.gather();
        a.addRemoteCandidate(IceCandidate.host("7", 1, "localhost", 5001));
        a.pendingResolutions().get(30, TimeUnit.SECONDS);
        assertEquals(0, a.remoteCandidateCount());
        a.addRemoteCandidate(IceCandidate.host("8", 1, "127.0.0.1", 5001));
        assertEquals(1, a.remoteCandidateCount(), "IP literals are still used");
    }

    /**
     * One agent resolves at most MAX_RESOLUTIONS_IN_FLIGHT mDNS names at a time (each may hold a
     * shared resolver thread for the mDNS timeout); the rest are skipped, so one peer cannot
     * take the JVM-wide pool. The responder never answers: exactly that many queries reach it.
     */
    @Test
    void mdnsResolutionsPerAgentAreCapped() throws Exception {
        try (MdnsResolverTest.Responder silent = new MdnsResolverTest.Responder(q -> List.of())) {
            IceAgent a = new IceAgent(IceConfig.builder().controlling(true).addressFilter(IPV4_LOOPBACK).build(),
                    silent.resolver());
            try {
                a.gather();
                for (int i = 0; i < 10; i++) {
                    a.addRemoteCandidate(IceCandidate.host(Integer.toString(i), 1,
                            "a9b8c7d6-0000-4000-8000-00000000000" + i + ".local", 9000 + i));
                }
                a.pendingResolutions().get(30, TimeUnit.SECONDS);
                assertEquals(IceAgent.MAX_RESOLUTIONS_IN_FLIGHT, silent.queries.size(), "queries sent");
                assertEquals(0, a.remoteCandidateCount());
                // Once they are done, new names are resolved again.
                a.addRemoteCandidate(IceCandidate.host("x", 1, "a9b8c7d6-0000-4000-8000-0000000000ff.local", 9999));
                a.pendingResolutions().get(30, TimeUnit.SECONDS);
                assertEquals(IceAgent.MAX_RESOLUTIONS_IN_FLIGHT + 1, silent.queries.size());
            } finally {
                a.close();
            }
        }
    }

    @Test
    void closeReleasesSocketsThreadsAndWakesReceivers() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        connect(a, b, true);
        List<InetSocketAddress> bound = new ArrayList<>(a.localSocketAddresses());
        bound.addAll(b.localSocketAddresses());
        List<Thread> threads = new ArrayList<>(a.ownThreads());
        threads.addAll(b.ownThreads());
        // Host sockets have no reader thread of their own: the one shared I/O thread reads them.
        for (Thread t : a.hostSocketIoThreads()) {
            assertEquals(SharedDatagramIo.THREAD_NAME, t.getName());
        }

        CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return a.transport().receive(new byte[100], 0, 100, 20_000);
            } catch (IOException e) {
                return e;
            }
        });
        List<IceState> closedStates = new CopyOnWriteArrayList<>();
        a.onStateChange(closedStates::add);
        a.close();
        b.close();
        a.close(); // idempotent
        assertTrue(blocked.get(5, TimeUnit.SECONDS) instanceof IOException, "receiver woken with IOException");
        assertEquals(List.of(IceState.CLOSED), closedStates);
        assertEquals(IceState.CLOSED, a.state());
        assertThrows(IOException.class, () -> a.transport().send(new byte[1], 0, 1));
        assertThrows(IOException.class, () -> a.transport().receive(new byte[1], 0, 1, 0));
        for (Thread t : threads) {
            assertFalse(t.isAlive(), t.getName() + " still alive");
        }
        for (InetSocketAddress addr : bound) {
            try (DatagramSocket s = new DatagramSocket(addr)) {
                assertEquals(addr.getPort(), s.getLocalPort());
            }
        }
        // No thread of ice4j or ours may keep the JVM alive.
        List<String> nonDaemon = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive() && !t.isDaemon() && (n.startsWith("ice4j") || n.startsWith("IceConnector")
                    || n.startsWith("jdc-ice") || n.startsWith("pool-"))) {
                nonDaemon.add(n);
            }
        }
        assertEquals(List.of(), nonDaemon);
    }

    @Test
    void closeFromInsideTheStateCallbackCompletes() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        CompletableFuture<Void> closedInCallback = new CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                a.close();
            } else if (s == IceState.CLOSED) {
                closedInCallback.complete(null);
            }
        });
        IcePairs.exchangeAndStart(a, b);
        closedInCallback.get(CONNECT_TIMEOUT_S, TimeUnit.SECONDS);
        assertEquals(IceState.CLOSED, a.state());
    }

    @Test
    void startRequiresGatherAndCredentials() throws Exception {
        IceAgent a = agent(true);
        assertThrows(IllegalStateException.class, a::start);
        a.gather();
        assertThrows(IllegalStateException.class, a::start);
        assertThrows(IllegalArgumentException.class, () -> a.setRemoteCredentials("", "x"));
        assertThrows(IllegalArgumentException.class, () -> a.setRemoteCredentials("ab:c", "passwordpasswordpassword"));
        a.setRemoteCredentials("abcd", "passwordpasswordpassword");
        a.start();
        assertThrows(IllegalStateException.class, a::start);
        assertThrows(IOException.class, () -> a.transport().send(new byte[1], 0, 1), "no selected pair yet");
        a.close();
        assertThrows(IllegalStateException.class, a::gather);
    }

    @Test
    void receiveArgumentsAreChecked() {
        IceAgent a = agent(true);
        IceTransport t = a.transport();
        assertThrows(IllegalArgumentException.class, () -> t.receive(new byte[10], 0, 10, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.receive(new byte[10], 5, 10, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.send(new byte[10], -1, 2));
    }

    @Test
    void ice4jGlobalsDisableTheAwsProbe() {
        agent(true);
        assertEquals("false", System.getProperty("ice4j.harvest.mapping.aws.enabled"));
        assertFalse(org.ice4j.ice.harvest.HarvestConfig.config.enableAwsHarvester());
    }

    /**
     * ice4j's STUN harvester constructor would shorten every STUN client transaction of the JVM
     * (connectivity checks included) to 3 retransmissions capped at 400 ms when these are unset;
     * Ice4jGlobals pins ice4j's defaults first, so building one changes nothing.
     */
    @Test
    void stunHarvesterDoesNotShortenConnectivityChecks() throws Exception {
        agent(true);
        new org.ice4j.ice.harvest.StunCandidateHarvester(
                new org.ice4j.TransportAddress("127.0.0.1", 9, org.ice4j.Transport.UDP));
        assertEquals("6", System.getProperty(org.ice4j.StackProperties.MAX_CTRAN_RETRANSMISSIONS));
        assertEquals("1600", System.getProperty(org.ice4j.StackProperties.MAX_CTRAN_RETRANS_TIMER));
    }

    /**
     * Regression for a loopback flake: data from the selected pair's remote address was dropped
     * as "from unknown" when ice4j's check list no longer held that pair. Here the check lists
     * are emptied by hand after connecting; datagrams from the selected remote must still pass,
     * and a datagram from an address that is on no pair must still be dropped.
     */
    @Test
    void dataFromTheSelectedRemoteIsAcceptedWhateverTheCheckListHolds() throws Exception {
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        connect(a, b, true);
        a.ice4jComponent().getParentStream().getCheckList().clear();
        b.ice4jComponent().getParentStream().getCheckList().clear();
        long seed = System.nanoTime();
        LOG.info("payload seed {}", seed);
        Random r = new Random(seed);
        for (int i = 0; i < 4; i++) {
            roundTrip(a.transport(), b.transport(), payload(r, 1 + r.nextInt(2000)));
            roundTrip(b.transport(), a.transport(), payload(r, 1 + r.nextInt(2000)));
        }
        // A stranger on loopback is not on any pair: dropped, nothing reaches a's transport.
        InetSocketAddress aLocal = a.localSocketAddresses().get(0);
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] d = payload(r, 50);
            stranger.send(new java.net.DatagramPacket(d, d.length, aLocal));
        }
        // Then one from b: the first datagram a receives must be b's, not the stranger's.
        byte[] fromB = payload(r, 60);
        roundTrip(b.transport(), a.transport(), fromB);
        assertEquals(IceState.CONNECTED, connectedOrCompleted(a.state()));
        assertEquals(IceState.CONNECTED, connectedOrCompleted(b.state()));
    }

    private static IceState connectedOrCompleted(IceState s) {
        return s == IceState.COMPLETED ? IceState.CONNECTED : s;
    }

    /** ice4j reads the RFC 7675 consent timers Ice4jGlobals set (this JVM sets none itself). */
    @Test
    void consentTimersFollowRfc7675() {
        agent(true);
        org.ice4j.ice.AgentConfig cfg = org.ice4j.ice.AgentConfig.config;
        assertEquals(java.time.Duration.ofSeconds(5), cfg.getConsentFreshnessInterval());
        assertEquals(java.time.Duration.ofMillis(500), cfg.getConsentFreshnessOriginalWaitInterval());
        assertEquals(java.time.Duration.ofMillis(500), cfg.getConsentFreshnessMaxWaitInterval());
        assertEquals(50, cfg.getMaxConsentFreshnessRetransmissions());
        assertTrue(cfg.getRandomizeConsentFreshnessInterval());
    }

    @Test
    void ice4jGlobalsLeaveApplicationValuesAlone() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty(Ice4jGlobals.CONSENT_INTERVAL, "7 seconds");
        p.setProperty("org.ice4j.ice.CONSENT_FRESHNESS_MAX_RETRANSMISSIONS", "9");
        Ice4jGlobals.applyTo(p);
        assertEquals("7 seconds", p.getProperty(Ice4jGlobals.CONSENT_INTERVAL));
        assertEquals(null, p.getProperty(Ice4jGlobals.CONSENT_MAX_RETRANSMISSIONS), "legacy name set: new one not");
        assertEquals("500 milliseconds", p.getProperty(Ice4jGlobals.CONSENT_ORIGINAL_WAIT));
        assertEquals("500 milliseconds", p.getProperty(Ice4jGlobals.CONSENT_MAX_WAIT));
        assertEquals("false", p.getProperty("ice4j.harvest.mapping.aws.enabled"));
    }

    @Test
    void loggingInstallIsIdempotent() {
        IceLogging.install();
        IceLogging.install();
        assertTrue(IceLogging.isInstalled());
        assertTrue(org.slf4j.bridge.SLF4JBridgeHandler.isInstalled());
        long bridges = java.util.Arrays.stream(java.util.logging.Logger.getLogger("").getHandlers())
                .filter(h -> h instanceof org.slf4j.bridge.SLF4JBridgeHandler).count();
        assertEquals(1, bridges);
    }

    static void unused(ExecutionException e) {
    }
}
