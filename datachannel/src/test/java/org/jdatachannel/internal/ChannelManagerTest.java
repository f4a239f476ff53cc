package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.dcep.ChannelType;
import org.jdatachannel.dcep.DataChannelAck;
import org.jdatachannel.dcep.DataChannelOpen;
import org.junit.jupiter.api.Test;

/** DCEP and data-channel state fed SCTP events directly: no network, no SCTP. */
class ChannelManagerTest extends ChannelManagerFixture {

    @Override
    void watch(DataChannel ch) {
        String label = ch.label();
        ch.onOpen(() -> events.add("open " + label));
        ch.onClose(() -> events.add("close " + label));
        ch.onMessage(m -> events.add("msg " + label + " " + (m.binary() ? "bin " : "str ") + m.text()));
    }

    @Test
    void streamIdsFollowDtlsRoleAndOpenIsSentOnConnect() throws Exception {
        DataChannelImpl a = create("a", null);
        DataChannelImpl b = create("b", new DataChannelInit().ordered(false).maxRetransmits(3).protocol("p"));
        assertNull(a.id());
        assertEquals(DataChannelState.CONNECTING, a.readyState());
        connect(true);
        assertEquals(0, a.id());
        assertEquals(2, b.id());
        assertEquals(DataChannelState.OPEN, a.readyState());
        assertEquals(List.of("open a", "open b"), events);
        assertEquals(2, link.sent.size());
        Sent s0 = link.sent.get(0);
        assertEquals(50, s0.ppid());
        assertFalse(s0.unordered());
        assertEquals(-1, s0.maxRexmit());
        DataChannelOpen o = assertInstanceOf(DataChannelOpen.class, s0.dcep());
        assertEquals("a", o.label());
        assertEquals(ChannelType.RELIABLE, o.channelType());
        DataChannelOpen ob = (DataChannelOpen) link.sent.get(1).dcep();
        assertEquals(ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, ob.channelType());
        assertEquals(3, ob.reliabilityParameter());
        assertEquals("p", ob.protocol());
        // A channel created afterwards gets the next even id and opens at once.
        DataChannelImpl c = create("c", null);
        assertEquals(4, c.id());
        assertEquals(DataChannelState.OPEN, c.readyState());
        assertTrue(events.contains("open c"));
    }

    @Test
    void serverUsesOddIds() {
        DataChannelImpl a = create("a", null);
        connect(false);
        assertEquals(1, a.id());
        assertEquals(3, create("b", null).id());
    }

    @Test
    void unorderedChannelSendsOrderedUntilAck() throws Exception {
        DataChannelImpl ch = create("u", new DataChannelInit().ordered(false).maxPacketLifeTime(500));
        connect(true);
        ch.send("before ack");
        onLoop(() -> { });
        Sent before = link.sent.get(1);
        assertEquals(51, before.ppid());
        assertFalse(before.unordered(), "RFC 8832 §6: ordered until the ACK");
        assertEquals(500, before.lifetime());
        onLoop(() -> mgr.onMessage(0, 50, new DataChannelAck().toBytes()));
        ch.send("after ack");
        onLoop(() -> { });
        assertTrue(link.sent.get(2).unordered());
    }

