package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;
import org.junit.jupiter.api.Test;

/**
 * DTLS handshakes run on pooled threads (issue 6, set-up time): a connection set up after another
 * one's handshake ended reuses that handshake's thread instead of starting one, and a connection
 * reports the pooled thread as its own only while its handshake task runs.
 *
 * <p>Network: ICE gathers 127.0.0.1 only; both connections are in this JVM.
 */
class DtlsThreadsTest {
    private static final long T = 10;

    private static RtcConfiguration loopback() {
        return RtcConfiguration.builder().iceAddressFilter(a -> a.getHostAddress().equals("127.0.0.1")).build();
    }

    private static void await(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            Thread.sleep(5);
        }
    }

    /** Connects a pair, echoes one message, closes both; asserts no thread of theirs is left. */
    private static void connectEchoClose() throws Exception {
        PeerConnectionCore a = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
        PeerConnectionCore b = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
        try {
            b.onDataChannel(ch -> ch.onMessage(m -> ch.send(m.text() + "!")));
            DataChannel ch = a.createDataChannel("pooled", null);
            CompletableFuture<DataChannelMessage> echoed = new CompletableFuture<>();
            ch.onMessage(echoed::complete);
            ch.onOpen(() -> ch.send("ping"));
            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS);
            assertEquals("ping!", echoed.get(T, TimeUnit.SECONDS).text());
            // Push receive: the handshake task ends once DTLS is up; the pooled thread is no longer ours.
            await(() -> a.liveThreads().stream().noneMatch(t -> t.getName().endsWith("-dtls"))
                    && b.liveThreads().stream().noneMatch(t -> t.getName().endsWith("-dtls")),
                    "the DTLS tasks end: " + a.liveThreads() + " " + b.liveThreads());
        } finally {
            a.close();
            b.close();
        }
        assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
        assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
    }

    @Test
    void aLaterHandshakeReusesAnIdleHandshakeThread() throws Exception {
        connectEchoClose();
        // Both handshake threads of the first pair wait for work now (for KEEP_ALIVE_S seconds).
        await(() -> PeerConnectionCore.DtlsThreads.idle() >= 2, "two idle handshake threads");
        int started = PeerConnectionCore.DtlsThreads.threadsStarted();
        connectEchoClose();
        assertEquals(started, PeerConnectionCore.DtlsThreads.threadsStarted(),
                "the second pair's handshakes ran on the first pair's threads");
    }

    /**
     * Review r1: when no handshake thread can start (the pool's thread factory throws, as {@code
     * Thread.start} does with "unable to create native thread"), the connection fails at once
     * instead of staying CONNECTING with no handshake time limit running, and close() does not
     * wait for a task that never ran.
     */
    @Test
    void aHandshakeThreadThatCannotStartFailsTheConnection() throws Exception {
        Field f = PeerConnectionCore.DtlsThreads.class.getDeclaredField("POOL");
        f.setAccessible(true);
        ThreadPoolExecutor pool = (ThreadPoolExecutor) f.get(null);
        ThreadFactory factory = pool.getThreadFactory();
        long keepAliveNs = pool.getKeepAliveTime(TimeUnit.NANOSECONDS);
        PeerConnectionCore a = null;
        PeerConnectionCore b = null;
        try {
            pool.setThreadFactory(r -> {
                throw new OutOfMemoryError("unable to create native thread (test)");
            });
            pool.setKeepAliveTime(1, TimeUnit.NANOSECONDS); // idle threads of earlier tests end now
            await(() -> pool.getPoolSize() == 0, "no pooled handshake thread left");
            a = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
            b = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
            a.createDataChannel("never", null);
            a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
            b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
            a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS);
            PeerConnectionCore pa = a;
            PeerConnectionCore pb = b;
            // The handshake time limit (20 s) is longer than T: only the start failure can fail them.
            await(() -> pa.connectionState() == PeerConnectionState.FAILED
                    && pb.connectionState() == PeerConnectionState.FAILED, "both ends FAILED");
            String why = a.failureReason();
            assertTrue(why != null && why.contains("DTLS handshake thread could not start"), why);
        } finally {
            pool.setThreadFactory(factory);
            pool.setKeepAliveTime(keepAliveNs, TimeUnit.NANOSECONDS);
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        }
        assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
    }
}
