package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdatachannel.internal.SctpPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-channel close and partial reliability between two PeerConnections over 127.0.0.1 (real
 * ICE, DTLS and SCTP; the close tests also over the fake SCTP). What is checked: close() on either
 * side ends in CLOSED on both with everything sent before it delivered first, onClose once, the
 * stream id reused only after both directions are reset, PeerConnection.close() closing every
 * channel; DataChannelInit reliability options arriving at the peer in both directions.
 */
class DataChannelCloseLoopbackTest {
    private static final Logger LOG = LoggerFactory.getLogger(DataChannelCloseLoopbackTest.class);

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> layers() {
        return PeerConnectionLoopbackTest.layers();
    }

    /** Everything a channel reports, in callback order: "m<index>" per message, "close". */
    static final class Recorder {
        final DataChannel ch;
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger closes = new AtomicInteger();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        Recorder(DataChannel ch) {
            this(ch, true);
        }

        /** @param messages false to leave the channel's onMessage handler alone */
        Recorder(DataChannel ch, boolean messages) {
            this.ch = ch;
            if (messages) {
                ch.onMessage(m -> log.add(m.binary() ? "m" + m.data().getInt(0) : "t" + m.text()));
            }
            ch.onClose(() -> {
                log.add("close");
                closes.incrementAndGet();
                closed.complete(null);
            });
        }

        void awaitClosed(String what) throws Exception {
            try {
                closed.get(T, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError(what + ": no onClose within " + T + " s; state " + ch.readyState()
                        + ", log tail " + tail(), e);
            }
        }

        String tail() {
            synchronized (log) {
                return log.subList(Math.max(0, log.size() - 5), log.size()).toString();
            }
        }
    }

    private static List<String> expected(int count) {
        List<String> want = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            want.add("m" + i);
        }
        want.add("close");
        return want;
    }

    private static void sendNumbered(DataChannel ch, int count, int size) {
        for (int i = 0; i < count; i++) {
            ch.send(ByteBuffer.allocate(size).putInt(0, i));
        }
    }

