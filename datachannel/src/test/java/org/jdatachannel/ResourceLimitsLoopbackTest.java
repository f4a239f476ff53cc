package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiateWithEditedAnswer;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jdatachannel.internal.ChannelManager;
import org.jdatachannel.internal.DataChannelImpl;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resource exhaustion over a real loopback connection (ICE, DTLS, SCTP, DCEP): a peer opening more
 * channels than we keep, a message that never ends, a receiver whose handler blocks. The manager's
 * own accounting is checked in {@code internal.ResourceLimitsTest}; here what a peer sees.
 */
class ResourceLimitsLoopbackTest {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceLimitsLoopbackTest.class);

    /** Waits for FAILED or CLOSED. */
    private static CompletableFuture<PeerConnectionState> ended(PeerConnection pc) {
        CompletableFuture<PeerConnectionState> f = new CompletableFuture<>();
        pc.onConnectionStateChange(s -> {
            if (s == PeerConnectionState.FAILED || s == PeerConnectionState.CLOSED) {
                f.complete(s);
            }
        });
        return f;
    }

    private static long closedCount(List<DataChannel> chans) {
        return chans.stream().filter(ch -> ch.readyState() == DataChannelState.CLOSED).count();
    }

    @Test
    void channelsBeyondTheLimitAreRefusedAndTheRestWork() throws Exception {
        int extra = 50;
        int total = ChannelManager.MAX_PEER_CHANNELS + extra;
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            AtomicInteger announced = new AtomicInteger();
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            b.onDataChannel(ch -> {
                announced.incrementAndGet();
                atB.add(ch);
                ch.onMessage(m -> ch.send(m.text()));
            });
            DataChannel first = a.createDataChannel("first", null);
            CompletableFuture<Void> firstOpen = opened(first);
            negotiate(a, b);
            firstOpen.get(T, TimeUnit.SECONDS);
            AtomicInteger refused = new AtomicInteger();
            List<DataChannel> mine = new ArrayList<>();
            for (int i = 1; i < total; i++) {
                DataChannel ch = a.createDataChannel("c" + i, null);
                mine.add(ch);
                // accepted: the ACK arrives (we see nothing); refused: reset before ACK -> error + close
                ch.onError(e -> refused.incrementAndGet());
            }
            // the first channel's echo after all OPENs shows B has processed them (one association, in order)
            BlockingQueue<String> echo = new LinkedBlockingQueue<>();
            first.onMessage(m -> echo.add(m.text()));
            first.send("after all OPENs");
            assertEquals("after all OPENs", echo.poll(60, TimeUnit.SECONDS));
            // B accepted exactly its limit (first + 4095 more) and reset the rest
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // a refused channel reports its error when the peer's reset arrives, and is CLOSED once
            // our reset of the other direction is done too
            while ((refused.get() < extra || closedCount(mine) < extra) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(ChannelManager.MAX_PEER_CHANNELS, announced.get());
            assertEquals(extra, refused.get(), "the peer's channels beyond the limit failed (reset before ACK)");
            assertEquals(extra, closedCount(mine));
            // an accepted channel still echoes
            DataChannel last = mine.stream().filter(ch -> ch.readyState() == DataChannelState.OPEN)
                    .reduce((x, y) -> y).orElseThrow();
            BlockingQueue<String> lastEcho = new LinkedBlockingQueue<>();
            last.onMessage(m -> lastEcho.add(m.text()));
            last.send("still flowing");
            assertEquals("still flowing", lastEcho.poll(T, TimeUnit.SECONDS));
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
        }
    }

    @Test
    void aMessageThatNeverEndsAbortsTheAssociation() throws Exception {
        // B accepts messages of at most 64 KiB and says so; A is told "no limit" (the answer is
        // edited), so A's SCTP sends a 1 MiB message whose fragments pass B's limit: B must abort
        // the association (RFC 9260 §6.9 leaves reassembly limits to the receiver) instead of
        // buffering on and on.
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().maxMessageSize(65536).build())) {
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            AtomicLong received = new AtomicLong();
            b.onDataChannel(ch -> {
                atB.add(ch);
                ch.onMessage(m -> received.addAndGet(m.size()));
            });
            DataChannel ch = a.createDataChannel("endless", null);
            CompletableFuture<Void> open = opened(ch);
            CompletableFuture<PeerConnectionState> aEnd = ended(a);
            CompletableFuture<PeerConnectionState> bEnd = ended(b);
            negotiateWithEditedAnswer(a, b, sdp -> {
                assertTrue(sdp.contains("a=max-message-size:65536"), sdp);
                return sdp.replace("a=max-message-size:65536", "a=max-message-size:0");
            });
            open.get(T, TimeUnit.SECONDS);
            assertNotNull(atB.poll(T, TimeUnit.SECONDS));
            ch.send("small first");
            ch.send(ByteBuffer.allocate(1024 * 1024));
            assertEquals(PeerConnectionState.FAILED, bEnd.get(T, TimeUnit.SECONDS),
                    "B aborts the association: a failure, not a close");
            assertEquals(PeerConnectionState.FAILED, aEnd.get(T, TimeUnit.SECONDS), "A received the ABORT");
            // The reason is set by the SCTP-closed path (not fail()), on both sides.
            String whyB = b.failureReason().orElseThrow();
            assertTrue(whyB.startsWith("SCTP association aborted"), whyB);
            String whyA = a.failureReason().orElseThrow();
            assertTrue(whyA.startsWith("SCTP association aborted"), whyA);
            assertEquals("small first".length(), received.get(), "nothing of the endless message was delivered");
            assertEquals(DataChannelState.CLOSED, ch.readyState());
        }
    }

    @Test
    void aBlockingHandlerStopsTheSenderInsteadOfGrowingQueues() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicLong receivedMessages = new AtomicLong();
            b.onDataChannel(ch -> ch.onMessage(m -> {
                try {
                    // the application blocks its callback thread (our event loop) for a long time
                    release.await(2 * T, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                receivedMessages.incrementAndGet();
            }));
            DataChannel ch = a.createDataChannel("firehose", null);
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            ByteBuffer msg = ByteBuffer.allocate(64 * 1024);
            long accepted = 0;
            IllegalStateException full = null;
            // B's loop blocks in the first callback; its DTLS reader stops after a bounded number of
            // packets in flight, SCTP's window closes, and A's send buffer fills: send() must
            // refuse long before 1000 x 64 KiB (62.5 MiB).
            for (int i = 0; i < 1000 && full == null; i++) {
                try {
                    ch.send(msg.duplicate());
                    accepted++;
                } catch (IllegalStateException e) {
                    full = e;
                }
            }
            assertNotNull(full, "send() kept accepting while the receiver was blocked");
            LOG.info("sender refused after {} messages of 64 KiB: {}", accepted, full.getMessage());
            assertTrue(accepted * 64 * 1024 <= DataChannelImpl.MAX_BUFFERED_AMOUNT + 4L * 1024 * 1024,
                    "accepted " + accepted + " messages");
            assertTrue(ch.bufferedAmount() <= DataChannelImpl.MAX_BUFFERED_AMOUNT, "bufferedAmount " + ch.bufferedAmount());
            // once the application reads again, everything accepted arrives and the connection lives
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (receivedMessages.get() < accepted && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(accepted, receivedMessages.get());
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
            assertEquals(PeerConnectionState.CONNECTED, b.connectionState());
        }
    }
}
