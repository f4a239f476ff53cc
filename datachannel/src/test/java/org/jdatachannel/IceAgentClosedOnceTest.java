package org.jdatachannel;

import static org.jdatachannel.IceRestartTest.awaitReleased;
import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.RenegotiationTest.channelPair;
import static org.jdatachannel.RenegotiationTest.exchange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each ICE agent a connection makes is closed once, by one closer thread (issue 6: a graceful close
 * released the transports twice, when the SCTP association closed and again in close(), and started a
 * second closer thread for the same agent). Sockets are still released and no thread is left.
 */
class IceAgentClosedOnceTest {

    @Test
    void aGracefulCloseClosesEachAgentOnce() throws Exception {
        PeerConnection a = new PeerConnection(loopback().build());
        PeerConnection b = new PeerConnection(loopback().build());
        try {
            DataChannel[] ends = channelPair(a, b, "once");
            BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            ends[0].send("hello");
            assertEquals("hello", PeerConnectionLoopbackTest.take(q).text());
            assertEquals(0, a.agentClosersStarted());
            assertEquals(0, b.agentClosersStarted());
            List<InetSocketAddress> all = new ArrayList<>(a.iceSocketAddresses());
            all.addAll(b.iceSocketAddresses());
            CompletableFuture<Void> bClosed = closedFuture(b);
            a.close(); // graceful SCTP shutdown: both associations close, then a's close() goes on
            bClosed.get(T, TimeUnit.SECONDS);
            b.close();
            assertEquals(1, a.agentClosersStarted(), "closer threads of a");
            assertEquals(1, b.agentClosersStarted(), "closer threads of b");
            awaitReleased(all);
            assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
            assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void afterAnIceRestartTheOldAndTheNewAgentAreEachClosedOnce() throws Exception {
        PeerConnection a = new PeerConnection(loopback().build());
        PeerConnection b = new PeerConnection(loopback().build());
        try {
            DataChannel[] ends = channelPair(a, b, "restart-once");
            List<InetSocketAddress> oldA = a.iceSocketAddresses();
            List<InetSocketAddress> oldB = b.iceSocketAddresses();
            a.restartIce();
            exchange(a, b);
            awaitReleased(oldA); // the restart completed: the old agents are closed
            awaitReleased(oldB);
            assertEquals(1, a.agentClosersStarted(), "closer threads of a after the restart");
            assertEquals(1, b.agentClosersStarted(), "closer threads of b after the restart");
            BlockingQueue<DataChannelMessage> q = PeerConnectionLoopbackTest.inbox(ends[1]);
            ends[0].send("after restart");
            assertEquals("after restart", PeerConnectionLoopbackTest.take(q).text());
            CompletableFuture<Void> bClosed = closedFuture(b);
            a.close();
            bClosed.get(T, TimeUnit.SECONDS);
            b.close();
            assertEquals(2, a.agentClosersStarted(), "closer threads of a");
            assertEquals(2, b.agentClosersStarted(), "closer threads of b");
            assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
            assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
        } finally {
            a.close();
            b.close();
        }
    }

    /** Completes when {@code pc} reaches CLOSED (the peer's graceful SCTP shutdown ended it). */
    private static CompletableFuture<Void> closedFuture(PeerConnection pc) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pc.onConnectionStateChange(s -> {
            if (s == PeerConnectionState.CLOSED) {
                f.complete(null);
            }
        });
        if (pc.connectionState() == PeerConnectionState.CLOSED) {
            f.complete(null);
        }
        return f;
    }
}
