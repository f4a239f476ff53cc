package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.dcep.ChannelType;
import org.jdatachannel.dcep.DataChannelAck;
import org.jdatachannel.dcep.DataChannelOpen;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Channel close (W3C closing procedure, RFC 8831 §6.7) and partial reliability (RFC 8832 §5.1)
 * at the DCEP layer, fed SCTP events directly through {@link ChannelManagerFixture.FakeLink}.
 */
class ChannelCloseAndReliabilityTest extends ChannelManagerFixture {

    final List<DataChannel> announced = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void recordAnnouncedChannels() {
        mgr.setOnDataChannel(ch -> {
            announced.add(ch);
            watch(ch);
        });
    }

    @Override
    void watch(DataChannel ch) {
        String label = ch.label();
        ch.onOpen(() -> events.add("open " + label));
        ch.onClose(() -> events.add("close " + label));
        ch.onMessage(m -> events.add("msg " + label + " " + m.text()));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------
    // close

    /**
     * W3C close(): readyState is "closing" as soon as close() returns and send() then throws
     * (InvalidStateError); messages sent before close() reach SCTP before the stream reset; the
     * reset is requested once; onclose runs once, after both directions are reset.
     */
    @Test
    void closeIsClosingAtOnceAndMessagesSentBeforeGoFirst() throws Exception {
        DataChannelImpl ch = create("x", null);
        connect(true);
        whileLoopBlocked(() -> {
            ch.send("one");
            ch.send("two");
            ch.close();
            // The loop is busy: nothing has run yet, but the state already changed.
            assertEquals(DataChannelState.CLOSING, ch.readyState());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ch.send("three"));
            assertTrue(e.getMessage().contains("CLOSING"), e.getMessage());
            ch.close();
        }, () -> { });
        onLoop(() -> { });
        assertEquals(List.of("send 0 50", "send 0 51", "send 0 51", "reset 0"), link.log);
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {0}));
        assertEquals(DataChannelState.CLOSING, ch.readyState(), "our own reset is not performed yet");
        onLoop(() -> link.performReset(mgr, 0));
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        ch.close();
        onLoop(() -> { });
        assertEquals(List.of(0), link.resets, "one reset request only");
        assertEquals(List.of("open x", "close x"), events, "onclose once");
    }

    /** Closed by the peer: we answer its reset with ours (RFC 8831 §6.7) and messages before it are delivered. */
    @Test
    void peerCloseDeliversEarlierMessagesThenClosesBothDirections() {
        connect(true);
        onLoop(() -> {
            mgr.onMessage(1, 50, new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "p", "").toBytes());
            mgr.onMessage(1, 51, utf8("last"));
            mgr.onIncomingStreamsReset(new int[] {1});
        });
        DataChannel ch = announced.get(0);
        assertEquals(DataChannelState.CLOSING, ch.readyState());
        assertEquals(List.of(1), link.resets);
        assertThrows(IllegalStateException.class, () -> ch.send("no"));
        onLoop(() -> link.performReset(mgr, 1));
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(List.of("open p", "msg p last", "close p"), events);
    }

    /**
     * Closed by the peer while our messages are still on their way to SCTP: send() accepted them
     * while the channel was OPEN, so they are sent, and our answering stream reset follows them
     * (W3C closing procedure: "Finish sending all currently pending messages of the channel";
     * RFC 8831 §6.7: the answering side "also resets its corresponding outgoing stream"). The
     * loop meets the peer's reset before the queued send tasks, as it does when the reset's
     * datagram is read ahead of them. Before the fix the reset was requested at once and the
     * queued messages were refused ("is CLOSING; message ... not sent"): the tail of a burst
     * never reached the peer (DataChannelCloseLoopbackTest, "ba at a", about 1 run in 4).
     */
    @Test
    void peerCloseWhileOurMessagesAreQueuedSendsThemBeforeOurReset() throws Exception {
        DataChannelImpl ch = create("x", null);
        connect(true);
        onLoop(() -> mgr.onMessage(0, 50, new DataChannelAck().toBytes()));
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        ch.onError(errors::add);
        peerResetAheadOf(() -> {
            ch.send("one");
            ch.send("two");
        });
        onLoop(() -> { });
        assertEquals(List.of("send 0 50", "send 0 51", "send 0 51", "reset 0"), link.log,
                "both messages reach SCTP, then our reset");
        assertEquals(List.of(), errors, "no message refused");
        assertEquals(DataChannelState.CLOSING, ch.readyState());
        assertThrows(IllegalStateException.class, () -> ch.send("three"), "send() after the peer's reset");
        onLoop(() -> link.performReset(mgr, 0));
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(0, ch.bufferedAmount(), "everything was sent");
        assertEquals(List.of(0), link.resets, "one reset request only");
        assertEquals(List.of("open x", "close x"), events, "onclose once");
    }

    /**
     * Blocks the loop, runs {@code calls} on this thread (their tasks queue behind the block), then
     * lets the loop handle the peer's reset of stream 0 before those queued tasks: as when the loop
     * reads a datagram with the reset between task batches.
     */
    private void peerResetAheadOf(Runnable calls) throws InterruptedException {
        whileLoopBlocked(calls, () -> mgr.onIncomingStreamsReset(new int[] {0}));
    }

    /**
     * Blocks the loop, runs {@code calls} on this thread (their tasks queue behind the block), then
     * releases the loop, which runs {@code first} before those queued tasks.
     */
    private void whileLoopBlocked(Runnable calls, Runnable first) throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            first.run();
        });
        assertTrue(blocked.await(5, TimeUnit.SECONDS));
        try {
            calls.run();
        } finally {
            release.countDown();
        }
    }

    /**
     * Both ends close at once: our close() is called with messages queued, and the peer's reset
     * is handled before our closing task. The messages still go first, then one reset request.
     */
    @Test
    void peerResetBeforeOurClosingTaskStillSendsWhatCloseQueued() throws Exception {
        DataChannelImpl ch = create("x", null);
        connect(true);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        ch.onError(errors::add);
        peerResetAheadOf(() -> {
            ch.send("one");
            ch.close();
        });
        onLoop(() -> { });
        assertEquals(List.of("send 0 50", "send 0 51", "reset 0"), link.log);
        assertEquals(List.of(), errors, "no message refused");
        onLoop(() -> link.performReset(mgr, 0));
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(List.of("open x", "close x"), events, "onclose once");
    }

    /**
     * A stream id is reused only after both directions are reset: a channel created while the
     * old one is closing gets another id, a negotiated channel asking for it is refused, and
     * once the old channel is CLOSED the id is handed out again (repeatedly).
     */
    @Test
    void idIsReusedOnlyAfterBothDirectionsAreReset() {
        connect(true);
        for (int round = 0; round < 5; round++) {
            DataChannelImpl a = create("a" + round, null);
            assertEquals(0, a.id(), "round " + round + ": the lowest even id is free again");
            a.close();
            onLoop(() -> { });
            DataChannelImpl b = create("b" + round, null);
            assertNotEquals(0, b.id(), "round " + round + ": id 0 is still being reset");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.call(() -> mgr.createChannel("n", new DataChannelInit().negotiated(true).id(0))));
            assertTrue(e.getMessage().contains("reset"), e.getMessage());
            // One direction done is not enough, in either order.
            if (round % 2 == 0) {
                onLoop(() -> link.performReset(mgr, 0));
            } else {
                onLoop(() -> mgr.onIncomingStreamsReset(new int[] {0}));
            }
            assertEquals(DataChannelState.CLOSING, a.readyState());
            DataChannelImpl c = create("c" + round, null);
            assertNotEquals(0, c.id());
            if (round % 2 == 0) {
                onLoop(() -> mgr.onIncomingStreamsReset(new int[] {0}));
            } else {
                onLoop(() -> link.performReset(mgr, 0));
            }
            assertEquals(DataChannelState.CLOSED, a.readyState());
            // Clean up b and c (closed by the peer this time).
            for (DataChannelImpl other : List.of(b, c)) {
                int sid = other.id();
                onLoop(() -> mgr.onIncomingStreamsReset(new int[] {sid}));
                onLoop(() -> link.performReset(mgr, sid));
                assertEquals(DataChannelState.CLOSED, other.readyState());
            }
        }
        // Negotiated ids the same way.
        for (int round = 0; round < 3; round++) {
            DataChannelImpl n = create("n" + round, new DataChannelInit().negotiated(true).id(7));
            assertEquals(DataChannelState.OPEN, n.readyState());
            n.close();
            onLoop(() -> { });
            assertThrows(IllegalArgumentException.class,
                    () -> loop.call(() -> mgr.createChannel("again", new DataChannelInit().negotiated(true).id(7))));
            onLoop(() -> link.performReset(mgr, 7));
            onLoop(() -> mgr.onIncomingStreamsReset(new int[] {7}));
            assertEquals(DataChannelState.CLOSED, n.readyState());
        }
        long closes = events.stream().filter(s -> s.startsWith("close ")).count();
        assertEquals(5 * 3 + 3, closes, "every channel closed exactly once: " + events);
    }

    /** An OPEN we reject is answered by a reset; its id is not ours to use until both directions are reset. */
    @Test
    void rejectedOpenKeepsItsIdUntilBothDirectionsAreReset() {
        connect(true); // even ids are ours; the peer breaks the rule
        onLoop(() -> mgr.onMessage(0, 50, new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "bad", "").toBytes()));
        assertEquals(List.of(0), link.resets);
        assertTrue(announced.isEmpty());
        DataChannelImpl a = create("a", null);
        assertEquals(2, a.id(), "id 0 is being reset");
        assertThrows(IllegalArgumentException.class,
                () -> loop.call(() -> mgr.createChannel("n", new DataChannelInit().negotiated(true).id(0))));
        onLoop(() -> link.performReset(mgr, 0));
        assertEquals(4, create("b", null).id(), "the peer has not reset its direction yet");
        // RFC 8832 §6: the peer sees a reset before any ACK and resets its side too.
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {0}));
        assertEquals(0, create("c", null).id());
        assertEquals(List.of(0), link.resets, "the peer's reset is not answered again");
    }

    /**
     * The peer resets a stream we have no channel for (a negotiated channel we never created):
     * we reset ours too so the peer's channel can close, and keep the id until that is done.
     */
    @Test
    void peerResetWithoutAChannelIsAnswered() {
        connect(false);
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {9}));
        assertEquals(List.of(9), link.resets);
        assertThrows(IllegalArgumentException.class,
                () -> loop.call(() -> mgr.createChannel("n", new DataChannelInit().negotiated(true).id(9))));
        onLoop(() -> link.performReset(mgr, 9));
        DataChannelImpl n = create("n", new DataChannelInit().negotiated(true).id(9));
        assertEquals(DataChannelState.OPEN, n.readyState());
    }

    /**
     * The peer finished closing and reopened the same id before SCTP told us our reset was
     * performed (the response was lost or is late): the new OPEN and the messages after it wait,
     * the old channel gets no message of the new one, and both follow once the reset completes.
     */
    @Test
    void reopenOnAnIdWhoseResetIsNotConfirmedYetIsHeld() throws Exception {
        connect(true);
        onLoop(() -> mgr.onMessage(1, 50, new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "old", "").toBytes()));
        DataChannel old = announced.get(0);
        old.close();
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {1}));
        assertEquals(DataChannelState.CLOSING, old.readyState());
        int sentBefore = link.sent.size();
        onLoop(() -> {
            mgr.onMessage(1, 50, new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "new", "").toBytes());
            mgr.onMessage(1, 51, utf8("first"));
            mgr.onMessage(1, 51, utf8("second"));
        });
        assertEquals(1, announced.size(), "held until the old channel is closed");
        assertEquals(sentBefore, link.sent.size(), "no ACK on a stream that is still being reset");
        onLoop(() -> link.performReset(mgr, 1));
        assertEquals(DataChannelState.CLOSED, old.readyState());
        assertEquals(2, announced.size());
        DataChannel fresh = announced.get(1);
        assertEquals(1, fresh.id());
        assertEquals(DataChannelState.OPEN, fresh.readyState());
        assertInstanceOf(DataChannelAck.class, link.sent.get(link.sent.size() - 1).dcep());
        assertEquals(List.of("open old", "close old", "open new", "msg new first", "msg new second"), events);
    }

    /** What waits for a previous close is bounded: at most MAX_HELD_MESSAGES per stream, the rest dropped. */
    @Test
    void heldMessagesAreBounded() {
        connect(true);
        onLoop(() -> mgr.onMessage(1, 50, new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "old", "").toBytes()));
        announced.get(0).close();
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {1}));
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        mgr.setOnDataChannel(ch -> {
            announced.add(ch);
            ch.onMessage(m -> got.add(m.text()));
        });
        int extra = 100;
        onLoop(() -> {
            mgr.onMessage(1, 50, new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "new", "").toBytes());
            for (int i = 0; i < ChannelManager.MAX_HELD_MESSAGES - 1 + extra; i++) {
                mgr.onMessage(1, 51, utf8("m" + i));
            }
        });
        assertEquals(ChannelManager.MAX_HELD_MESSAGES, loop.call(() -> mgr.heldTotal()));
        onLoop(() -> link.performReset(mgr, 1));
        assertEquals(2, announced.size());
        assertEquals(ChannelManager.MAX_HELD_MESSAGES - 1, got.size(), "the OPEN and the first messages were kept");
        assertEquals("m0", got.get(0));
        // Messages after the release go straight to the new channel again.
        onLoop(() -> mgr.onMessage(1, 51, utf8("later")));
        assertEquals("later", got.get(got.size() - 1));
    }

    /** W3C: bufferedAmount "does not reset to zero once the channel closes". */
    @Test
    void bufferedAmountIsKeptWhenTheConnectionGoesAway() {
        DataChannelImpl ch = create("x", null);
        connect(true);
        ch.send(new byte[1000]);
        onLoop(() -> { });
        long queued = ch.bufferedAmount();
        assertTrue(queued >= 1000, "queued " + queued);
        onLoop(mgr::onClosed);
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(queued, ch.bufferedAmount());
        assertEquals(0, mgr.sctpBufferedTotal(), "the connection's total no longer counts it");
    }

    /** After a graceful close everything was sent: bufferedAmount is 0 and stays 0. */
    @Test
    void bufferedAmountIsZeroAfterAGracefulClose() {
        DataChannelImpl ch = create("x", null);
        connect(true);
        ch.send(new byte[1000]);
        ch.close();
        onLoop(() -> { });
        assertTrue(ch.bufferedAmount() >= 1000, "still queued while closing: " + ch.bufferedAmount());
        onLoop(() -> {
            link.buffered.put(0, 0L);
            mgr.refreshBufferedAmounts();
        });
        assertEquals(0, ch.bufferedAmount());
        onLoop(() -> link.performReset(mgr, 0));
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {0}));
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(0, ch.bufferedAmount());
    }

    /** close() before the association is up: nothing was sent on the stream, so no reset; closed at once. */
    @Test
    void closeBeforeConnectingNeedsNoReset() {
        DataChannelImpl a = create("a", null);
        DataChannelImpl n = create("n", new DataChannelInit().negotiated(true).id(4));
        a.close();
        n.close();
        // CLOSING when close() returns, or already CLOSED if the loop ran the closing task meanwhile
        assertTrue(a.readyState() == DataChannelState.CLOSING || a.readyState() == DataChannelState.CLOSED,
                a.readyState().toString());
        onLoop(() -> { });
        connect(true);
        assertEquals(DataChannelState.CLOSED, a.readyState());
        assertEquals(DataChannelState.CLOSED, n.readyState());
        assertTrue(link.resets.isEmpty());
        assertTrue(link.sent.isEmpty(), "no OPEN for a closed channel");
        assertEquals(0, create("b", null).id());
        assertEquals(List.of("close a", "close n", "open b"), events);
    }

    // ---------------------------------------------------------------------------------------
    // partial reliability

    static Stream<Arguments> reliabilityOptions() {
        // ordered, maxRetransmits, maxPacketLifeTime, expected type, expected parameter
        return Stream.of(
                Arguments.of(true, null, null, ChannelType.RELIABLE, 0L),
                Arguments.of(false, null, null, ChannelType.RELIABLE_UNORDERED, 0L),
                Arguments.of(true, 0, null, ChannelType.PARTIAL_RELIABLE_REXMIT, 0L),
                Arguments.of(false, 0, null, ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, 0L),
                Arguments.of(true, 5, null, ChannelType.PARTIAL_RELIABLE_REXMIT, 5L),
                Arguments.of(true, null, 50, ChannelType.PARTIAL_RELIABLE_TIMED, 50L),
                Arguments.of(false, null, 50, ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED, 50L),
                Arguments.of(false, 100000, null, ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, 65535L),
                Arguments.of(true, null, 70000, ChannelType.PARTIAL_RELIABLE_TIMED, 65535L));
    }

    /**
     * DataChannelInit reliability reaches the DCEP OPEN (RFC 8832 §5.1 channel type and
     * reliability parameter; W3C clamps both limits to 65535) and every send's SCTP options:
     * ordered until the ACK (RFC 8832 §6), then the channel's ordering; the limits always.
     */
    @ParameterizedTest(name = "ordered={0} maxRetransmits={1} maxPacketLifeTime={2}")
    @MethodSource("reliabilityOptions")
    void reliabilityGoesIntoOpenAndEverySend(boolean ordered, Integer rexmit, Integer life, ChannelType type,
                                             long param) throws Exception {
        DataChannelImpl ch = create("pr", new DataChannelInit().ordered(ordered).maxRetransmits(rexmit)
                .maxPacketLifeTime(life));
        assertEquals(ordered, ch.ordered());
        assertEquals(rexmit == null ? null : (int) Math.min(rexmit, 65535), ch.maxRetransmits());
        assertEquals(life == null ? null : (int) Math.min(life, 65535), ch.maxPacketLifeTime());
        connect(true);
        DataChannelOpen open = assertInstanceOf(DataChannelOpen.class, link.sent.get(0).dcep());
        assertEquals(type, open.channelType());
        assertEquals(type.code(), open.toBytes()[1] & 0xff, "channel type byte on the wire");
        assertEquals(param, open.reliabilityParameter());
        assertEquals(-1, link.sent.get(0).maxRexmit(), "DCEP itself is reliable");
        assertEquals(-1, link.sent.get(0).lifetime());
        ch.send("before ack");
        onLoop(() -> mgr.onMessage(0, 50, new DataChannelAck().toBytes()));
        ch.send("after ack");
        ch.send(new byte[] {1, 2});
        onLoop(() -> { });
        int wantRexmit = rexmit == null ? -1 : (int) Math.min(rexmit, 65535);
        long wantLife = life == null ? -1 : Math.min(life, 65535);
        for (int i = 1; i <= 3; i++) {
            Sent s = link.sent.get(i);
            assertEquals(wantRexmit, s.maxRexmit(), "send " + i);
            assertEquals(wantLife, s.lifetime(), "send " + i);
            assertEquals(i > 1 && !ordered, s.unordered(), "send " + i);
        }
    }

    /** Incoming OPEN of each channel type: the remote channel reports the options. */
    @ParameterizedTest
    @EnumSource(ChannelType.class)
    void incomingOpenOfEveryTypeIsReported(ChannelType type) throws Exception {
        connect(false);
        onLoop(() -> mgr.onMessage(0, 50, new DataChannelOpen(type, 256, 3, "in", "").toBytes()));
        DataChannel ch = announced.get(0);
        assertEquals(!type.unordered(), ch.ordered());
        if (type.limitsRetransmits()) {
            assertEquals(3, ch.maxRetransmits());
        } else {
            assertNull(ch.maxRetransmits());
        }
        if (type.limitsLifetime()) {
            assertEquals(3, ch.maxPacketLifeTime());
        } else {
            assertNull(ch.maxPacketLifeTime());
        }
        // Our messages on it follow the same options at once (the peer opened it: no ACK to wait for).
        ch.send("reply");
        onLoop(() -> { });
        Sent reply = link.sent.get(link.sent.size() - 1);
        assertEquals(type.unordered(), reply.unordered());
        assertEquals(type.limitsRetransmits() ? 3 : -1, reply.maxRexmit());
        assertEquals(type.limitsLifetime() ? 3 : -1, reply.lifetime());
        assertFalse(link.sent.get(0).unordered(), "the ACK is ordered");
    }

    /** W3C createDataChannel: both limits set is a TypeError (IllegalArgumentException here); negatives too. */
    @Test
    void bothLimitsOrNegativeLimitsAreRejected() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> loop.call(() ->
                mgr.createChannel("x", new DataChannelInit().maxRetransmits(0).maxPacketLifeTime(0))));
        assertTrue(both.getMessage().contains("maxRetransmits") && both.getMessage().contains("maxPacketLifeTime"),
                both.getMessage());
        assertThrows(IllegalArgumentException.class, () -> loop.call(() ->
                mgr.createChannel("x", new DataChannelInit().maxPacketLifeTime(-1))));
        assertTrue(mgr.channels().isEmpty(), "nothing created");
    }
}
