package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STUN/TURN gathering and relayed connectivity against a real coturn on 127.0.0.1 (see
 * {@link Coturn}). Host candidates are limited to IPv4 loopback; nothing leaves the machine.
 */
class TurnTest {
    private static final Logger LOG = LoggerFactory.getLogger(TurnTest.class);
    private static final Predicate<InetAddress> IPV4_LOOPBACK =
            a -> a instanceof Inet4Address && a.isLoopbackAddress();
    private static Coturn coturn;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startCoturn() throws Exception {
        IceLogging.install();
        coturn = Coturn.start();
    }

    @AfterAll
    static void stopCoturn() throws Exception {
        if (coturn != null) {
            coturn.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private IceAgent agent(IceConfig.Builder b) {
        IceAgent a = new IceAgent(b.addressFilter(IPV4_LOOPBACK).build());
        closeables.add(a);
        return a;
    }

    @Test
    void turnUdpGivesARelayedCandidate() throws Exception {
        IceAgent a = agent(IceConfig.builder().iceServers(List.of(coturn.turnServer())));
        List<IceCandidate> trickled = new CopyOnWriteArrayList<>();
        a.onLocalCandidate(trickled::add);
        List<IceCandidate> host = a.gather();
        assertEquals(1, host.size());
        a.gatheringDone().get(10, TimeUnit.SECONDS);
        LOG.info("trickled {}", trickled);
        List<IceCandidate> relays = trickled.stream().filter(c -> c.type().equals("relay")).toList();
        assertEquals(1, relays.size(), trickled.toString());
        IceCandidate relay = relays.get(0);
        assertEquals("127.0.0.1", relay.address());
        assertTrue(relay.port() > 0);
        assertEquals("127.0.0.1", relay.relatedAddress(), "raddr: the mapped address of the allocation");
        assertEquals(host.get(0).port(), relay.relatedPort());
        assertTrue(relay.priority() < host.get(0).priority(), "relay priority is the lowest type preference");
        List<IceCandidate> late = new ArrayList<>();
        a.onLocalCandidate(late::add);
        assertEquals(trickled, late, "a late listener gets the candidates replayed");
        assertEquals(host.size() + trickled.size(), a.localCandidates().size());
    }

    /**
     * A relay-only agent and an ordinary one (host candidates only, like a browser without TURN):
     * the selected pair is relay → host and carries data both ways (the relay-only agent's host
     * socket talks to the TURN server only; see HostSocketTest.acceptOnlyFromDropsOtherSources).
     */
    @Test
    void relayOnlyAgentConnectsToAHostOnlyPeer() throws Exception {
        IceAgent a = agent(IceConfig.builder().controlling(true).relayOnly(true).iceServers(List.of(coturn.turnServer())));
        IceAgent b = agent(IceConfig.builder());
        a.gather();
        List<IceCandidate> hb = b.gather();
        a.gatheringDone().get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> connA = connected(a);
        CompletableFuture<Void> connB = connected(b);
        a.setRemoteCredentials(b.localUfrag(), b.localPassword());
        b.setRemoteCredentials(a.localUfrag(), a.localPassword());
        hb.forEach(a::addRemoteCandidate);
        a.localCandidates().forEach(b::addRemoteCandidate);
        a.start();
        b.start();
        CompletableFuture.allOf(connA, connB).get(20, TimeUnit.SECONDS);
        assertEquals("relay", a.selectedLocalType());
        byte[] msg = {0x17, 9, 9};
        byte[] buf = new byte[100];
        b.transport().send(msg, 0, msg.length);
        assertEquals(3, a.transport().receive(buf, 0, buf.length, 5000));
        a.transport().send(msg, 0, msg.length);
        assertEquals(3, b.transport().receive(buf, 0, buf.length, 5000));
    }

    /**
     * Under relay-only the relayed candidate's raddr/rport (the allocation's mapped address, our
     * own address) are zeroed: RFC 8839 §5.1 wants them present, a relay policy wants our
     * addresses hidden.
     */
    @Test
    void relayOnlyCandidatesHideTheMappedAddress() throws Exception {
        IceAgent a = agent(IceConfig.builder().relayOnly(true).iceServers(List.of(coturn.turnServer())));
        List<IceCandidate> trickled = new CopyOnWriteArrayList<>();
        a.onLocalCandidate(trickled::add);
        assertEquals(List.of(), a.gather());
        a.gatheringDone().get(10, TimeUnit.SECONDS);
        assertEquals(1, trickled.size(), trickled.toString());
        IceCandidate relay = trickled.get(0);
        assertEquals("relay", relay.type());
        assertEquals("0.0.0.0", relay.relatedAddress());
        assertEquals(0, relay.relatedPort());
        assertTrue(relay.toString().contains(" raddr 0.0.0.0 rport 0"), relay.toString());
    }

    /** TCP and TLS URLs are accepted in the configuration and skipped when gathering. */
    @Test
    void tcpAndTlsServerUrlsAreSkipped() throws Exception {
        IceAgent a = agent(IceConfig.builder().iceServers(List.of(
                new IceServer(List.of("turn:127.0.0.1:" + coturn.port() + "?transport=tcp",
                        "turns:127.0.0.1:" + coturn.port(), "stuns:127.0.0.1"), Coturn.USER, Coturn.PASSWORD))));
        List<IceCandidate> trickled = new CopyOnWriteArrayList<>();
        a.onLocalCandidate(trickled::add);
        a.gather();
        assertTrue(a.gatheringDone().isDone(), "no usable server: gathering over when gather() returns");
        assertEquals(List.of(), trickled);
    }

    @Test
    void wrongTurnCredentialsGiveNoRelayButGatheringEnds() throws Exception {
        IceServer bad = IceServer.turn("turn:127.0.0.1:" + coturn.port(), Coturn.USER, "wrong");
        IceAgent a = agent(IceConfig.builder().iceServers(List.of(bad)));
        List<IceCandidate> trickled = new CopyOnWriteArrayList<>();
        a.onLocalCandidate(trickled::add);
        a.gather();
        a.gatheringDone().get(10, TimeUnit.SECONDS);
        assertTrue(trickled.stream().noneMatch(c -> c.type().equals("relay")), trickled.toString());
    }

    @Test
    void unresponsiveServersEndGatheringWithinTheBound() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = silent.getLocalPort();
            IceAgent a = agent(IceConfig.builder().gatheringTimeoutMs(1000).iceServers(List.of(
                    IceServer.stun("stun:127.0.0.1:" + port),
                    IceServer.turn("turn:127.0.0.1:" + port, "u", "p"))));
            List<IceCandidate> trickled = new CopyOnWriteArrayList<>();
            a.onLocalCandidate(trickled::add);
            a.gather();
            // Bounded by gatheringTimeoutMs (1 s); the generous wait only absorbs machine load.
            a.gatheringDone().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(), trickled);
            DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
            silent.setSoTimeout(5000);
            silent.receive(p);
            assertEquals(0, p.getData()[0] & 0xC0, "a STUN request reached the silent server");
            // The gathering threads still wait for the silent server; close must end them.
            List<Thread> threads = a.ownThreads();
            assertTrue(threads.stream().anyMatch(t -> t.getName().startsWith("jdc-ice-gather-")), threads.toString());
            a.close();
            for (Thread t : threads) {
                t.join(5000);
                assertFalse(t.isAlive(), t.getName() + " still alive after close");
            }
        }
    }

    /**
     * A relayed candidate whose allocation completes after the gathering deadline is neither
     * advertised nor used: its allocation is released (it used to be allocated and paired but
     * never signalled). coturn is reached through a forwarder that delays our requests past the
     * 100 ms deadline.
     */
    @Test
    void aRelayedCandidateAfterTheDeadlineIsDroppedAndReleased() throws Exception {
        try (DelayingForwarder slow = new DelayingForwarder(new InetSocketAddress("127.0.0.1", coturn.port()), 150)) {
            IceAgent a = agent(IceConfig.builder().gatheringTimeoutMs(100).iceServers(List.of(
                    IceServer.turn("turn:127.0.0.1:" + slow.port(), Coturn.USER, Coturn.PASSWORD))));
            List<IceCandidate> trickled = new CopyOnWriteArrayList<>();
            a.onLocalCandidate(trickled::add);
            a.gather();
            a.gatheringDone().get(10, TimeUnit.SECONDS);
            // Wait for the gathering thread to get coturn's (late) answer and finish.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (a.ownThreads().stream().anyMatch(t -> t.getName().startsWith("jdc-ice-gather-"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(a.ownThreads().stream().anyMatch(t -> t.getName().startsWith("jdc-ice-gather-")));
            assertTrue(slow.forwarded() >= 2, "the Allocate exchange reached coturn");
            assertEquals(List.of(), trickled);
            assertTrue(a.localCandidates().stream().noneMatch(c -> c.type().equals("relay")), a.localCandidates().toString());
            assertEquals(0, a.relayedInUse(), "a late relayed candidate is released, not kept");
            assertTrue(a.ownThreads().stream().noneMatch(t -> t.getName().startsWith("jdc-ice-relay-rx-")));
        }
    }

    /** Forwards datagrams to a server, each request delayed; answers go back to the last client at once. */
    static final class DelayingForwarder implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;
        private final java.util.concurrent.ScheduledExecutorService delayer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        private final java.util.concurrent.atomic.AtomicInteger forwarded = new java.util.concurrent.atomic.AtomicInteger();
        private volatile java.net.SocketAddress client;

        DelayingForwarder(InetSocketAddress server, long delayMs) throws Exception {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            thread = new Thread(() -> {
                byte[] buf = new byte[1500];
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                        byte[] data = java.util.Arrays.copyOf(buf, p.getLength());
                        if (p.getSocketAddress().equals(server)) {
                            if (client != null) {
                                socket.send(new DatagramPacket(data, data.length, client));
                            }
                        } else {
                            client = p.getSocketAddress();
                            delayer.schedule(() -> {
                                try {
                                    socket.send(new DatagramPacket(data, data.length, server));
                                    forwarded.incrementAndGet();
                                } catch (java.io.IOException e) {
                                    // closed
                                }
                            }, delayMs, TimeUnit.MILLISECONDS);
                        }
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "delaying-forwarder");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int forwarded() {
            return forwarded.get();
        }

        @Override
        public void close() throws InterruptedException {
            delayer.shutdownNow();
            socket.close();
            thread.join(2000);
        }
    }

    /** close() cancels the gathering deadline task (it would otherwise sit on the shared timer for gatheringTimeoutMs). */
    @Test
    void closeCancelsTheGatheringDeadline() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            IceAgent a = agent(IceConfig.builder().gatheringTimeoutMs(60_000).iceServers(List.of(
                    IceServer.stun("stun:127.0.0.1:" + silent.getLocalPort()))));
            a.gather();
            assertTrue(a.gatheringDeadlinePending());
            a.close();
            assertTrue(a.gatheringDone().isDone());
            assertFalse(a.gatheringDeadlinePending(), "deadline task still scheduled after close");
        }
    }

    /** A STUN server that maps us to another address gives a server-reflexive candidate. */
    @Test
    void stunGivesAServerReflexiveCandidate() throws Exception {
        try (FakeStunServer stun = new FakeStunServer(new InetSocketAddress("127.0.0.2", 40000))) {
            IceAgent a = agent(IceConfig.builder().iceServers(List.of(IceServer.stun("stun:127.0.0.1:" + stun.port()))));
            List<IceCandidate> trickled = new CopyOnWriteArrayList<>();
            a.onLocalCandidate(trickled::add);
            List<IceCandidate> host = a.gather();
            a.gatheringDone().get(10, TimeUnit.SECONDS);
            assertEquals(1, trickled.size(), trickled.toString());
            IceCandidate srflx = trickled.get(0);
            assertEquals("srflx", srflx.type());
            assertEquals("127.0.0.2", srflx.address());
            assertEquals(40000, srflx.port());
            assertEquals(host.get(0).address(), srflx.relatedAddress());
            assertEquals(host.get(0).port(), srflx.relatedPort());
        }
    }

    /** On loopback coturn maps us to our own host address: that srflx is redundant and dropped (RFC 8445 §5.1.3). */
    @Test
    void stunMappingEqualToTheHostAddressIsRedundant() throws Exception {
        IceAgent a = agent(IceConfig.builder().iceServers(List.of(coturn.stunServer())));
        List<IceCandidate> trickled = new CopyOnWriteArrayList<>();
        a.onLocalCandidate(trickled::add);
        a.gather();
        a.gatheringDone().get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), trickled);
    }

    /**
     * Two relay-only agents connect through coturn: only relayed candidates are advertised and
     * paired, data flows both ways through the relay, and close releases threads, sockets and
     * the allocations.
     */
    @Test
    void relayOnlyAgentsConnectThroughTheRelay() throws Exception {
        int logFrom = coturn.log().length();
        IceAgent a = agent(IceConfig.builder().controlling(true).relayOnly(true).iceServers(List.of(coturn.turnServer())));
        IceAgent b = agent(IceConfig.builder().relayOnly(true).iceServers(List.of(coturn.turnServer())));
        assertEquals(List.of(), a.gather());
        assertEquals(List.of(), b.gather());
        CompletableFuture.allOf(a.gatheringDone(), b.gatheringDone()).get(10, TimeUnit.SECONDS);
        List<IceCandidate> ca = a.localCandidates();
        List<IceCandidate> cb = b.localCandidates();
        LOG.info("a {} b {}", ca, cb);
        assertEquals(1, ca.size());
        assertEquals(1, cb.size());
        assertTrue(ca.get(0).type().equals("relay") && cb.get(0).type().equals("relay"));

        CompletableFuture<Void> connA = connected(a);
        CompletableFuture<Void> connB = connected(b);
        a.setRemoteCredentials(b.localUfrag(), b.localPassword());
        b.setRemoteCredentials(a.localUfrag(), a.localPassword());
        cb.forEach(a::addRemoteCandidate);
        ca.forEach(b::addRemoteCandidate);
        a.start();
        b.start();
        CompletableFuture.allOf(connA, connB).get(20, TimeUnit.SECONDS);
        assertEquals("relay", a.selectedLocalType());
        assertEquals("relay", b.selectedLocalType());

        byte[] buf = new byte[2000];
        for (int i = 0; i < 20; i++) {
            byte[] msg = ("hello " + i).getBytes();
            msg[0] = 0x17; // DTLS-range first byte (RFC 7983), as real traffic
            a.transport().send(msg, 0, msg.length);
            int n = b.transport().receive(buf, 0, buf.length, 5000);
            assertArrayEquals(msg, java.util.Arrays.copyOf(buf, n));
            b.transport().send(msg, 0, msg.length);
            n = a.transport().receive(buf, 0, buf.length, 5000);
            assertArrayEquals(msg, java.util.Arrays.copyOf(buf, n));
        }
        byte[] big = new byte[1200];
        java.util.Arrays.fill(big, (byte) 0x42);
        a.transport().send(big, 0, big.length);
        assertEquals(1200, b.transport().receive(buf, 0, buf.length, 5000));

        // ice4j's TURN threads (relayed socket sender, refresher) never keep the JVM alive.
        List<String> turnThreadsWhileUp = ice4jTurnThreads();
        LOG.info("ice4j TURN threads while connected: {}", turnThreadsWhileUp.size());
        assertTrue(turnThreadsWhileUp.stream().allMatch(t -> t.contains("(daemon)")), turnThreadsWhileUp.toString());
        List<Thread> threads = new ArrayList<>(a.ownThreads());
        threads.addAll(b.ownThreads());
        List<InetSocketAddress> bound = new ArrayList<>(a.localSocketAddresses());
        bound.addAll(b.localSocketAddresses());
        a.close();
        b.close();
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive(), t.getName() + " still alive");
        }
        for (InetSocketAddress addr : bound) {
            try (DatagramSocket s = new DatagramSocket(addr)) {
                assertEquals(addr.getPort(), s.getLocalPort());
            }
        }
        // ice4j's own TURN threads (relayed socket sender, allocation refresher) end too.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> turnThreads = ice4jTurnThreads();
        while (!turnThreads.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling with a deadline
            turnThreads = ice4jTurnThreads();
        }
        assertEquals(List.of(), turnThreads);
        String log = awaitLog(logFrom, l -> count(l, "peer usage") >= 2);
        LOG.info("coturn log:\n{}", log);
        // RFC 8656 §7: the allocations were deleted with a Refresh of lifetime 0 on close.
        assertEquals(2, count(log, "lifetime=0"), log);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("peer usage: [^\n]*rp=(\\d+), rb=(\\d+)").matcher(log);
        int sessions = 0;
        while (m.find()) {
            sessions++;
            assertTrue(Integer.parseInt(m.group(1)) >= 20, "coturn relayed the peer's datagrams: " + m.group());
        }
        assertEquals(2, sessions, log);
    }

    /** Live threads running ice4j's TURN/STUN harvesting or relayed-socket code. */
    private static List<String> ice4jTurnThreads() {
        List<String> out = new ArrayList<>();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            for (StackTraceElement e : stack) {
                if (t.isAlive() && (e.getClassName().startsWith("org.ice4j.socket.RelayedCandidate")
                        || e.getClassName().startsWith("org.ice4j.ice.harvest.StunCandidateHarvest"))) {
                    out.add(t.getName() + (t.isDaemon() ? " (daemon)" : "") + " at "
                            + java.util.Arrays.toString(java.util.Arrays.copyOf(stack, Math.min(8, stack.length))));
                    break;
                }
            }
        });
        return out;
    }

    /**
     * The controlled side starts checks before its relayed candidate exists (trickle): the
     * candidate gathered later is paired with the remote candidates (RFC 8838 §8.2), so it
     * sends checks, creates its TURN permission and the pair connects.
     */
    @Test
    void relayCandidateGatheredAfterStartIsPaired() throws Exception {
        IceAgent a = agent(IceConfig.builder().controlling(true).relayOnly(true).iceServers(List.of(coturn.turnServer())));
        IceAgent b = agent(IceConfig.builder().relayOnly(true).iceServers(List.of(coturn.turnServer())));
        a.gather();
        a.gatheringDone().get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> connA = connected(a);
        CompletableFuture<Void> connB = connected(b);
        b.gather(); // its relay candidate is still being allocated
        b.setRemoteCredentials(a.localUfrag(), a.localPassword());
        a.localCandidates().forEach(b::addRemoteCandidate);
        b.start();
        b.gatheringDone().get(10, TimeUnit.SECONDS);
        a.setRemoteCredentials(b.localUfrag(), b.localPassword());
        b.localCandidates().forEach(a::addRemoteCandidate);
        a.start();
        CompletableFuture.allOf(connA, connB).get(20, TimeUnit.SECONDS);
        assertEquals("relay", b.selectedLocalType());
        byte[] msg = {0x17, 1, 2, 3};
        b.transport().send(msg, 0, msg.length);
        byte[] buf = new byte[100];
        assertEquals(4, a.transport().receive(buf, 0, buf.length, 5000));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** Waits (up to 10 s) until the log written since {@code from} satisfies {@code done}; returns that part. */
    private static String awaitLog(int from, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String log = coturn.log().substring(from);
        while (!done.test(log) && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling the log with a deadline
            log = coturn.log().substring(from);
        }
        return log;
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

    /**
     * A minimal STUN Binding responder on 127.0.0.1 that reports a fixed mapped address
     * (RFC 8489 §14.2 XOR-MAPPED-ADDRESS), as a STUN server behind a NAT would see us.
     */
    static final class FakeStunServer implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;

        FakeStunServer(InetSocketAddress mapped) throws Exception {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            thread = new Thread(() -> {
                byte[] buf = new byte[1500];
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                        if (p.getLength() < 20 || buf[0] != 0 || buf[1] != 1) {
                            continue; // not a Binding request
                        }
                        java.nio.ByteBuffer r = java.nio.ByteBuffer.allocate(32);
                        r.putShort((short) 0x0101).putShort((short) 12).put(buf, 4, 16);
                        byte[] ip = mapped.getAddress().getAddress();
                        r.putShort((short) 0x0020).putShort((short) 8).put((byte) 0).put((byte) 1)
                                .putShort((short) (mapped.getPort() ^ 0x2112));
                        int cookie = 0x2112A442;
                        r.putInt(java.nio.ByteBuffer.wrap(ip).getInt() ^ cookie);
                        socket.send(new DatagramPacket(r.array(), 32, p.getSocketAddress()));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "fake-stun");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(2000);
        }
    }
}
