package org.jdatachannel;

import static org.jdatachannel.ConnectionStateTest.await;
import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.closed;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdatachannel.dtls.PacketTransport;
import org.jdatachannel.internal.SctpAssociationPort;
import org.junit.jupiter.api.Test;

/**
 * ICE connects but every DTLS datagram is silently dropped (a middlebox, or a peer that never
 * speaks DTLS): both connections end FAILED once their DTLS handshake time limit
 * ({@link RtcConfiguration.Builder#dtlsHandshakeTimeoutMs}) is up, {@link PeerConnection#failureReason()}
 * says the handshake timed out and after how long, channels are CLOSED, and the DTLS thread and
 * ICE sockets are released without close() (only the event loop lives until close()).
 */
class DtlsHandshakeTimeoutTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DtlsHandshakeTimeoutTest.class);
    static final int TIMEOUT_MS = 1500;

    /** Drops every datagram both ways (ICE below keeps working: STUN does not pass through here). */
    static PacketTransport blackHole(PacketTransport lower, AtomicInteger dropped) {
        return new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) {
                dropped.incrementAndGet();
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
                while (true) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        return -1;
                    }
                    if (lower.receive(buf, off, len, (int) Math.min(left, 100)) >= 0) {
                        dropped.incrementAndGet();
                    }
                }
            }

            @Override
            public void close() throws IOException {
                lower.close();
            }
        };
    }

    @Test
    void silentlyDroppedDtlsFailsBothSidesWithTheTimeoutReason() throws Exception {
        AtomicInteger dropped = new AtomicInteger();
        RtcConfiguration cfg = loopback().dtlsHandshakeTimeoutMs(TIMEOUT_MS).build();
        PeerConnection a = new PeerConnection(cfg, SctpAssociationPort.FACTORY, lower -> blackHole(lower, dropped));
        PeerConnection b = new PeerConnection(cfg);
        try {
            List<PeerConnectionState> statesA = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> aFailed = new CompletableFuture<>();
            a.onConnectionStateChange(s -> {
                statesA.add(s);
                if (s == PeerConnectionState.FAILED) {
                    aFailed.complete(null);
                }
            });
            CompletableFuture<Void> bFailed = new CompletableFuture<>();
            b.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.FAILED) {
                    bFailed.complete(null);
                }
            });
            DataChannel ch = a.createDataChannel("never-opens", null);
            CompletableFuture<Void> chClosed = closed(ch);
            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS);

            long t0 = System.nanoTime();
            aFailed.get(T, TimeUnit.SECONDS);
            bFailed.get(T, TimeUnit.SECONDS);
            LOG.info("both FAILED {} ms after the descriptions were set", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertTrue(dropped.get() > 0, "the handshake was attempted (and dropped)");
            assertEquals(List.of(PeerConnectionState.CONNECTING, PeerConnectionState.FAILED), statesA);
            for (PeerConnection pc : List.of(a, b)) {
                String why = pc.failureReason().orElseThrow();
                assertTrue(why.startsWith("DTLS handshake failed") && why.contains("timed out after " + TIMEOUT_MS + " ms"),
                        why);
            }
            chClosed.get(T, TimeUnit.SECONDS);
            assertEquals(DataChannelState.CLOSED, ch.readyState());
            // Released without close(): the DTLS thread and the ICE socket readers end; the event
            // loop stays until close().
            for (PeerConnection pc : List.of(a, b)) {
                await(() -> pc.liveThreads().stream().allMatch(t -> t.getName().endsWith("-loop")),
                        pc + " keeps only its event loop: " + pc.liveThreads());
            }
            LOG.info("threads released {} ms after the descriptions were set",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            // close() makes a failed connection CLOSED (W3C) but keeps the reason.
            a.close();
            assertEquals(PeerConnectionState.CLOSED, a.connectionState());
            assertTrue(a.failureReason().orElseThrow().contains("timed out"));
        } finally {
            a.close();
            b.close();
        }
        assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
        assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
    }
}