    @Test
    void incomingOpenIsAckedAndAnnounced() throws Exception {
        List<DataChannel> announced = new ArrayList<>();
        mgr.setOnDataChannel(ch -> {
            announced.add(ch);
            events.add("datachannel " + ch.label());
            ch.onOpen(() -> events.add("open " + ch.label()));
            ch.onMessage(m -> events.add("msg " + (m.binary() ? "bin " : "str ") + m.size() + " " + m.text()));
        });
        connect(true);
        byte[] open = new DataChannelOpen(ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED, 256, 1500, "chat", "proto").toBytes();
        onLoop(() -> {
            mgr.onMessage(1, 50, open);
            // Messages in the same packet as the OPEN reach the handler installed in onDataChannel.
            mgr.onMessage(1, 51, "hi".getBytes(StandardCharsets.UTF_8));
            mgr.onMessage(1, 53, new byte[] {1, 2});
            mgr.onMessage(1, 56, new byte[] {0});
            mgr.onMessage(1, 57, new byte[] {0});
            mgr.onMessage(1, 54, "x".getBytes(StandardCharsets.UTF_8));
            mgr.onMessage(1, 99, new byte[] {9}); // unknown PPID: dropped
        });
        assertEquals(List.of("datachannel chat", "open chat", "msg str 2 hi", "msg bin 2 \u0001\u0002", "msg str 0 ",
                "msg bin 0 ", "msg str 1 x"), events);
        DataChannel ch = announced.get(0);
        assertEquals(1, ch.id());
        assertFalse(ch.ordered());
        assertEquals(1500, ch.maxPacketLifeTime());
        assertNull(ch.maxRetransmits());
        assertEquals("proto", ch.protocol());
        assertEquals(DataChannelState.OPEN, ch.readyState());
        Sent ack = link.sent.get(0);
        assertEquals(1, ack.sid());
        assertEquals(50, ack.ppid());
        assertInstanceOf(DataChannelAck.class, ack.dcep());
        assertFalse(ack.unordered());
    }

