package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdatachannel.dtls.PacketTransport;
import org.jdatachannel.internal.SctpAssociationPort;
import org.junit.jupiter.api.Test;

/**
 * The DTLS reader thread dies of an unexpected Throwable (injected as an Error from the datagram
 * transport under DTLS, which Bouncy Castle does not catch): the connection must become FAILED at
 * once, its channels CLOSED, and the peer must learn of it. Before, nothing reported the dead
 * thread: the peer still answers ICE consent checks, so the connection stayed CONNECTED although
 * no packet reached SCTP any more.
 */
class DtlsReaderFailureTest {

    /** The injected fault; an Error so that no layer below the reader thread converts it. */
    static final class InjectedFault extends Error {
        InjectedFault() {
            super("injected by DtlsReaderFailureTest (expected)");
        }
    }

    /** Passes datagrams through until {@code armed}, then throws from receive. */
    static PacketTransport faulty(PacketTransport lower, AtomicBoolean armed) {
        return new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                lower.send(buf, off, len);
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                if (armed.get()) {
                    throw new InjectedFault();
                }
                int n = lower.receive(buf, off, len, Math.min(waitMillis == 0 ? 100 : waitMillis, 100));
                if (armed.get()) {
                    throw new InjectedFault();
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                lower.close();
            }
        };
    }

    @Test
    void readerThreadDeathFailsTheConnectionAtOnce() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        try (PeerConnection a = new PeerConnection(loopback().build(), SctpAssociationPort.FACTORY,
                lower -> faulty(lower, armed));
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
            CompletableFuture<PeerConnectionState> aEnd = new CompletableFuture<>();
            a.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.FAILED || s == PeerConnectionState.CLOSED) {
                    aEnd.complete(s);
                }
            });
            CompletableFuture<PeerConnectionState> bEnd = new CompletableFuture<>();
            b.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.FAILED || s == PeerConnectionState.CLOSED) {
                    bEnd.complete(s);
                }
            });
            armed.set(true);
            remote.send("wake the reader up"); // the reader is in receive; this makes it return at once
            PeerConnectionState end;
            try {
                end = aEnd.get(T, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the connection whose DTLS reader died is still " + a.connectionState()
                        + " after " + T + " s", e);
            }
            assertEquals(PeerConnectionState.FAILED, end);
            String why = a.failureReason().orElseThrow();
            assertTrue(why.contains("DTLS reader thread died") && why.contains("injected"), why);
            chClosed.get(T, TimeUnit.SECONDS);
            assertEquals(DataChannelState.CLOSED, ch.readyState());
            // a closes DTLS when it fails: the peer sees close_notify.
            PeerConnectionState peerEnd = bEnd.get(T, TimeUnit.SECONDS);
            assertTrue(peerEnd == PeerConnectionState.CLOSED || peerEnd == PeerConnectionState.FAILED,
                    "peer " + peerEnd);
        }
    }
}