    /**
     * Channel ab: a sends a burst and closes at once (the sender closes with data in flight).
     * Channel ba: b sends a burst and a, the receiver, closes while it arrives. On both channels
     * every message arrives, in order, before onClose; all four ends end CLOSED with one onClose,
     * bufferedAmount 0, and send() throwing IllegalStateException; no message is refused (onError).
     * On ba, a's reset may reach b while b's send tasks are still queued on b's loop (it reads
     * datagrams between task batches): b must send them before answering the reset (W3C closing
     * procedure, "finish sending all currently pending messages"); it used to refuse them, and
     * the tail of the burst never arrived (deterministic case: ChannelCloseAndReliabilityTest
     * .peerCloseWhileOurMessagesAreQueuedSendsThemBeforeOurReset).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void closeWithDataInFlightFromEitherSide(String layer, SctpPort.Factory f, int maxSize) throws Exception {
        int count = 64;
        int size = Math.min(16384, maxSize / 2);
        try (PeerConnection a = new PeerConnection(loopback().build(), f);
             PeerConnection b = new PeerConnection(loopback().build(), f)) {
            Map<String, Recorder> atB = new ConcurrentHashMap<>();
            Map<String, CompletableFuture<Void>> bOpen = new ConcurrentHashMap<>();
            b.onDataChannel(ch -> atB.put(ch.label(), new Recorder(ch)));
            DataChannel ab = a.createDataChannel("ab", null);
            Recorder abRec = new Recorder(ab);
            CompletableFuture<Void> abOpen = opened(ab);
            negotiate(a, b);
            abOpen.get(T, TimeUnit.SECONDS);
            // a's handler is set before b creates the channel: its OPEN may arrive at once.
            BlockingQueue<DataChannel> atA = new LinkedBlockingQueue<>();
            a.onDataChannel(atA::add);
            DataChannel baAtB = b.createDataChannel("ba", null);
            CompletableFuture<Void> baOpen = opened(baAtB);
            Recorder baRec = new Recorder(baAtB);
            List<Throwable> senderErrors = Collections.synchronizedList(new ArrayList<>());
            baAtB.onError(senderErrors::add);
            ab.onError(senderErrors::add);
            baOpen.get(T, TimeUnit.SECONDS);
            DataChannel baAtA = atA.poll(T, TimeUnit.SECONDS);
            assertNotNull(baAtA, "a announced channel ba within " + T + " s");
            Recorder baAtARec = new Recorder(baAtA);

            // The sender closes right after its burst.
            sendNumbered(ab, count, size);
            assertTrue(ab.bufferedAmount() > 0, "the burst is still buffered when close() is called");
            ab.close();
            assertTrue(ab.readyState() == DataChannelState.CLOSING || ab.readyState() == DataChannelState.CLOSED,
                    "closing as soon as close() returns: " + ab.readyState());
            assertThrows(IllegalStateException.class, () -> ab.send("after close"));
            // The receiver closes while the peer's burst is under way.
            sendNumbered(baAtB, count, size);
            baAtA.close();

            abRec.awaitClosed("ab at a");
            waitForChannel(atB, "ab").awaitClosed("ab at b");
            baRec.awaitClosed("ba at b");
            baAtARec.awaitClosed("ba at a");
            assertEquals(expected(count), List.copyOf(waitForChannel(atB, "ab").log), "ab at b");
            assertEquals(List.of(), List.copyOf(senderErrors), "no message refused by the senders");
            assertEquals(expected(count), List.copyOf(baAtARec.log), "ba at a (closed by the receiver)");
            for (Recorder r : List.of(abRec, waitForChannel(atB, "ab"), baRec, baAtARec)) {
                assertEquals(DataChannelState.CLOSED, r.ch.readyState(), r.ch.label());
                assertEquals(1, r.closes.get(), r.ch.label() + ": onClose once");
                assertEquals(0, r.ch.bufferedAmount(), r.ch.label() + ": everything was sent");
                assertThrows(IllegalStateException.class, () -> r.ch.send("x"), r.ch.label());
            }
            assertEquals(List.of("close"), List.copyOf(abRec.log), "nothing came back on ab");
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
            assertEquals(PeerConnectionState.CONNECTED, b.connectionState());
        }
    }

    private static Recorder waitForChannel(Map<String, Recorder> m, String label) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (!m.containsKey(label)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("channel " + label + " was not announced within " + T + " s");
            }
            Thread.sleep(10); // polling a condition with a deadline
        }
        return m.get(label);
    }

    /**
     * Open, use and close a DCEP channel ten times, from alternating sides. A channel created while
     * another is closing never gets the closing one's id; once both ends reported onClose the id
     * is free again, so every round's channel gets the same (lowest) id.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void openCloseReopenReusesTheIdOnlyAfterTheClose(String layer, SctpPort.Factory f, int maxSize) throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build(), f);
             PeerConnection b = new PeerConnection(loopback().build(), f)) {
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            b.onDataChannel(ch -> {
                ch.onMessage(m -> ch.send(m.text()));
                atB.add(ch);
            });
            DataChannel first = a.createDataChannel("warm-up", null);
            CompletableFuture<Void> firstOpen = opened(first);
            negotiate(a, b);
            firstOpen.get(T, TimeUnit.SECONDS);
            int lowest = first.id();
            closeAndAwait(first, new Recorder(first), atB.poll(T, TimeUnit.SECONDS));
            int stillClosing = 0;
            for (int i = 0; i < 10; i++) {
                int round = i;
                DataChannel ch = a.createDataChannel("r" + round, null);
                assertEquals(lowest, ch.id(), "round " + round + ": the id is free again after the close");
                Recorder rec = new Recorder(ch);
                opened(ch).get(T, TimeUnit.SECONDS);
                DataChannel remote = atB.poll(T, TimeUnit.SECONDS);
                assertEquals(ch.id(), remote.id());
                Recorder remoteRec = new Recorder(remote, false); // keeps the echo handler
                ch.send("ping " + round);
                waitFor(() -> rec.log.contains("tping " + round), "echo in round " + round);
                DataChannel closer = round % 2 == 0 ? ch : remote;
                closer.close();
                // Created while the reset is (usually) under way: it may get the old id only if the
                // old channel had already closed (on loopback the close can be that fast). The
                // exact rule is checked deterministically in ChannelCloseAndReliabilityTest.
                DataChannel during = a.createDataChannel("during" + round, null);
                if (ch.readyState() != DataChannelState.CLOSED) {
                    stillClosing++;
                    assertNotEquals(ch.id(), during.id(), "round " + round + ": got the id of " + ch);
                } else if (during.id().equals(ch.id())) {
                    assertEquals(1, rec.closes.get(), "round " + round + ": id reused only after onClose");
                }
                rec.awaitClosed("round " + round + " at a");
                remoteRec.awaitClosed("round " + round + " at b");
                assertEquals(1, rec.closes.get());
                assertEquals(1, remoteRec.closes.get());
                opened(during).get(T, TimeUnit.SECONDS);
                closeAndAwait(during, new Recorder(during), atB.poll(T, TimeUnit.SECONDS));
            }
            LOG.info("{}: {} of 10 channels were created while the previous one was still closing", layer,
                    stillClosing);
            // Negotiated ids: both sides re-create id 42 once both saw the previous one close.
            for (int i = 0; i < 5; i++) {
                int round = i;
                DataChannel na = a.createDataChannel("n", new DataChannelInit().negotiated(true).id(42));
                DataChannel nb = b.createDataChannel("n", new DataChannelInit().negotiated(true).id(42));
                Recorder ra = new Recorder(na);
                Recorder rb = new Recorder(nb);
                opened(na).get(T, TimeUnit.SECONDS);
                opened(nb).get(T, TimeUnit.SECONDS);
                na.send("to b " + round);
                nb.send("to a " + round);
                waitFor(() -> rb.log.contains("tto b " + round) && ra.log.contains("tto a " + round),
                        "negotiated round " + round + " messages");
                (round % 2 == 0 ? na : nb).close();
                ra.awaitClosed("negotiated round " + round + " at a");
                rb.awaitClosed("negotiated round " + round + " at b");
            }
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
        }
    }

    private static void closeAndAwait(DataChannel local, Recorder localRec, DataChannel remote) throws Exception {
        assertTrue(remote != null, "the peer announced the channel");
        Recorder remoteRec = new Recorder(remote);
        local.close();
        localRec.awaitClosed(local.label() + " at a");
        remoteRec.awaitClosed(local.label() + " at b");
    }

    private static void waitFor(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + T + " s");
            }
            Thread.sleep(5); // polling a condition with a deadline
        }
    }

    /** PeerConnection.close() closes every channel on both sides, each reporting onClose once. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void peerConnectionCloseClosesEveryChannel(String layer, SctpPort.Factory f, int maxSize) throws Exception {
        PeerConnection a = new PeerConnection(loopback().build(), f);
        try (PeerConnection b = new PeerConnection(loopback().build(), f)) {
            Map<String, Recorder> atB = new ConcurrentHashMap<>();
            b.onDataChannel(ch -> atB.put(ch.label(), new Recorder(ch)));
            List<Recorder> mine = new ArrayList<>();
            for (String label : List.of("x", "y", "z")) {
                DataChannel ch = a.createDataChannel(label, new DataChannelInit().ordered(!label.equals("y")));
                mine.add(new Recorder(ch));
            }
            negotiate(a, b);
            for (Recorder r : mine) {
                opened(r.ch).get(T, TimeUnit.SECONDS);
            }
            List<Recorder> theirs = List.of(waitForChannel(atB, "x"), waitForChannel(atB, "y"), waitForChannel(atB, "z"));
            a.close();
            for (Recorder r : mine) {
                assertEquals(DataChannelState.CLOSED, r.ch.readyState(), "closed when close() returns");
                r.awaitClosed(r.ch.label() + " at a");
            }
            for (Recorder r : theirs) {
                r.awaitClosed(r.ch.label() + " at b");
            }
            for (Recorder r : mine) {
                assertEquals(1, r.closes.get());
                assertThrows(IllegalStateException.class, () -> r.ch.send("x"));
            }
            for (Recorder r : theirs) {
                assertEquals(1, r.closes.get());
            }
        } finally {
            a.close();
        }
    }

    /**
     * Reliability options in both directions over real SCTP: what each side created arrives at the
     * other with the same ordered / maxRetransmits / maxPacketLifeTime (RFC 8832 §5.1 channel
     * types 0x01/0x81/0x02/0x82), and messages flow on every channel, both ways.
     */
    @Test
    void partialReliabilityOptionsReachThePeerInBothDirections() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            Map<String, DataChannel> atA = new ConcurrentHashMap<>();
            Map<String, DataChannel> atB = new ConcurrentHashMap<>();
            Map<String, BlockingQueue<DataChannelMessage>> inboxes = new ConcurrentHashMap<>();
            a.onDataChannel(ch -> {
                inboxes.put("a:" + ch.label(), PeerConnectionLoopbackTest.inbox(ch));
                atA.put(ch.label(), ch);
            });
            b.onDataChannel(ch -> {
                inboxes.put("b:" + ch.label(), PeerConnectionLoopbackTest.inbox(ch));
                atB.put(ch.label(), ch);
            });
            Map<String, DataChannel> mine = new ConcurrentHashMap<>();
            Map<String, DataChannelInit> inits = Map.of(
                    "rexmit0-unordered", new DataChannelInit().ordered(false).maxRetransmits(0),
                    "rexmit3-ordered", new DataChannelInit().maxRetransmits(3),
                    "life50-ordered", new DataChannelInit().maxPacketLifeTime(50),
                    "life250-unordered", new DataChannelInit().ordered(false).maxPacketLifeTime(250));
            List<CompletableFuture<Void>> opens = new ArrayList<>();
            for (Map.Entry<String, DataChannelInit> e : inits.entrySet()) {
                DataChannel fromA = a.createDataChannel("a-" + e.getKey(), e.getValue());
                DataChannel fromB = b.createDataChannel("b-" + e.getKey(), e.getValue());
                for (DataChannel ch : List.of(fromA, fromB)) {
                    mine.put(ch.label(), ch);
                    inboxes.put((ch == fromA ? "a:" : "b:") + ch.label(), PeerConnectionLoopbackTest.inbox(ch));
                    opens.add(opened(ch));
                }
            }
            negotiate(a, b);
            for (CompletableFuture<Void> o : opens) {
                o.get(T, TimeUnit.SECONDS);
            }
            waitFor(() -> atA.size() == inits.size() && atB.size() == inits.size(), "every channel announced");
            for (Map.Entry<String, DataChannelInit> e : inits.entrySet()) {
                DataChannelInit want = e.getValue();
                for (String side : List.of("a", "b")) {
                    String label = side + "-" + e.getKey();
                    DataChannel remote = (side.equals("a") ? atB : atA).get(label);
                    assertEquals(want.ordered(), remote.ordered(), label + " ordered");
                    assertEquals(want.maxRetransmits(), remote.maxRetransmits(), label + " maxRetransmits");
                    assertEquals(want.maxPacketLifeTime(), remote.maxPacketLifeTime(), label + " maxPacketLifeTime");
                    assertFalse(remote.negotiated());
                    DataChannel local = mine.get(label);
                    assertEquals(local.id(), remote.id(), label);
                    // Both directions carry messages (a lossless link: all arrive).
                    int n = 20;
                    for (int i = 0; i < n; i++) {
                        local.send("fwd " + i);
                        remote.send("back " + i);
                    }
                    String localSide = side;
                    String remoteSide = side.equals("a") ? "b" : "a";
                    Set<String> fwd = drain(inboxes.get(remoteSide + ":" + label), n, label + " forward");
                    Set<String> back = drain(inboxes.get(localSide + ":" + label), n, label + " back");
                    for (int i = 0; i < n; i++) {
                        assertTrue(fwd.contains("fwd " + i), label + " fwd " + i);
                        assertTrue(back.contains("back " + i), label + " back " + i);
                    }
                }
            }
            assertNull(atB.get("a-rexmit3-ordered").maxPacketLifeTime());
            LOG.info("partial reliability options arrived on {} channels each way", inits.size());
        }
    }

    private static Set<String> drain(BlockingQueue<DataChannelMessage> q, int n, String what) throws InterruptedException {
        Set<String> got = new HashSet<>();
        for (int i = 0; i < n; i++) {
            DataChannelMessage m = q.poll(T, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError(what + ": " + got.size() + " of " + n + " messages within " + T + " s");
            }
            got.add(m.text());
        }
        return got;
    }
}