    @Test
    void incomingOpenOnOurParityIsRejectedByReset() {
        mgr.setOnDataChannel(ch -> events.add("datachannel " + ch.label()));
        connect(true); // we use even ids
        byte[] open = new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "bad", "").toBytes();
        onLoop(() -> mgr.onMessage(2, 50, open));
        assertEquals(List.of(), events);
        assertEquals(List.of(2), link.resets);
        assertTrue(link.sent.isEmpty());
    }

    @Test
    void incomingOpenOnAStreamInUseClosesThatChannel() {
        mgr.setOnDataChannel(ch -> events.add("datachannel " + ch.label()));
        DataChannelImpl n = create("n", new DataChannelInit().negotiated(true).id(5));
        connect(true);
        byte[] open = new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "clash", "").toBytes();
        onLoop(() -> mgr.onMessage(5, 50, open));
        // RFC 8832 §6: no ACK, the channel on that stream is closed by a stream reset.
        assertTrue(link.sent.isEmpty());
        assertEquals(List.of(5), link.resets);
        assertEquals(DataChannelState.CLOSING, n.readyState());
        assertEquals(List.of("open n"), events);
    }

    @Test
    void garbageDcepAndStrayMessagesAreIgnored() {
        connect(false);
        onLoop(() -> {
            mgr.onMessage(0, 50, new byte[0]);
            mgr.onMessage(0, 50, new byte[] {3, 0});
            mgr.onMessage(0, 50, new byte[] {7});
            mgr.onMessage(4, 51, new byte[] {65});
            mgr.onMessage(4, 50, new DataChannelAck().toBytes());
        });
        assertTrue(link.sent.isEmpty());
        assertTrue(events.isEmpty());
    }

    @Test
    void localCloseWaitsForBothDirections() {
        DataChannelImpl ch = createConnectAndClose("x");
        assertThrows(IllegalStateException.class, () -> ch.send("no"));
        onLoop(() -> link.performReset(mgr, 0));
        assertEquals(DataChannelState.CLOSING, ch.readyState());
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {0}));
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(List.of("open x", "close x"), events);
        ch.close(); // idempotent
        onLoop(() -> { });
        assertEquals(1, link.resets.size());
        // The id is free again and the new channel opens on it.
        link.resets.clear();
        DataChannelImpl y = create("y", null);
        assertEquals(0, y.id());
        assertEquals(DataChannelState.OPEN, y.readyState());
    }

    @Test
    void remoteCloseMakesUsResetToo() {
        DataChannelImpl ch = create("x", null);
        connect(false);
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {1}));
        assertEquals(DataChannelState.CLOSING, ch.readyState());
        assertEquals(List.of(1), link.resets);
        onLoop(() -> mgr.onOutgoingStreamsReset(new int[] {1}));
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(List.of("open x", "close x"), events);
    }

    @Test
    void resetBeforeAckMeansThePeerRejectedTheChannel() {
        DataChannelImpl ch = create("x", null);
        List<Throwable> errors = new ArrayList<>();
        ch.onError(errors::add);
        connect(true);
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {0}));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("rejected"), errors.get(0).getMessage());
        assertEquals(List.of(0), link.resets);
        onLoop(() -> mgr.onOutgoingStreamsReset(new int[] {0}));
        assertEquals(DataChannelState.CLOSED, ch.readyState());
    }

    @Test
    void closeBeforeConnectClosesAtOnce() {
        DataChannelImpl ch = create("x", null);
        ch.close();
        onLoop(() -> { });
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(List.of("close x"), events);
        connect(true);
        assertTrue(link.sent.isEmpty());
    }

    @Test
    void oversizeSendThrowsAndChannelStaysUsable() {
        DataChannelImpl ch = create("x", null);
        onLoop(() -> mgr.setRemoteMaxMessageSize(1000));
        connect(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ch.send(new byte[1001]));
        assertTrue(e.getMessage().contains("1001") && e.getMessage().contains("1000"), e.getMessage());
        assertEquals(DataChannelState.OPEN, ch.readyState());
        ch.send(new byte[1000]);
        ch.send("");
        ch.send(ByteBuffer.allocate(0));
        onLoop(() -> { });
        assertEquals(4, link.sent.size());
        assertEquals(53, link.sent.get(1).ppid());
        assertEquals(56, link.sent.get(2).ppid());
        assertArrayEquals(new byte[] {0}, link.sent.get(2).payload());
        assertEquals(57, link.sent.get(3).ppid());
        assertArrayEquals(new byte[] {0}, link.sent.get(3).payload());
    }

    @Test
    void sendCopiesAndLeavesBufferPosition() {
        DataChannelImpl ch = create("x", null);
        connect(true);
        ByteBuffer b = ByteBuffer.wrap(new byte[] {9, 1, 2, 3});
        b.position(1);
        ch.send(b);
        b.put(1, (byte) 7);
        onLoop(() -> { });
        assertEquals(1, b.position());
        assertArrayEquals(new byte[] {1, 2, 3}, link.sent.get(1).payload());
        assertEquals(3, ch.bufferedAmount()); // the OPEN the fake link holds counts for the connection only
        assertEquals(3 + 12 + 1, mgr.connectionBuffered());
    }

    @Test
    void sendBeforeOpenThrows() {
        DataChannelImpl ch = create("x", null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ch.send("x"));
        assertTrue(e.getMessage().contains("CONNECTING"), e.getMessage());
    }

    @Test
    void negotiatedChannelSkipsDcep() {
        DataChannelImpl ch = create("n", new DataChannelInit().negotiated(true).id(7));
        assertEquals(7, ch.id());
        connect(true);
        assertEquals(DataChannelState.OPEN, ch.readyState());
        assertTrue(link.sent.isEmpty());
        onLoop(() -> mgr.onMessage(7, 51, "peer".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("open n", "msg n str peer"), events);
        // An automatically chosen id skips the negotiated one... and never collides.
        DataChannelImpl other = create("m", new DataChannelInit().negotiated(true).id(0));
        assertEquals(0, other.id());
        assertEquals(2, create("auto", null).id());
    }

    @Test
    void badOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> loop.call(() -> mgr.createChannel("x",
                new DataChannelInit().maxRetransmits(1).maxPacketLifeTime(1))));
        assertThrows(IllegalArgumentException.class, () -> loop.call(() -> mgr.createChannel("x",
                new DataChannelInit().negotiated(true))));
        assertThrows(IllegalArgumentException.class, () -> loop.call(() -> mgr.createChannel("x",
                new DataChannelInit().negotiated(true).id(65535))));
        assertThrows(IllegalArgumentException.class, () -> loop.call(() -> mgr.createChannel("x",
                new DataChannelInit().maxRetransmits(-1))));
        assertThrows(IllegalArgumentException.class, () -> loop.call(() -> mgr.createChannel("x".repeat(70000), null)));
        create("n", new DataChannelInit().negotiated(true).id(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.call(() ->
                mgr.createChannel("x", new DataChannelInit().negotiated(true).id(3))));
        assertTrue(e.getMessage().contains("in use"));
        assertThrows(IllegalArgumentException.class, () -> create("x", null).setBufferedAmountLowThreshold(-1));
    }

    @Test
    void associationClosedClosesEverything() {
        DataChannelImpl a = create("a", null);
        DataChannelImpl b = create("b", null);
        connect(true);
        onLoop(mgr::onClosed);
        assertEquals(DataChannelState.CLOSED, a.readyState());
        assertEquals(DataChannelState.CLOSED, b.readyState());
        assertEquals(List.of("open a", "open b", "close a", "close b"), events);
        assertThrows(IllegalStateException.class, () -> loop.call(() -> mgr.createChannel("c", null)));
    }

    @Test
    void throwingCallbackDoesNotBreakTheLoop() {
        DataChannelImpl a = create("a", null);
        DataChannelImpl b = create("b", null);
        a.onOpen(() -> {
            throw new RuntimeException("boom (expected by the test)");
        });
        connect(true);
        assertEquals(List.of("open b"), events);
        assertEquals(DataChannelState.OPEN, a.readyState());
        onLoop(() -> mgr.onMessage(2, 51, "still".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("open b", "msg b str still"), events);
    }

    @Test
    void lateHandlersStillSeeOpenAndQueuedMessages() {
        mgr.setOnDataChannel(ch -> events.add("datachannel"));
        connect(true);
        List<DataChannel> got = new ArrayList<>();
        mgr.setOnDataChannel(got::add);
        onLoop(() -> {
            mgr.onMessage(3, 50, new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "late", "").toBytes());
            mgr.onMessage(3, 51, "one".getBytes(StandardCharsets.UTF_8));
            mgr.onMessage(3, 51, "two".getBytes(StandardCharsets.UTF_8));
        });
        DataChannel ch = got.get(0);
        ch.onOpen(() -> events.add("open"));
        ch.onMessage(m -> events.add(m.text()));
        onLoop(() -> { });
        assertEquals(List.of("open", "one", "two"), events);
    }

    @Test
    void bufferedAmountLowAndThresholds() {
        DataChannelImpl ch = create("x", null);
        ch.setBufferedAmountLowThreshold(1234);
        ch.onBufferedAmountLow(() -> events.add("low"));
        connect(false);
        assertEquals(1234L, link.thresholds.get(1));
        ch.setBufferedAmountLowThreshold(10);
        onLoop(() -> { });
        assertEquals(10L, link.thresholds.get(1));
        assertEquals(10, ch.bufferedAmountLowThreshold());
        onLoop(() -> {
            link.buffered.put(1, 0L); // the OPEN was sent
            mgr.refreshBufferedAmounts();
            link.buffered.put(1, 5L);
            mgr.onBufferedAmountLow(1);
        });
        assertEquals(List.of("open x", "low"), events);
        assertEquals(5, ch.bufferedAmount());
    }

    @Test
    void refreshReadsOnlyTheStreamsTheLinkReportsChanged() {
        DataChannelImpl a = create("a", null);
        DataChannelImpl b = create("b", null);
        DataChannelImpl c = create("c", null);
        connect(true); // stream ids 0, 2, 4
        onLoop(() -> {
            link.buffered.clear(); // the OPENs were sent
            mgr.refreshBufferedAmounts();
            link.buffered.put(0, 100L);
            link.buffered.put(2, 200L);
            link.buffered.put(4, 300L);
            // a link that cannot tell: every channel is read
            link.bufferedReads = 0;
            mgr.refreshBufferedAmounts();
            assertEquals(3, link.bufferedReads);
            // a link that reports stream 2 only: one read, and the others keep their view
            link.changed = new java.util.HashSet<>(List.of(2, 99)); // 99: no channel, ignored
            link.buffered.put(0, 111L);
            link.buffered.put(2, 222L);
            link.bufferedReads = 0;
            mgr.refreshBufferedAmounts();
            assertEquals(1, link.bufferedReads);
            mgr.refreshBufferedAmounts(); // nothing changed since: no read at all
            assertEquals(1, link.bufferedReads);
        });
        assertEquals(100, a.bufferedAmount());
        assertEquals(222, b.bufferedAmount());
        assertEquals(300, c.bufferedAmount());
    }

    @Test
    void sendRejectedBySctpReportsOnErrorAndClosesTheChannel() {
        DataChannelImpl ch = create("x", null);
        connect(true);
        List<Throwable> errors = new ArrayList<>();
        ch.onError(errors::add);
        link.maxSize = 10; // SCTP refuses although our limit allows it
        ch.send(new byte[11]);
        onLoop(() -> { });
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("closing the channel"), errors.get(0).getMessage());
        // Going on would leave a gap in the channel's sequence: the channel closes instead.
        assertSame(DataChannelState.CLOSING, ch.readyState());
        assertEquals(List.of(0), link.resets);
        assertThrows(IllegalStateException.class, () -> ch.send("after the gap"));
        assertEquals(0, mgr.admittedBytes());
    }

    /**
     * An error reported before onError is installed (the peer refused the channel between
     * createDataChannel returning and the registration) reaches the handler installed later.
     */
    @Test
    void anErrorBeforeTheHandlerIsInstalledIsDeliveredToIt() {
        DataChannelImpl ch = create("x", null);
        connect(true);
        link.maxSize = 10;
        ch.send(new byte[11]);
        onLoop(() -> { });
        assertSame(DataChannelState.CLOSING, ch.readyState());
        List<Throwable> errors = new ArrayList<>();
        ch.onError(errors::add);
        onLoop(() -> { });
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("closing the channel"), errors.get(0).getMessage());
        // delivered once: a second handler gets nothing old
        List<Throwable> again = new ArrayList<>();
        ch.onError(again::add);
        onLoop(() -> { });
        assertEquals(List.of(), again);
    }

    /**
     * Admission is connection-wide: two channels together hit the 16 MiB limit although each is
     * far below its own. Every send either throws or reaches SCTP; none is lost on the loop.
     */
    @Test
    void connectionWideLimitIsEnforcedAtSend() {
        DataChannelImpl a = create("a", null);
        DataChannelImpl b = create("b", null);
        connect(true);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        a.onError(errors::add);
        b.onError(errors::add);
        int accepted = 0;
        IllegalStateException full = null;
        for (int i = 0; full == null && i < 1000; i++) {
            DataChannelImpl ch = i % 2 == 0 ? a : b;
            try {
                ch.send(new byte[65536]);
                accepted++;
            } catch (IllegalStateException e) {
                full = e;
            }
        }
        assertTrue(full != null, "no send was refused");
        assertTrue(full.getMessage().contains("send buffer is full"), full.getMessage());
        onLoop(() -> { });
        assertEquals(List.of(), errors);
        assertEquals(2 + accepted, link.sent.size(), "every accepted message reached SCTP");
        long total = a.bufferedAmount() + b.bufferedAmount();
        assertTrue(total <= ChannelManager.MAX_CONNECTION_BUFFERED, "buffered " + total);
        assertTrue(a.bufferedAmount() < DataChannelImpl.MAX_BUFFERED_AMOUNT / 2 + 65536, "a " + a.bufferedAmount());
        assertEquals(DataChannelState.OPEN, a.readyState());
        assertEquals(DataChannelState.OPEN, b.readyState());
        assertTrue(ChannelManager.SCTP_SEND_BUFFER_SIZE > ChannelManager.MAX_CONNECTION_BUFFERED);
        // Empty messages count their one wire byte: they fill exactly the room that is left.
        long room = ChannelManager.MAX_CONNECTION_BUFFERED - mgr.connectionBuffered(); // OPENs included
        long empties = 0;
        while (true) {
            try {
                a.send("");
                empties++;
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage().contains("send buffer is full"), e.getMessage());
                break;
            }
            assertTrue(empties <= room, "empty sends are not throttled");
        }
        assertEquals(room, empties);
        onLoop(() -> { });
        assertEquals(2 + accepted + empties, link.sent.size());
        assertEquals(ChannelManager.MAX_CONNECTION_BUFFERED, mgr.connectionBuffered());
        assertEquals(ChannelManager.MAX_CONNECTION_BUFFERED - 2 * (12 + 1), a.bufferedAmount() + b.bufferedAmount(),
                "the two OPENs count for the connection only");
        assertEquals(0, mgr.admittedBytes());
        // Once SCTP has sent some of it, sending works again.
        onLoop(() -> {
            link.buffered.put(a.id(), 0L);
            mgr.onBufferedAmountLow(a.id());
        });
        b.send(new byte[65536]);
        onLoop(() -> { });
        assertEquals(List.of(), errors);
    }

    /**
     * The DATA_CHANNEL_OPENs that SCTP holds count against the connection limit from the moment
     * they are queued, not only once a user message on their stream made the loop re-read it: with
     * the loop held, so that no user message reaches SCTP, admission must still leave room for the
     * OPENs' bytes. (Before, a burst sent faster than the loop ran was admitted up to the limit and
     * the OPENs then put the connection above MAX_CONNECTION_BUFFERED.)
     */
    @Test
    void dcepOpensCountAgainstTheConnectionLimitAtOnce() throws Exception {
        // two channels, so that each stays far below its own limit and only the connection's applies
        DataChannelImpl a = create("a", null);
        DataChannelImpl b = create("b", null);
        connect(true);
        long opens = link.bufferedAmount(0) + link.bufferedAmount(2);
        assertEquals(2 * (12 + 1), opens, "two OPENs, each a 12-byte header + 1 label byte");
        // W3C bufferedAmount counts what send() queued: the OPENs count for the connection only
        assertEquals(0, a.bufferedAmount() + b.bufferedAmount());
        assertEquals(opens, mgr.connectionBuffered());
        java.util.concurrent.CountDownLatch release = holdLoop();
        int size = 65536;
        long fit = ChannelManager.MAX_CONNECTION_BUFFERED / size;
        long accepted = 0;
        try {
            for (long i = 0; i < fit; i++) {
                (i % 2 == 0 ? a : b).send(new byte[size]);
                accepted++;
            }
            fail("all " + accepted + " messages of 64 KiB were admitted although the OPENs' " + opens
                    + " bytes leave room for one fewer");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().contains("send buffer is full"), e.getMessage());
        } finally {
            release.countDown();
        }
        assertEquals(fit - 1, accepted);
        onLoop(() -> { });
        assertEquals(accepted * size, a.bufferedAmount() + b.bufferedAmount());
        assertEquals(opens + accepted * size, mgr.connectionBuffered());
        // the room left is exactly what the limit allows; one byte more is refused
        long room = ChannelManager.MAX_CONNECTION_BUFFERED - mgr.connectionBuffered();
        assertEquals(size - opens, room);
        b.send(new byte[(int) room]);
        IllegalStateException full = assertThrows(IllegalStateException.class, () -> a.send(""));
        assertTrue(full.getMessage().contains("send buffer is full"), full.getMessage());
        onLoop(() -> { });
        assertEquals(ChannelManager.MAX_CONNECTION_BUFFERED, mgr.connectionBuffered());
        assertEquals(ChannelManager.MAX_CONNECTION_BUFFERED - opens, a.bufferedAmount() + b.bufferedAmount());
        assertEquals(0, mgr.admittedBytes());
    }

    /**
     * W3C bufferedAmount counts the bytes queued by send(): a DATA_CHANNEL_OPEN or ACK SCTP still
     * holds is in the connection's budget only, and SCTP sends it before the stream's user data
     * (it is first on the stream, ordered), so what leaves SCTP's queue leaves it first.
     */
    @Test
    void dcepBytesStayOutOfBufferedAmount() throws Exception {
        DataChannelImpl a = create("a", null);
        connect(true);
        assertEquals(13, link.bufferedAmount(0), "the OPEN: 12-byte header + 1 label byte");
        assertEquals(0, a.bufferedAmount());
        a.send(new byte[100]);
        onLoop(() -> { });
        assertEquals(100, a.bufferedAmount());
        assertEquals(113, mgr.connectionBuffered());
        // SCTP sent 20 bytes: the OPEN's 13, then 7 of the message
        onLoop(() -> {
            link.buffered.put(0, 93L);
            mgr.refreshBufferedAmounts();
        });
        assertEquals(93, a.bufferedAmount());
        assertEquals(93, mgr.connectionBuffered());
        onLoop(() -> {
            link.buffered.put(0, 0L);
            mgr.refreshBufferedAmounts();
        });
        assertEquals(0, a.bufferedAmount());
        assertEquals(0, mgr.connectionBuffered());
        // a peer-opened channel: our ACK (1 byte, RFC 8832 §5.2) is in the connection's budget only
        onLoop(() -> mgr.onMessage(1, ChannelManager.PPID_DCEP,
                new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "p", "").toBytes()));
        assertEquals(1, link.bufferedAmount(1));
        assertEquals(1, mgr.connectionBuffered());
        DataChannelImpl p = mgr.channels().stream().filter(c -> c.id() == 1).findFirst().orElseThrow();
        assertEquals(0, p.bufferedAmount());
        // closed (the peer refused our reset) while SCTP still holds the ACK and 10 bytes:
        // bufferedAmount stays at the 10 never sent
        p.send(new byte[10]);
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {1}));
        assertEquals(11, link.bufferedAmount(1));
        onLoop(() -> mgr.onStreamResetFailed(new int[] {1}));
        assertEquals(DataChannelState.CLOSED, p.readyState());
        assertEquals(10, p.bufferedAmount());
        assertEquals(0, mgr.connectionBuffered());
    }

    /**
     * The peer's reset processed while a send() is being refused by the connection's limit: the
     * refused message never reaches the loop, so the reset must not wait for it (the channel
     * stayed CLOSING for good when send() had counted the message as pending before the refusal).
     * The loop waits until the send counted something as pending or returned, so the reset lands
     * inside the send's window whenever one exists.
     */
    @Test
    void peerResetRacingARefusedSendStillResetsTheStream() throws Exception {
        DataChannelImpl fill = create("fill", new DataChannelInit().negotiated(true).id(1));
        connect(true);
        for (long sent = 0; sent < ChannelManager.MAX_CONNECTION_BUFFERED; sent += 65536) {
            fill.send(new byte[65536]);
        }
        onLoop(() -> { });
        assertEquals(ChannelManager.MAX_CONNECTION_BUFFERED, mgr.connectionBuffered());
        for (int i = 0; i < 20; i++) {
            int sid = 3 + 2 * i;
            DataChannelImpl ch = create("r" + sid, new DataChannelInit().negotiated(true).id(sid));
            assertEquals(DataChannelState.OPEN, ch.readyState());
            java.util.concurrent.atomic.AtomicBoolean sendReturned = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong pendingSeen = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.CountDownLatch looping = new java.util.concurrent.CountDownLatch(1);
            loop.execute(() -> {
                looping.countDown();
                // bounded: ends when send() counted its message as pending or returned
                while (!sendReturned.get() && ch.pendingBytes() == 0) {
                    Thread.onSpinWait();
                }
                pendingSeen.set(ch.pendingBytes());
                mgr.onIncomingStreamsReset(new int[] {sid});
            });
            assertTrue(looping.await(5, java.util.concurrent.TimeUnit.SECONDS));
            IllegalStateException refused;
            try {
                refused = assertThrows(IllegalStateException.class, () -> ch.send(new byte[1]));
            } finally {
                sendReturned.set(true);
            }
            assertTrue(refused.getMessage().contains("send buffer is full")
                    || refused.getMessage().contains("CLOSING"), refused.getMessage());
            onLoop(() -> { });
            assertTrue(link.resets.contains(sid), "stream " + sid + " was never reset: " + link.resets);
            assertEquals(0, pendingSeen.get(), "a refused message was counted as pending");
            assertEquals(DataChannelState.CLOSING, ch.readyState());
            assertEquals(0, ch.pendingBytes());
        }
        assertEquals(ChannelManager.MAX_CONNECTION_BUFFERED, mgr.connectionBuffered());
        assertEquals(0, mgr.admittedBytes());
    }

    /** An empty message is one byte on the wire and counts one byte while queued on the loop. */
    @Test
    void emptyMessagesCountOneBufferedByte() throws Exception {
        DataChannelImpl ch = create("x", null);
        connect(true);
        long before = ch.bufferedAmount();
        java.util.concurrent.CountDownLatch release = holdLoop();
        try {
            ch.send("");
            ch.send(ByteBuffer.allocate(0));
            assertEquals(before + 2, ch.bufferedAmount());
            assertEquals(2, mgr.admittedBytes());
        } finally {
            release.countDown();
        }
        onLoop(() -> { });
        assertEquals(0, mgr.admittedBytes());
        // Now in the (fake) SCTP queue, which counts the one-byte payloads and the OPEN; the
        // channel's bufferedAmount() counts the payloads only.
        assertEquals(link.bufferedAmount(0) - (12 + 1), ch.bufferedAmount());
        assertEquals(before + 2, ch.bufferedAmount());
        assertEquals(2, link.sent.stream().filter(x -> x.payload().length == 1 && x.ppid() != 50).count());
    }

    @Test
    void peerRestartClosesEveryChannelAndNewOnesOpen() throws Exception {
        DataChannelImpl a = create("a", null);
        DataChannelImpl b = create("b", new DataChannelInit().negotiated(true).id(8));
        connect(true);
        onLoop(() -> mgr.onMessage(0, 50, new DataChannelAck().toBytes()));
        assertEquals(DataChannelState.OPEN, a.readyState());
        assertEquals(DataChannelState.OPEN, b.readyState());
        int sentBefore = link.sent.size();
        onLoop(mgr::onRestarted);
        onLoop(() -> { });
        assertEquals(DataChannelState.CLOSED, a.readyState());
        assertEquals(DataChannelState.CLOSED, b.readyState());
        assertTrue(events.containsAll(List.of("close a", "close b")), events.toString());
        assertTrue(link.resets.isEmpty(), "no stream reset: every stream starts over after a restart");
        assertEquals(sentBefore, link.sent.size());
        // the connection stays usable: a new channel opens on the restarted association
        DataChannelImpl c = create("c", null);
        assertEquals(DataChannelState.OPEN, c.readyState());
        assertInstanceOf(DataChannelOpen.class, link.sent.get(link.sent.size() - 1).dcep());
        assertThrows(IllegalStateException.class, () -> a.send("x"));
    }

    /**
     * Holds the loop thread (for at most 5 s) until the returned latch is counted down: sends made
     * meanwhile are admitted but not yet handed to SCTP.
     */
    private java.util.concurrent.CountDownLatch holdLoop() throws InterruptedException {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try {
                release.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(blocked.await(5, java.util.concurrent.TimeUnit.SECONDS));
        return release;
    }
}
