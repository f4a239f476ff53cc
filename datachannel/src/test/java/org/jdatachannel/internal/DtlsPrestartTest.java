package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.junit.jupiter.api.Test;

/**
 * The DTLS handshake thread is started when ICE starts and waits for the handshake (issue 6,
 * set-up time): it runs the handshake when ICE has a pair, ends when the connection closes first,
 * and when its wait is over before ICE has a pair the handshake gets a new thread as before.
 *
 * <p>Network: ICE gathers 127.0.0.1 only; both connections are in this JVM.
 */
class DtlsPrestartTest {
    private static final long T = 10;

    private static RtcConfiguration loopback() {
        return RtcConfiguration.builder().iceAddressFilter(a -> a.getHostAddress().equals("127.0.0.1")).build();
    }

    /** Offer at a, answer at b: b's ICE starts; a's does not until {@link #finish}. */
    private static void offerAnswer(PeerConnectionCore a, PeerConnectionCore b) throws Exception {
        a.setLocalDescription(a.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
        b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
        b.setLocalDescription(b.createAnswer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
    }

    private static void finish(PeerConnectionCore a, PeerConnectionCore b) throws Exception {
        a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS);
    }

    private static List<Thread> dtlsThreads(PeerConnectionCore pc) {
        return pc.liveThreads().stream().filter(t -> t.getName().endsWith("-dtls")).toList();
    }

    private static void await(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            Thread.sleep(5);
        }
    }

    /** An echo over the pair: proves DTLS and SCTP came up. */
    private static void echo(PeerConnectionCore a, PeerConnectionCore b, DataChannel ch,
                             CompletableFuture<DataChannelMessage> echoed) throws Exception {
        ch.send("ping");
        assertEquals("ping!", echoed.get(T, TimeUnit.SECONDS).text());
        assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
        assertEquals(PeerConnectionState.CONNECTED, b.connectionState());
    }

    private static DataChannel channel(PeerConnectionCore a, PeerConnectionCore b,
                                       CompletableFuture<DataChannelMessage> echoed, CompletableFuture<Void> open) {
        b.onDataChannel(ch -> ch.onMessage(m -> ch.send(m.text() + "!")));
        DataChannel ch = a.createDataChannel("prestart", null);
        ch.onMessage(echoed::complete);
        ch.onOpen(() -> open.complete(null));
        return ch;
    }

    @Test
    void theThreadStartedAtIceStartRunsTheHandshake() throws Exception {
        PeerConnectionCore a = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
        PeerConnectionCore b = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
        try {
            CompletableFuture<DataChannelMessage> echoed = new CompletableFuture<>();
            CompletableFuture<Void> open = new CompletableFuture<>();
            DataChannel ch = channel(a, b, echoed, open);
            offerAnswer(a, b);
            // b's ICE runs, a's has not started: no pair can be used yet, so b's DTLS thread waits.
            List<Thread> waiting = dtlsThreads(b);
            assertEquals(1, waiting.size(), b.liveThreads().toString());
            assertEquals(1, b.dtlsThreadsStarted());
            assertEquals(0, a.dtlsThreadsStarted(), "a's ICE has not started");
            await(() -> waiting.get(0).getState() == Thread.State.TIMED_WAITING, "b's DTLS thread waits");
            assertEquals(PeerConnectionState.CONNECTING, b.connectionState());

            finish(a, b);
            open.get(T, TimeUnit.SECONDS);
            echo(a, b, ch, echoed);
            // Each side's handshake ran on the thread started at its ICE start: no second thread.
            assertEquals(1, a.dtlsThreadsStarted());
            assertEquals(1, b.dtlsThreadsStarted());
            // Push receive: the handshake thread ends once DTLS is up.
            await(() -> dtlsThreads(a).isEmpty() && dtlsThreads(b).isEmpty(), "the DTLS threads end");
            assertTrue(!waiting.get(0).isAlive());
        } finally {
            a.close();
            b.close();
        }
        assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
        assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
    }

    @Test
    void closingBeforeDtlsStartsEndsTheWaitingThread() throws Exception {
        PeerConnectionCore a = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
        PeerConnectionCore b = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
        try {
            a.createDataChannel("never", null);
            offerAnswer(a, b);
            List<Thread> waiting = dtlsThreads(b);
            assertEquals(1, waiting.size(), b.liveThreads().toString());
            b.close();
            // close() waits for the connection's threads: the waiting DTLS thread is gone already.
            assertTrue(!waiting.get(0).isAlive(), "the waiting DTLS thread ended with close()");
            assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
            assertEquals(1, b.dtlsThreadsStarted());
        } finally {
            a.close();
            b.close();
        }
        assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
    }

    @Test
    void aThreadWhoseWaitIsOverLeavesTheHandshakeToANewThread() throws Exception {
        PeerConnectionCore a = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
        PeerConnectionCore b = new PeerConnectionCore(loopback(), SctpAssociationPort.FACTORY);
        try {
            a.dtlsPrestartWaitForTests(1);
            b.dtlsPrestartWaitForTests(1);
            CompletableFuture<DataChannelMessage> echoed = new CompletableFuture<>();
            CompletableFuture<Void> open = new CompletableFuture<>();
            DataChannel ch = channel(a, b, echoed, open);
            offerAnswer(a, b);
            assertEquals(1, b.dtlsThreadsStarted());
            // b's thread stops waiting after 1 ms (a's ICE has not started, so no pair yet).
            await(() -> dtlsThreads(b).isEmpty(), "b's DTLS thread gives up waiting: " + b.liveThreads());

            finish(a, b);
            open.get(T, TimeUnit.SECONDS);
            echo(a, b, ch, echoed);
            // b: the thread started ahead ended, the handshake got a new one.
            assertEquals(2, b.dtlsThreadsStarted());
            // a: its thread either ran the handshake or gave up first; never more than one more.
            assertTrue(a.dtlsThreadsStarted() >= 1 && a.dtlsThreadsStarted() <= 2, "a: " + a.dtlsThreadsStarted());
        } finally {
            a.close();
            b.close();
        }
        assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
        assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
    }
}
