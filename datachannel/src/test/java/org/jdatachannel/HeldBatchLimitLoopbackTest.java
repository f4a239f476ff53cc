package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.internal.PeerConnectionCore;
import org.junit.jupiter.api.Test;

/**
 * The held input batch's limit (PeerConnectionCore.MAX_DATAGRAMS_TO_HOLD = 2, issue 6): a drain
 * after one or two datagrams holds the SCTP input batch over the message callbacks (so that a
 * reply carries the SACK), a drain after three or more (a burst) acknowledges before the callbacks,
 * as a bulk sender's SACK clock needs. The receiver's event loop is held in a callback while the
 * sender puts exactly N one-packet messages on the wire, so that the receiver reads all N in one
 * selection round and drains once after them. The kernel may still be delivering one of them
 * (loopback hands packets over in a softirq, under load sometimes after sendto returned): a burst
 * that was read in two rounds is tried again on a new pair ({@link #MAX_TRIES}), and the limit is
 * asserted on a burst read in one round. 127.0.0.1 only.
 */
class HeldBatchLimitLoopbackTest {

    /** Counter deltas at the receiver for a burst of {@code n} datagrams read in one round. */
    private record Burst(long held, long drains, long datagrams) {
    }

    /** Bursts tried until one is read in one round (it takes one try nearly always). */
    private static final int MAX_TRIES = 8;

    /** A burst of {@code n} read in one selection round (retried otherwise). */
    private static Burst burstInOneRound(int n) throws Exception {
        Burst r = null;
        for (int i = 0; i < MAX_TRIES; i++) {
            r = burst(n);
            assertEquals(n, r.datagrams(), n + " datagrams: " + r);
            if (r.drains() == 1) {
                return r;
            }
        }
        throw new AssertionError("a burst of " + n + " was read in more than one round in " + MAX_TRIES
                + " tries; last " + r);
    }

    private static Burst burst(int n) throws Exception {
        // Fixed 1191-byte SCTP packets (no path MTU discovery): each 1000-byte message is then one
        // DATA packet of its own, and no PLPMTUD probe or probe acknowledgement (RFC 8899, on by
        // default) crosses the burst.
        try (PeerConnection a = new PeerConnection(loopback().sctpMaxPacketSize(1191).build());
             PeerConnection b = new PeerConnection(loopback().sctpMaxPacketSize(1191).build())) {
            CompletableFuture<DataChannel> atB = new CompletableFuture<>();
            b.onDataChannel(atB::complete);
            DataChannel ch = a.createDataChannel("burst", null);
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            DataChannel sender = atB.get(T, TimeUnit.SECONDS);
            PushReceiveLoopbackTest.await(() -> sender.readyState() == DataChannelState.OPEN, "b's channel open");

            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> sizes = new CopyOnWriteArrayList<>();
            ch.onMessage(m -> {
                sizes.add(m.size());
                if (m.size() == 1) { // the first message holds a's loop until the burst is on the wire
                    blocked.countDown();
                    try {
                        release.await(T, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            sender.send(ByteBuffer.allocate(1));
            assertTrue(blocked.await(T, TimeUnit.SECONDS));
            PeerConnectionCore.ReceiveStats a0 = a.receiveStats();
            // n messages of 1000 bytes: one DATA packet each (the SCTP MTU is ~1200 bytes), all
            // within the initial cwnd; on the wire once b's buffer is empty (loopback delivers
            // inside sendto).
            for (int i = 0; i < n; i++) {
                sender.send(ByteBuffer.allocate(1000));
            }
            PushReceiveLoopbackTest.await(() -> sender.bufferedAmount() == 0, "b sent the burst");
            release.countDown();
            PushReceiveLoopbackTest.await(() -> sizes.size() == 1 + n, "a got the burst");
            PeerConnectionCore.ReceiveStats a1 = a.receiveStats();
            return new Burst(a1.heldDrains() - a0.heldDrains(), a1.pushDrains() - a0.pushDrains(),
                    a1.datagrams() - a0.datagrams());
        }
    }

    @Test
    void oneOrTwoDatagramsAreHeldOverTheCallbacks() throws Exception {
        for (int n = 1; n <= 2; n++) {
            Burst r = burstInOneRound(n);
            assertEquals(1, r.held(), "held over the callbacks: " + r);
        }
    }

    @Test
    void threeDatagramsAreAcknowledgedBeforeTheCallbacks() throws Exception {
        Burst r = burstInOneRound(3);
        assertEquals(0, r.held(), "a burst is not held: " + r);
    }
}
