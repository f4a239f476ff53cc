package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.jdatachannel.dtls.PacketTransport;
import org.jdatachannel.internal.SctpAssociationPort;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many connections whose peer completes ICE but never speaks DTLS (the peer's datagrams under DTLS
 * are swallowed in both directions): every connection ends FAILED by the DTLS handshake timeout,
 * and once they are closed the JVM's thread count and this process's open file descriptors are
 * back to where they were (no reader thread, socket or timer left behind per half-open attempt).
 */
class HalfOpenConnectionsTest {
    private static final Logger LOG = LoggerFactory.getLogger(HalfOpenConnectionsTest.class);

    /** Pairs in the half-open round (each pair is two connections; the silent side fails too). */
    private static final int PAIRS = 8;
    private static final int HANDSHAKE_TIMEOUT_MS = 3000;

    /** A datagram transport under DTLS that never delivers nor sends anything: a peer silent in DTLS. */
    static PacketTransport silent(PacketTransport lower) {
        return new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) {
                // swallowed: the other side never sees our ClientHello/ServerHello
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
                while (true) {
                    long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                    if (left < 1) {
                        return -1;
                    }
                    // drain and drop what arrives (throws once closed, which ends the reader)
                    lower.receive(buf, off, len, (int) Math.min(left, 100));
                }
            }

            @Override
            public void close() throws IOException {
                lower.close();
            }
        };
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /**
     * Live threads other than ice4j's static pools ({@code ice4j.*}: shared by all agents, bounded
     * by ice4j, each worker ended after 60 s idle; docs/ICE4J.md "Threads"), which would make the
     * test wait a minute to see them go.
     */
    private static List<String> threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> !n.startsWith("ice4j.")).sorted().toList();
    }

    private static long ice4jPoolThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("ice4j.")).count();
    }

    /** Waits (bounded) until {@code cond} holds; returns whether it did. */
    private static boolean await(BooleanSupplier cond, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static RtcConfiguration config() {
        return loopback().dtlsHandshakeTimeoutMs(HANDSHAKE_TIMEOUT_MS).build();
    }

    /** Offer from a, answer from b, without waiting for the connection. */
    private static void signal(PeerConnection a, PeerConnection b) throws Exception {
        SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
        a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
        b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
        SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
        b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
        a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS);
    }

    private static CompletableFuture<PeerConnectionState> failedOrClosed(PeerConnection pc) {
        CompletableFuture<PeerConnectionState> f = new CompletableFuture<>();
        pc.onConnectionStateChange(s -> {
            if (s == PeerConnectionState.FAILED || s == PeerConnectionState.CLOSED) {
                f.complete(s);
            }
        });
        return f;
    }

    /** One half-open round: PAIRS pairs, all FAILED by the handshake timeout, then closed. */
    private static void halfOpenRound(int pairs) throws Exception {
        List<PeerConnection> all = new ArrayList<>();
        List<CompletableFuture<PeerConnectionState>> ends = new ArrayList<>();
        try {
            for (int i = 0; i < pairs; i++) {
                PeerConnection a = new PeerConnection(config());
                PeerConnection b = new PeerConnection(config(), SctpAssociationPort.FACTORY,
                        HalfOpenConnectionsTest::silent);
                all.add(a);
                all.add(b);
                ends.add(failedOrClosed(a));
                ends.add(failedOrClosed(b));
                a.createDataChannel("never", null);
                signal(a, b);
            }
            for (int i = 0; i < ends.size(); i++) {
                // ICE connects at once on loopback; then nothing happens until the handshake timeout
                PeerConnectionState s = ends.get(i).get(HANDSHAKE_TIMEOUT_MS / 1000 + T, TimeUnit.SECONDS);
                assertEquals(PeerConnectionState.FAILED, s, "connection " + i);
            }
            for (PeerConnection pc : all) {
                // failure already released the DTLS thread; the loop lives until close()
                assertTrue(await(() -> pc.liveThreads().stream().noneMatch(t -> t.getName().contains("dtls")), T),
                        "DTLS thread left after FAILED: " + pc.liveThreads());
            }
        } finally {
            for (PeerConnection pc : all) {
                pc.close();
            }
        }
        for (PeerConnection pc : all) {
            assertTrue(await(() -> pc.liveThreads().isEmpty(), T), "threads left after close: " + pc.liveThreads());
        }
    }

    @Test
    void halfOpenConnectionsFailByTheHandshakeTimeoutAndLeaveNothingBehind() throws Exception {
        // Warm-up (class loading, JVM-wide pools such as ice4j's and the common pool, logging
        // files), then the baseline.
        halfOpenRound(1);
        List<String> threads0 = threads();
        long fds0 = openFds();
        LOG.info("baseline after warm-up: {} threads (+ {} in ice4j's pools), {} open file descriptors: {}",
                threads0.size(), ice4jPoolThreads(), fds0, threads0);
        halfOpenRound(PAIRS);
        halfOpenRound(PAIRS);
        // our shared threads (jdc-ice-consent, jdc-ice-resolver) end after 5 s idle; wait for them
        int slack = 1;
        boolean fdsBack = await(() -> {
            try {
                return openFds() <= fds0 + slack;
            } catch (IOException e) {
                return false;
            }
        }, 2 * T);
        boolean threadsBack = await(() -> threads().size() <= threads0.size() + slack, 2 * T);
        LOG.info("after {} half-open connections: {} threads (baseline {}; + {} in ice4j's pools), {} open file "
                + "descriptors (baseline {})", 4 * PAIRS, threads().size(), threads0.size(), ice4jPoolThreads(),
                openFds(), fds0);
        assertTrue(fdsBack, "open file descriptors " + openFds() + " > baseline " + fds0 + " + " + slack);
        assertTrue(threadsBack, "threads " + threads() + " vs baseline " + threads0);
    }
}
