package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Connections on a shared {@link EventLoopGroup}: they work, share its threads and let them end. */
class EventLoopGroupLoopbackTest {

    @Test
    void twoPairsOnOneSharedThreadWorkAndTheThreadEndsAfterTheGroupCloses() throws Exception {
        EventLoopGroup group = new EventLoopGroup(1);
        RtcConfiguration cfg = loopback().eventLoopGroup(group).build();
        assertEquals(group, cfg.eventLoopGroup());
        assertEquals(group, cfg.toBuilder().build().eventLoopGroup());
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        List<PeerConnection> all = new ArrayList<>();
        try {
            for (int pair = 0; pair < 2; pair++) {
                PeerConnection a = new PeerConnection(cfg);
                PeerConnection b = new PeerConnection(cfg);
                all.add(a);
                all.add(b);
                b.onDataChannel(ch -> ch.onMessage(m -> {
                    callbackThreads.add(Thread.currentThread());
                    ch.send("echo " + m.text());
                }));
                DataChannel ch = a.createDataChannel("shared" + pair, null);
                BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
                ch.onMessage(m -> {
                    callbackThreads.add(Thread.currentThread());
                    echoes.add(m.text());
                });
                CompletableFuture<Void> open = opened(ch);
                negotiate(a, b);
                open.get(T, TimeUnit.SECONDS);
                for (int i = 0; i < 10; i++) {
                    ch.send("m" + i);
                }
                for (int i = 0; i < 10; i++) {
                    assertEquals("echo m" + i, echoes.poll(T, TimeUnit.SECONDS));
                }
            }
            assertEquals(1, callbackThreads.size(), "every callback ran on the group's one thread: " + callbackThreads);
            Thread shared = callbackThreads.iterator().next();
            assertTrue(shared.getName().startsWith("jdatachannel-loops-"), shared.getName());
            for (PeerConnection pc : all) {
                assertFalse(pc.liveThreads().contains(shared), "the shared thread is not the connection's own");
            }
            group.close();
            assertThrows(IllegalStateException.class, () -> new PeerConnection(cfg));
            assertTrue(shared.isAlive(), "still serving the open connections");
            for (PeerConnection pc : all) {
                pc.close();
            }
            shared.join(TimeUnit.SECONDS.toMillis(T));
            assertFalse(shared.isAlive(), "the shared thread ends once its connections are closed");
        } finally {
            for (PeerConnection pc : all) {
                pc.close();
            }
            group.close();
        }
    }

    @Test
    void badThreadCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EventLoopGroup(0));
        assertThrows(IllegalArgumentException.class, () -> new EventLoopGroup(EventLoopGroup.MAX_THREADS + 1));
        try (EventLoopGroup g = new EventLoopGroup(3)) {
            assertEquals(3, g.threads());
        }
    }
}
