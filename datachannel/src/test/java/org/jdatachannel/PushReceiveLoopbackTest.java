package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jdatachannel.dtls.PacketTransport;
import org.jdatachannel.internal.PeerConnectionCore;
import org.jdatachannel.internal.SctpAssociationPort;
import org.jdatachannel.internal.SctpPort;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, the push receive path: after the DTLS handshake no DTLS reader thread is left; the
 * socket reader hands datagrams to the event loop, which decrypts them and feeds SCTP; a burst that
 * arrives while the loop is busy is followed by one SCTP drain; and a failure on that path still
 * fails the connection at once (what DtlsReaderFailureTest proves for the pull reader).
 */
class PushReceiveLoopbackTest {

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void noDtlsReaderThreadAfterTheHandshakeAndDataFlowsBothWays() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            BlockingQueue<String> atB = new LinkedBlockingQueue<>();
            BlockingQueue<String> atA = new LinkedBlockingQueue<>();
            b.onDataChannel(ch -> ch.onMessage(m -> {
                atB.add(m.text());
                ch.send("echo " + m.text());
            }));
            DataChannel ch = a.createDataChannel("push", null);
            ch.onMessage(m -> atA.add(m.text()));
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++) {
                ch.send("m" + i);
            }
            for (int i = 0; i < 100; i++) {
                assertEquals("m" + i, atB.poll(T, TimeUnit.SECONDS));
                assertEquals("echo m" + i, atA.poll(T, TimeUnit.SECONDS));
            }
            for (PeerConnection pc : new PeerConnection[] {a, b}) {
                PeerConnectionCore.ReceiveStats st = pc.receiveStats();
                assertTrue(st.pushMode(), st.toString());
                assertTrue(st.datagrams() > 0 && st.pushDrains() > 0 && st.pushDrains() <= st.datagrams(), st.toString());
                assertEquals(0, st.dropped(), st.toString());
                await(() -> pc.liveThreads().stream().noneMatch(t -> t.getName().endsWith("-dtls")),
                        "the DTLS handshake thread ends: " + pc.liveThreads());
            }
        }
    }

    @Test
    void aBurstArrivingWhileTheLoopIsBusyIsDrainedOnce() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger got = new AtomicInteger();
            b.onDataChannel(ch -> ch.onMessage(m -> {
                if (got.incrementAndGet() == 1) {
                    // b's event loop is busy in this callback while a's burst arrives
                    blocked.countDown();
                    try {
                        release.await(2 * T, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }));
            DataChannel ch = a.createDataChannel("burst", null);
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            ch.send("first");
            assertTrue(blocked.await(T, TimeUnit.SECONDS));
            long before = b.receiveStats().datagrams();
            int burst = 20; // well below the SCTP window and PeerConnectionCore.MAX_DATAGRAMS_PER_DRAIN
            for (int i = 0; i < burst; i++) {
                ch.send(ByteBuffer.allocate(1000));
            }
            // b's loop reads its sockets itself (issue 6): the burst's datagrams (as many as a's
            // congestion window lets out) wait in b's kernel socket buffer while it is busy.
            await(() -> receiveQueueBytes(b.iceSocketAddresses()) >= 3 * 2048, "the burst reaches b's socket");
            assertEquals(before, b.receiveStats().datagrams());
            long ioRounds = b.receiveStats().ioRounds();
            release.countDown();
            await(() -> got.get() == 1 + burst, "b receives the burst");
            PeerConnectionCore.ReceiveStats st = b.receiveStats();
            // The loop reads the waiting datagrams in one selection round (no task per datagram)
            // and drains SCTP once for them.
            assertTrue(st.largestBatch() >= 2, "the waiting datagrams were drained together: " + st);
            assertEquals(0, st.waiting(), st.toString());
            assertTrue(st.ioRounds() > ioRounds, st.toString());
        }
    }

    /**
     * Bytes (kernel accounting, with overhead) waiting in the receive queues of the UDP sockets
     * bound to {@code addrs}, from Linux's /proc/net/udp and udp6 ("rx_queue").
     */
    static long receiveQueueBytes(java.util.List<java.net.InetSocketAddress> addrs) {
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (java.net.InetSocketAddress a : addrs) {
            ports.add(a.getPort());
        }
        long total = 0;
        for (String f : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            java.util.List<String> lines;
            try {
                lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(f));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] c = line.trim().split("\\s+");
                String local = c[1];
                int port = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                if (ports.contains(port)) {
                    String queues = c[4]; // tx_queue:rx_queue, hex
                    total += Long.parseLong(queues.substring(queues.indexOf(':') + 1), 16);
                }
            }
        }
        return total;
    }

    /** An SCTP port that throws an Error from handleInput once {@code armed} (on the event loop). */
    static SctpPort.Factory faultyInput(AtomicBoolean armed) {
        return (params, clock) -> new ForwardingSctpPort(SctpAssociationPort.FACTORY.create(params, clock)) {
            @Override
            public void handleInput(byte[] packet, long nowMs) {
                if (armed.get()) {
                    throw new DtlsReaderFailureTest.InjectedFault();
                }
                delegate.handleInput(packet, nowMs);
            }

            @Override
            public void handleInput(byte[] buf, int off, int len, long nowMs) {
                if (armed.get()) {
                    throw new DtlsReaderFailureTest.InjectedFault();
                }
                delegate.handleInput(buf, off, len, nowMs);
            }
        };
    }

    @Test
    void anErrorOnThePushPathFailsTheConnectionAtOnce() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        try (PeerConnection a = new PeerConnection(loopback().build(), faultyInput(armed));
             PeerConnection b = new PeerConnection(loopback().build())) {
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            b.onDataChannel(atB::add);
            DataChannel ch = a.createDataChannel("doomed", null);
            CompletableFuture<Void> open = opened(ch);
            CompletableFuture<Void> chClosed = new CompletableFuture<>();
            ch.onClose(() -> chClosed.complete(null));
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            DataChannel remote = atB.poll(T, TimeUnit.SECONDS);
            assertTrue(remote != null, "the peer announced the channel");
            assertTrue(a.receiveStats().pushMode());
            CompletableFuture<PeerConnectionState> aEnd = new CompletableFuture<>();
            a.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.FAILED || s == PeerConnectionState.CLOSED) {
                    aEnd.complete(s);
                }
            });
            armed.set(true);
            remote.send("trigger");
            assertEquals(PeerConnectionState.FAILED, aEnd.get(T, TimeUnit.SECONDS));
            String why = a.failureReason().orElseThrow();
            assertTrue(why.contains("DTLS receive path died") && why.contains("injected"), why);
            chClosed.get(T, TimeUnit.SECONDS);
            assertEquals(DataChannelState.CLOSED, ch.readyState());
        }
    }

    @Test
    void aTransportWithoutPushKeepsThePullReader() throws Exception {
        // A wrapper that only implements pull receive (the default setReceiver refuses).
        java.util.function.UnaryOperator<PacketTransport> pullOnly = lower -> new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                lower.send(buf, off, len);
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                return lower.receive(buf, off, len, waitMillis);
            }

            @Override
            public void close() throws IOException {
                lower.close();
            }
        };
        try (PeerConnection a = new PeerConnection(loopback().build(), SctpAssociationPort.FACTORY, pullOnly);
             PeerConnection b = new PeerConnection(loopback().build())) {
            BlockingQueue<String> atB = new LinkedBlockingQueue<>();
            b.onDataChannel(ch -> ch.onMessage(m -> ch.send(m.text())));
            DataChannel ch = a.createDataChannel("pull", null);
            ch.onMessage(m -> atB.add(m.text()));
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            ch.send("ping");
            assertEquals("ping", atB.poll(T, TimeUnit.SECONDS));
            assertTrue(!a.receiveStats().pushMode() && b.receiveStats().pushMode());
            assertTrue(a.liveThreads().stream().anyMatch(t -> t.getName().endsWith("-dtls")), a.liveThreads().toString());
        }
    }
}
