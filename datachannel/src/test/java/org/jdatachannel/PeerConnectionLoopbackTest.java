package org.jdatachannel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jdatachannel.internal.FakeSctp;
import org.jdatachannel.internal.SctpAssociationPort;
import org.jdatachannel.internal.SctpPort;
import org.jdatachannel.sdp.SdpParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two PeerConnections in one JVM over 127.0.0.1: SDP offer/answer, ICE, DTLS, SCTP, DCEP. Each
 * scenario runs over the real SCTP association and over {@link FakeSctp} (which isolates the
 * wiring from SCTP; its packets must fit one DTLS record, so it uses smaller messages).
 */
class PeerConnectionLoopbackTest {
    private static final Logger LOG = LoggerFactory.getLogger(PeerConnectionLoopbackTest.class);
    static final long T = 20;

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("sctp", SctpAssociationPort.FACTORY, 262144),
                Arguments.of("fake", FakeSctp.FACTORY, 12000));
    }

    static RtcConfiguration.Builder loopback() {
        return RtcConfiguration.builder().iceAddressFilter(a -> a.getHostAddress().equals("127.0.0.1"));
    }

    /** An echo peer: every channel the remote opens echoes each message, string stays string. */
    static void echoIncoming(PeerConnection pc, List<DataChannel> sink) {
        pc.onDataChannel(ch -> {
            sink.add(ch);
            ch.onMessage(m -> {
                if (m.binary()) {
                    ch.send(m.data());
                } else {
                    ch.send(m.text());
                }
            });
        });
    }

    /** Offer from a, answer from b, waits until both are CONNECTED. */
    static void negotiate(PeerConnection a, PeerConnection b) throws Exception {
        CompletableFuture<Void> aUp = connected(a);
        CompletableFuture<Void> bUp = connected(b);
        SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
        a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
        b.setRemoteDescription(a.localDescription()).get(T, TimeUnit.SECONDS);
        SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
        b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
        a.setRemoteDescription(b.localDescription()).get(T, TimeUnit.SECONDS);
        aUp.get(T, TimeUnit.SECONDS);
        bUp.get(T, TimeUnit.SECONDS);
    }

    /**
     * Offer from a, answer from b; a applies b's answer as rewritten by {@code edit} (which may
     * assert that its edit took). Does not wait for the connection.
     */
    static void negotiateWithEditedAnswer(PeerConnection a, PeerConnection b,
                                          java.util.function.UnaryOperator<String> edit) throws Exception {
        SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
        a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
        b.setRemoteDescription(offer).get(T, TimeUnit.SECONDS);
        SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
        b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
        a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, edit.apply(answer.sdp())))
                .get(T, TimeUnit.SECONDS);
    }

    static CompletableFuture<Void> connected(PeerConnection pc) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pc.onConnectionStateChange(s -> {
            if (s == PeerConnectionState.CONNECTED) {
                f.complete(null);
            } else if (s == PeerConnectionState.FAILED) {
                f.completeExceptionally(new AssertionError("connection failed"));
            }
        });
        return f;
    }

    static CompletableFuture<Void> opened(DataChannel ch) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        ch.onOpen(() -> f.complete(null));
        return f;
    }

    static CompletableFuture<Void> closed(DataChannel ch) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        ch.onClose(() -> f.complete(null));
        return f;
    }

    static BlockingQueue<DataChannelMessage> inbox(DataChannel ch) {
        BlockingQueue<DataChannelMessage> q = new LinkedBlockingQueue<>();
        ch.onMessage(q::add);
        return q;
    }

    static DataChannelMessage take(BlockingQueue<DataChannelMessage> q) throws InterruptedException {
        DataChannelMessage m = q.poll(T, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + T + " s");
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void echoOnSeveralChannelsBothDirections(String layer, SctpPort.Factory f, int maxSize) throws Exception {
        long seed = System.nanoTime();
        LOG.info("echo test over {}: seed {}", layer, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        try (PeerConnection a = new PeerConnection(loopback().build(), f);
             PeerConnection b = new PeerConnection(loopback().build(), f)) {
            List<DataChannel> atA = new ArrayList<>();
            List<DataChannel> atB = new ArrayList<>();
            echoIncoming(a, atA);
            echoIncoming(b, atB);
            // Channels created before negotiation, on both sides, ordered and unordered.
            DataChannel a1 = a.createDataChannel("a-ordered", new DataChannelInit());
            DataChannel a2 = a.createDataChannel("a-unordered", new DataChannelInit().ordered(false));
            DataChannel b1 = b.createDataChannel("b-ordered", null);
            assertNull(a1.id());
            List<CompletableFuture<Void>> opens = List.of(opened(a1), opened(a2), opened(b1));
            Map<DataChannel, BlockingQueue<DataChannelMessage>> inboxes = new ConcurrentHashMap<>();
            for (DataChannel ch : List.of(a1, a2, b1)) {
                inboxes.put(ch, inbox(ch));
            }
            negotiate(a, b);
            for (CompletableFuture<Void> o : opens) {
                o.get(T, TimeUnit.SECONDS);
            }
            // Offerer a is the DTLS server (the answer says active): odd ids; b even.
            assertEquals(1, a1.id() % 2);
            assertEquals(1, a2.id() % 2);
            assertEquals(0, b1.id() % 2);
            // A channel created once connected opens too.
            DataChannel a3 = a.createDataChannel("a-late", new DataChannelInit().maxRetransmits(5));
            inboxes.put(a3, inbox(a3));
            opened(a3).get(T, TimeUnit.SECONDS);

            for (DataChannel ch : List.of(a1, a2, b1, a3)) {
                List<DataChannelMessage> sent = new ArrayList<>();
                sent.add(DataChannelMessage.ofText("hello " + ch.label()));
                sent.add(DataChannelMessage.ofText(""));
                sent.add(DataChannelMessage.ofBinary(new byte[0]));
                sent.add(DataChannelMessage.ofText("\u00e9t\u00e9 \uD83D\uDE00"));
                for (int size : new int[] {1, 1000, 1200, 5000, maxSize / 2, maxSize}) {
                    byte[] bytes = new byte[size];
                    for (int i = 0; i < size; i++) {
                        bytes[i] = (byte) rnd.nextInt(256);
                    }
                    sent.add(DataChannelMessage.ofBinary(bytes));
                }
                for (DataChannelMessage m : sent) {
                    if (m.binary()) {
                        ch.send(m.data());
                    } else {
                        ch.send(m.text());
                    }
                }
                BlockingQueue<DataChannelMessage> q = inboxes.get(ch);
                List<DataChannelMessage> got = new ArrayList<>();
                for (int i = 0; i < sent.size(); i++) {
                    got.add(take(q));
                }
                if (ch.ordered()) {
                    for (int i = 0; i < sent.size(); i++) {
                        assertEquals(sent.get(i).binary(), got.get(i).binary(), ch.label() + " #" + i);
                        assertArrayEquals(sent.get(i).bytes(), got.get(i).bytes(), ch.label() + " #" + i);
                    }
                } else {
                    Set<String> want = new HashSet<>();
                    Set<String> have = new HashSet<>();
                    for (int i = 0; i < sent.size(); i++) {
                        want.add(sent.get(i).binary() + ":" + java.util.Arrays.hashCode(sent.get(i).bytes()));
                        have.add(got.get(i).binary() + ":" + java.util.Arrays.hashCode(got.get(i).bytes()));
                    }
                    assertEquals(want, have, ch.label());
                }
            }
            assertEquals(3, atB.size());
            assertEquals(1, atA.size());
            assertEquals("b-ordered", atA.get(0).label());
            assertFalse(atB.stream().filter(c -> c.label().equals("a-unordered")).findFirst().orElseThrow().ordered());
            assertEquals(5, atB.stream().filter(c -> c.label().equals("a-late")).findFirst().orElseThrow().maxRetransmits());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void oversizeMessageThrowsAndChannelStaysUsable(String layer, SctpPort.Factory f, int maxSize) throws Exception {
        int limit = maxSize / 2;
        try (PeerConnection a = new PeerConnection(loopback().build(), f);
             PeerConnection b = new PeerConnection(loopback().maxMessageSize(limit).build(), f)) {
            echoIncoming(b, new ArrayList<>());
            DataChannel ch = a.createDataChannel("big", null);
            CompletableFuture<Void> open = opened(ch);
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ch.send(ByteBuffer.allocate(limit + 1)));
            assertTrue(e.getMessage().contains(Integer.toString(limit)), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ch.send("x".repeat(limit + 1)));
            assertEquals(DataChannelState.OPEN, ch.readyState());
            ch.send(ByteBuffer.allocate(limit));
            assertEquals(limit, take(q).size());
            ch.send("still open");
            assertEquals("still open", take(q).text());
        }
    }

    /**
     * RFC 8841 §6.1: a description without a=max-message-size means 65536 (Pion 3.1 writes none):
     * 65536 bytes pass, 65537 throw a clear error and the channel stays usable.
     */
    @org.junit.jupiter.api.Test
    void absentMaxMessageSizeMeans65536() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            echoIncoming(b, new ArrayList<>());
            DataChannel ch = a.createDataChannel("no-mms", null);
            CompletableFuture<Void> open = opened(ch);
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            CompletableFuture<Void> aUp = connected(a);
            negotiateWithEditedAnswer(a, b, sdp -> {
                String stripped = sdp.replaceAll("a=max-message-size:[0-9]+\r\n", "");
                assertFalse(stripped.contains("max-message-size"), stripped);
                return stripped;
            });
            aUp.get(T, TimeUnit.SECONDS);
            open.get(T, TimeUnit.SECONDS);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ch.send(ByteBuffer.allocate(65537)));
            assertTrue(e.getMessage().contains("65536") && e.getMessage().contains("65537"), e.getMessage());
            assertEquals(DataChannelState.OPEN, ch.readyState());
            ch.send(ByteBuffer.allocate(65536));
            // b echoes it back; b's own limit for a is a's 262144 from the offer.
            assertEquals(65536, take(q).size());
            ch.send("still open");
            assertEquals("still open", take(q).text());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void closeFromEitherSideEndsClosedOnBoth(String layer, SctpPort.Factory f, int maxSize) throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build(), f);
             PeerConnection b = new PeerConnection(loopback().build(), f)) {
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            Map<String, CompletableFuture<Void>> bClosed = new ConcurrentHashMap<>();
            b.onDataChannel(ch -> {
                bClosed.put(ch.label(), closed(ch));
                atB.add(ch);
            });
            DataChannel x = a.createDataChannel("x", null);
            DataChannel y = a.createDataChannel("y", null);
            CompletableFuture<Void> xOpen = opened(x);
            CompletableFuture<Void> yOpen = opened(y);
            CompletableFuture<Void> xClosed = closed(x);
            CompletableFuture<Void> yClosed = closed(y);
            negotiate(a, b);
            xOpen.get(T, TimeUnit.SECONDS);
            yOpen.get(T, TimeUnit.SECONDS);
            DataChannel bx = atB.poll(T, TimeUnit.SECONDS);
            DataChannel by = atB.poll(T, TimeUnit.SECONDS);
            if (bx.label().equals("y")) {
                DataChannel t = bx;
                bx = by;
                by = t;
            }
            // x closed by its creator, y by the remote side.
            x.send("last words");
            x.close();
            by.close();
            xClosed.get(T, TimeUnit.SECONDS);
            bClosed.get("x").get(T, TimeUnit.SECONDS);
            yClosed.get(T, TimeUnit.SECONDS);
            bClosed.get("y").get(T, TimeUnit.SECONDS);
            for (DataChannel ch : List.of(x, y, bx, by)) {
                assertEquals(DataChannelState.CLOSED, ch.readyState(), ch.label());
            }
            assertThrows(IllegalStateException.class, () -> x.send("too late"));
            // The connection is still usable: a new channel opens and may reuse an id.
            DataChannel z = a.createDataChannel("z", null);
            opened(z).get(T, TimeUnit.SECONDS);
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
            assertTrue(a.failureReason().isEmpty() && b.failureReason().isEmpty(), "no failure, no reason");
        }
    }

    /** A fingerprint that does not match the peer's certificate fails DTLS: FAILED, channels CLOSED. */
    @org.junit.jupiter.api.Test
    void fingerprintMismatchFailsTheConnection() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            CompletableFuture<PeerConnectionState> aEnd = new CompletableFuture<>();
            a.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.FAILED || s == PeerConnectionState.CONNECTED) {
                    aEnd.complete(s);
                }
            });
            DataChannel ch = a.createDataChannel("never", null);
            CompletableFuture<Void> chClosed = closed(ch);
            negotiateWithEditedAnswer(a, b, sdp -> {
                // Replace b's fingerprint (32 bytes) with a wrong one.
                String wrong = "sha-256 " + "AB:".repeat(31) + "AB";
                String tampered = sdp.replaceAll("a=fingerprint:sha-256 [0-9A-F:]+", "a=fingerprint:" + wrong);
                assertFalse(tampered.equals(sdp));
                return tampered;
            });
            assertEquals(PeerConnectionState.FAILED, aEnd.get(T, TimeUnit.SECONDS));
            String why = a.failureReason().orElseThrow();
            assertTrue(why.startsWith("DTLS handshake failed") && why.contains("fingerprint mismatch")
                    && why.contains("AB:".repeat(31) + "AB"), why);
            chClosed.get(T, TimeUnit.SECONDS);
            assertEquals(DataChannelState.CLOSED, ch.readyState());
            assertTrue(b.failureReason().isEmpty() || b.failureReason().get().contains("bad_certificate"),
                    b.failureReason().toString());
        }
    }

    /**
     * RFC 8122 §5: several fingerprints with the same hash function (several possible
     * certificates): the handshake succeeds when any of them matches, here the second.
     */
    @org.junit.jupiter.api.Test
    void secondFingerprintWithTheSameHashIsAccepted() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            echoIncoming(b, new ArrayList<>());
            DataChannel ch = a.createDataChannel("two-fps", null);
            CompletableFuture<Void> open = opened(ch);
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            CompletableFuture<Void> aUp = connected(a);
            negotiateWithEditedAnswer(a, b, sdp -> {
                String other = "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\n";
                String twoFps = sdp.replaceFirst("a=fingerprint:sha-256 ", other + "a=fingerprint:sha-256 ");
                assertEquals(2, twoFps.split("a=fingerprint:sha-256", -1).length - 1, twoFps);
                return twoFps;
            });
            aUp.get(T, TimeUnit.SECONDS);
            open.get(T, TimeUnit.SECONDS);
            ch.send("matched the second");
            assertEquals("matched the second", take(q).text());
        }
    }

    /** close() from a callback on the event loop returns at once and still releases everything. */
    @org.junit.jupiter.api.Test
    void closeFromACallback() throws Exception {
        PeerConnection a = new PeerConnection(loopback().build());
        PeerConnection b = new PeerConnection(loopback().build());
        try {
            b.onDataChannel(ch -> ch.onMessage(m -> b.close()));
            DataChannel ch = a.createDataChannel("bye", null);
            CompletableFuture<Void> open = opened(ch);
            CompletableFuture<Void> chClosed = closed(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            ch.send("please close");
            chClosed.get(T, TimeUnit.SECONDS);
            assertEquals(PeerConnectionState.CLOSED, b.connectionState());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (!b.liveThreads().isEmpty() && System.nanoTime() < deadline) {
                waitABit();
            }
            assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
        } finally {
            a.close();
            b.close();
        }
    }

    /** Closing before (or in the middle of) negotiation is fine and idempotent. */
    @org.junit.jupiter.api.Test
    void closeBeforeConnecting() throws Exception {
        PeerConnection fresh = new PeerConnection(loopback().build());
        DataChannel ch = fresh.createDataChannel("x", null);
        fresh.close();
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(PeerConnectionState.CLOSED, fresh.connectionState());
        assertTrue(fresh.liveThreads().isEmpty());

        PeerConnection half = new PeerConnection(loopback().build());
        half.setLocalDescription(half.createOffer().get(T, TimeUnit.SECONDS)).get(T, TimeUnit.SECONDS);
        half.close();
        half.close();
        assertTrue(half.liveThreads().isEmpty());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> half.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, "v=0"))
                        .get(T, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    /** Trickled candidates: the answer travels without candidates, which then come one by one. */
    @org.junit.jupiter.api.Test
    void trickledCandidatesViaAddIceCandidate() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            // Before the remote description a candidate is held (deviation from W3C's InvalidStateError).
            a.addIceCandidate("candidate:1 1 udp 2130706431 127.0.0.1 9 typ host").get(T, TimeUnit.SECONDS);
            List<DataChannel> atB = new ArrayList<>();
            echoIncoming(b, atB);
            DataChannel ch = a.createDataChannel("trickle", null);
            CompletableFuture<Void> open = opened(ch);
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            CompletableFuture<Void> aUp = connected(a);
            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(offer).get(T, TimeUnit.SECONDS);
            SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
            b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
            List<String> candidates = new ArrayList<>();
            StringBuilder bare = new StringBuilder();
            for (String line : answer.sdp().split("\r\n")) {
                if (line.startsWith("a=candidate:")) {
                    candidates.add(line.substring(2));
                } else if (!line.isEmpty() && !line.equals("a=end-of-candidates")) {
                    bare.append(line).append("\r\n");
                }
            }
            assertFalse(candidates.isEmpty());
            a.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, bare.toString()))
                    .get(T, TimeUnit.SECONDS);
            ExecutionException bad = assertThrows(ExecutionException.class,
                    () -> a.addIceCandidate("candidate:garbage").get(T, TimeUnit.SECONDS));
            assertInstanceOf(SdpParseException.class, bad.getCause());
            for (String c : candidates) {
                a.addIceCandidate(c).get(T, TimeUnit.SECONDS);
            }
            a.addIceCandidate("").get(T, TimeUnit.SECONDS); // end of candidates
            aUp.get(T, TimeUnit.SECONDS);
            open.get(T, TimeUnit.SECONDS);
            ch.send("via trickle");
            assertEquals("via trickle", take(q).text());
        }
    }

    /** Both sides made DTLS servers: the handshake hangs; close() must still end it and its thread. */
    @org.junit.jupiter.api.Test
    void closeDuringAStalledDtlsHandshake() throws Exception {
        PeerConnection a = new PeerConnection(loopback().build());
        PeerConnection b = new PeerConnection(loopback().build());
        try {
            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            b.setRemoteDescription(offer).get(T, TimeUnit.SECONDS);
            SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
            // b applies a tampered answer (passive: b is a DTLS server) while a gets the real one
            // (active: a is a DTLS server too). Nobody sends a ClientHello.
            b.setLocalDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER,
                    answer.sdp().replace("a=setup:active", "a=setup:passive"))).get(T, TimeUnit.SECONDS);
            a.setRemoteDescription(answer).get(T, TimeUnit.SECONDS);
            // Wait until a's DTLS thread runs (ICE connected), then close.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (a.liveThreads().stream().noneMatch(t -> t.getName().endsWith("-dtls")) && System.nanoTime() < deadline) {
                waitABit();
            }
            assertTrue(a.liveThreads().stream().anyMatch(t -> t.getName().endsWith("-dtls")), "DTLS never started");
            assertEquals(PeerConnectionState.CONNECTING, a.connectionState());
            long t0 = System.nanoTime();
            a.close();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 3000, "close took " + ms + " ms");
            assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
            assertEquals(PeerConnectionState.CLOSED, a.connectionState());
        } finally {
            a.close();
            b.close();
        }
    }

    /** Flow control: bufferedAmount grows with sends and onBufferedAmountLow fires as SCTP drains. */
    @org.junit.jupiter.api.Test
    void bufferedAmountLowFiresAndEverythingArrives() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            java.util.concurrent.atomic.AtomicLong receivedBytes = new java.util.concurrent.atomic.AtomicLong();
            CompletableFuture<Void> done = new CompletableFuture<>();
            int total = 4 * 1024 * 1024;
            b.onDataChannel(ch -> ch.onMessage(m -> {
                if (receivedBytes.addAndGet(m.size()) == total) {
                    done.complete(null);
                }
            }));
            DataChannel ch = a.createDataChannel("bulk", null);
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            long threshold = 256 * 1024;
            ch.setBufferedAmountLowThreshold(threshold);
            assertEquals(threshold, ch.bufferedAmountLowThreshold());
            java.util.concurrent.Semaphore low = new java.util.concurrent.Semaphore(0);
            ch.onBufferedAmountLow(low::release);
            byte[] chunk = new byte[64 * 1024];
            long maxSeen = 0;
            for (int sent = 0; sent < total; sent += chunk.length) {
                ch.send(chunk);
                maxSeen = Math.max(maxSeen, ch.bufferedAmount());
            }
            assertTrue(maxSeen > threshold, "bufferedAmount never exceeded the threshold: " + maxSeen);
            assertTrue(low.tryAcquire(T, TimeUnit.SECONDS), "onBufferedAmountLow did not fire");
            done.get(T, TimeUnit.SECONDS);
            assertEquals(total, receivedBytes.get());
            // Once everything is acknowledged the buffered amount is back to zero.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (ch.bufferedAmount() != 0 && System.nanoTime() < deadline) {
                waitABit();
            }
            assertEquals(0, ch.bufferedAmount());
        }
    }

    /**
     * The reproduction of the dropped-message defect: two channels, 200 × 64 KiB each, sent without
     * back-pressure while the receiver's event loop is stalled, so the 16 MiB connection-wide limit
     * is reached (each channel alone stays below its own 16 MiB). Some send() calls must throw;
     * every send() that returned is delivered, in order, without a gap; nothing is reported through
     * onError and both channels stay open.
     */
    @org.junit.jupiter.api.Test
    void connectionWideSendLimitThrowsInsteadOfDroppingAcceptedMessages() throws Exception {
        int perChannel = 200;
        int size = 64 * 1024;
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            java.util.concurrent.CountDownLatch sendsDone = new java.util.concurrent.CountDownLatch(1);
            Map<String, List<Integer>> received = new ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicInteger receivedCount = new java.util.concurrent.atomic.AtomicInteger();
            b.onDataChannel(ch -> {
                List<Integer> got = java.util.Collections.synchronizedList(new ArrayList<>());
                received.put(ch.label(), got);
                ch.onMessage(m -> {
                    // Stall b's event loop until a has finished sending, so that a's buffers fill.
                    try {
                        sendsDone.await(T, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    assertEquals(size, m.size());
                    got.add(m.data().getInt(0));
                    receivedCount.incrementAndGet();
                });
            });
            List<DataChannel> chans = List.of(a.createDataChannel("c0", null), a.createDataChannel("c1", null));
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<CompletableFuture<Void>> opens = new ArrayList<>();
            for (DataChannel ch : chans) {
                ch.onError(errors::add);
                opens.add(opened(ch));
            }
            negotiate(a, b);
            for (CompletableFuture<Void> o : opens) {
                o.get(T, TimeUnit.SECONDS);
            }
            Map<String, List<Integer>> accepted = new java.util.HashMap<>();
            int thrown = 0;
            for (int i = 0; i < perChannel; i++) {
                for (DataChannel ch : chans) {
                    ByteBuffer msg = ByteBuffer.allocate(size);
                    msg.putInt(0, i);
                    try {
                        ch.send(msg);
                        accepted.computeIfAbsent(ch.label(), k -> new ArrayList<>()).add(i);
                    } catch (IllegalStateException e) {
                        assertTrue(e.getMessage().contains("send buffer is full"), e.getMessage());
                        assertEquals(DataChannelState.OPEN, ch.readyState());
                        thrown++;
                    }
                }
            }
            sendsDone.countDown();
            int acceptedTotal = accepted.values().stream().mapToInt(List::size).sum();
            LOG.info("connection-wide limit: {} sends accepted, {} refused", acceptedTotal, thrown);
            assertTrue(thrown > 0, "the connection-wide limit was never reached");
            assertTrue(acceptedTotal * (long) size <= org.jdatachannel.internal.ChannelManager.MAX_CONNECTION_BUFFERED
                    + 4L * 1024 * 1024, "accepted far more than the limit while the receiver was stalled: " + acceptedTotal);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (receivedCount.get() < acceptedTotal && errors.isEmpty() && System.nanoTime() < deadline) {
                waitABit();
            }
            assertEquals(List.of(), errors);
            for (DataChannel ch : chans) {
                assertEquals(accepted.get(ch.label()), received.get(ch.label()), "messages of " + ch.label());
                assertEquals(DataChannelState.OPEN, ch.readyState());
            }
            assertEquals(acceptedTotal, receivedCount.get());
            // The connection is still usable once drained.
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (chans.get(0).bufferedAmount() + chans.get(1).bufferedAmount() > 0 && System.nanoTime() < deadline) {
                waitABit();
            }
            chans.get(0).send(ByteBuffer.allocate(size).putInt(0, perChannel));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (receivedCount.get() < acceptedTotal + 1 && System.nanoTime() < deadline) {
                waitABit();
            }
            assertEquals(perChannel, received.get("c0").get(received.get("c0").size() - 1));
        }
    }

    /**
     * close() off the event loop completes the graceful SCTP SHUTDOWN before closing DTLS: messages
     * accepted just before close() all arrive, in order, and the peer ends CLOSED (not FAILED).
     */
    @org.junit.jupiter.api.Test
    void closeDeliversMessagesSentJustBefore() throws Exception {
        int count = 48;
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            List<Integer> got = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> remoteClosed = new CompletableFuture<>();
            b.onDataChannel(ch -> {
                ch.onMessage(m -> got.add(m.data().getInt(0)));
                ch.onClose(() -> remoteClosed.complete(null));
            });
            CompletableFuture<PeerConnectionState> bEnd = new CompletableFuture<>();
            DataChannel ch = a.createDataChannel("last-words", null);
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            b.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.CLOSED || s == PeerConnectionState.FAILED) {
                    bEnd.complete(s);
                }
            });
            open.get(T, TimeUnit.SECONDS);
            for (int i = 0; i < count; i++) {
                ch.send(ByteBuffer.allocate(1024).putInt(0, i));
            }
            long t0 = System.nanoTime();
            a.close();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            LOG.info("close() with {} messages queued took {} ms", count, ms);
            assertEquals(PeerConnectionState.CLOSED, bEnd.get(T, TimeUnit.SECONDS));
            remoteClosed.get(T, TimeUnit.SECONDS);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add(i);
            }
            assertEquals(expected, new ArrayList<>(got));
            assertTrue(ms < 4000, "close took " + ms + " ms");
        }
    }

    /** The offer insists on a=setup:active: the answerer must be passive (DTLS server, odd ids). */
    @org.junit.jupiter.api.Test
    void offerThatInsistsOnActiveMakesTheOffererDtlsClient() throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            List<DataChannel> atB = new ArrayList<>();
            echoIncoming(b, atB);
            DataChannel ch = a.createDataChannel("roles", new DataChannelInit().ordered(false).maxRetransmits(0));
            CompletableFuture<Void> open = opened(ch);
            BlockingQueue<DataChannelMessage> q = inbox(ch);
            CompletableFuture<Void> aUp = connected(a);
            SessionDescriptionInit offer = a.createOffer().get(T, TimeUnit.SECONDS);
            a.setLocalDescription(offer).get(T, TimeUnit.SECONDS);
            String activeOffer = offer.sdp().replace("a=setup:actpass", "a=setup:active");
            b.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, activeOffer))
                    .get(T, TimeUnit.SECONDS);
            SessionDescriptionInit answer = b.createAnswer().get(T, TimeUnit.SECONDS);
            assertTrue(answer.sdp().contains("a=setup:passive"), answer.sdp());
            b.setLocalDescription(answer).get(T, TimeUnit.SECONDS);
            a.setRemoteDescription(answer).get(T, TimeUnit.SECONDS);
            aUp.get(T, TimeUnit.SECONDS);
            open.get(T, TimeUnit.SECONDS);
            assertEquals(0, ch.id() % 2, "the DTLS client uses even stream ids");
            ch.send("partially reliable");
            assertEquals("partially reliable", take(q).text());
            assertEquals(0, atB.get(0).maxRetransmits());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void negotiatedChannelsSkipDcep(String layer, SctpPort.Factory f, int maxSize) throws Exception {
        try (PeerConnection a = new PeerConnection(loopback().build(), f);
             PeerConnection b = new PeerConnection(loopback().build(), f)) {
            b.onDataChannel(ch -> {
                throw new AssertionError("negotiated channels must not be announced: " + ch);
            });
            DataChannel na = a.createDataChannel("n", new DataChannelInit().negotiated(true).id(42));
            DataChannel nb = b.createDataChannel("n", new DataChannelInit().negotiated(true).id(42));
            CompletableFuture<Void> oa = opened(na);
            CompletableFuture<Void> ob = opened(nb);
            BlockingQueue<DataChannelMessage> qb = inbox(nb);
            BlockingQueue<DataChannelMessage> qa = inbox(na);
            negotiate(a, b);
            oa.get(T, TimeUnit.SECONDS);
            ob.get(T, TimeUnit.SECONDS);
            na.send("ping");
            assertEquals("ping", take(qb).text());
            nb.send(new byte[] {1, 2, 3});
            DataChannelMessage m = take(qa);
            assertTrue(m.binary());
            assertArrayEquals(new byte[] {1, 2, 3}, m.bytes());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void closingTheConnectionClosesThePeerAndReleasesThreads(String layer, SctpPort.Factory f, int maxSize)
            throws Exception {
        Set<Thread> before = nonDaemonThreads();
        PeerConnection a = new PeerConnection(loopback().build(), f);
        PeerConnection b = new PeerConnection(loopback().build(), f);
        try {
            BlockingQueue<DataChannel> atB = new LinkedBlockingQueue<>();
            b.onDataChannel(atB::add);
            DataChannel ch = a.createDataChannel("c", null);
            CompletableFuture<Void> aChClosed = closed(ch);
            negotiate(a, b);
            DataChannel remote = atB.poll(T, TimeUnit.SECONDS);
            CompletableFuture<Void> remoteClosed = closed(remote);
            CompletableFuture<PeerConnectionState> bEnd = new CompletableFuture<>();
            b.onConnectionStateChange(s -> {
                if (s == PeerConnectionState.CLOSED || s == PeerConnectionState.FAILED) {
                    bEnd.complete(s);
                }
            });
            a.close();
            a.close(); // idempotent
            assertEquals(PeerConnectionState.CLOSED, a.connectionState());
            assertEquals(DataChannelState.CLOSED, ch.readyState());
            aChClosed.get(T, TimeUnit.SECONDS);
            assertTrue(a.liveThreads().isEmpty(), a.liveThreads().toString());
            assertThrows(IllegalStateException.class, () -> a.createDataChannel("after", null));
            ExecutionException e = assertThrows(ExecutionException.class, () -> a.createOffer().get(T, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            // The peer learns of it (SCTP SHUTDOWN and DTLS close_notify).
            assertEquals(PeerConnectionState.CLOSED, bEnd.get(T, TimeUnit.SECONDS));
            remoteClosed.get(T, TimeUnit.SECONDS);
        } finally {
            a.close();
            b.close();
        }
        assertTrue(b.liveThreads().isEmpty(), b.liveThreads().toString());
        // No non-daemon thread is left behind (ice4j's shared pools are daemon threads).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Set<Thread> extra;
        do {
            extra = nonDaemonThreads();
            extra.removeAll(before);
        } while (!extra.isEmpty() && System.nanoTime() < deadline && waitABit());
        assertTrue(extra.isEmpty(), "non-daemon threads left: " + extra);
    }

    private static boolean waitABit() {
        try {
            Thread.sleep(50); // polling a condition with a deadline, not a fixed wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    private static Set<Thread> nonDaemonThreads() {
        Set<Thread> s = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.isDaemon()) {
                s.add(t);
            }
        }
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void malformedRemoteSdpFailsWithSdpParseException(String layer, SctpPort.Factory f, int maxSize) throws Exception {
        try (PeerConnection pc = new PeerConnection(loopback().build(), f)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> pc.setRemoteDescription(
                    new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, "v=0\r\nthis is not sdp\r\n"))
                    .get(T, TimeUnit.SECONDS));
            SdpParseException spe = assertInstanceOf(SdpParseException.class, e.getCause());
            assertTrue(spe.lineNumber() >= 0);
            // A description without a data section also fails with SdpParseException.
            String noData = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
            e = assertThrows(ExecutionException.class, () -> pc.setRemoteDescription(
                    new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, noData)).get(T, TimeUnit.SECONDS));
            assertInstanceOf(SdpParseException.class, e.getCause());
            // Out-of-order calls fail with IllegalStateException.
            e = assertThrows(ExecutionException.class, () -> pc.createAnswer().get(T, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            // The connection is still usable.
            SessionDescriptionInit offer = pc.createOffer().get(T, TimeUnit.SECONDS);
            assertTrue(offer.sdp().contains("webrtc-datachannel"));
            assertTrue(offer.sdp().contains("a=max-message-size:262144"), offer.sdp());
            pc.gatheringComplete().get(T, TimeUnit.SECONDS);
            assertEquals(PeerConnectionState.NEW, pc.connectionState());
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
