package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.dcep.DcepMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared scaffolding for tests that drive a {@link ChannelManager} directly, without SCTP: a fresh
 * {@link EventLoop} and manager per test, a {@link FakeLink} recording what the manager asks of
 * SCTP, and helpers to run code on the loop, create a channel and connect. Subclasses choose which
 * channel callbacks they record in {@link #events} by implementing {@link #watch}.
 */
abstract class ChannelManagerFixture {

    record Sent(int sid, int ppid, byte[] payload, boolean unordered, int maxRexmit, long lifetime) {
        DcepMessage dcep() throws Exception {
            return DcepMessage.parse(ByteBuffer.wrap(payload));
        }
    }

    static final class FakeLink implements SctpLink {
        final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        /** Every resetStream call, in order. */
        final List<Integer> resets = Collections.synchronizedList(new ArrayList<>());
        /** Streams whose reset was requested and not yet performed ({@link #performReset}); send throws on them. */
        final java.util.Set<Integer> pendingResets = Collections.synchronizedSet(new java.util.LinkedHashSet<>());
        /** "send sid ppid" and "reset sid" in call order. */
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final Map<Integer, Long> thresholds = new HashMap<>();
        final Map<Integer, Long> buffered = new HashMap<>();
        long maxSize = 65536;
        /**
         * null: the link cannot tell which streams changed (the default of {@link SctpLink}); else
         * the streams {@link #pollBufferedAmountChanges} reports (and clears), and how many times
         * {@link #bufferedAmount} was read.
         */
        java.util.Set<Integer> changed;
        int bufferedReads;

        @Override
        public boolean pollBufferedAmountChanges(java.util.function.IntConsumer streamIds) {
            if (changed == null) {
                return false;
            }
            for (int sid : changed) {
                streamIds.accept(sid);
            }
            changed.clear();
            return true;
        }

        @Override
        public void send(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits, long lifetimeMs) {
            if (payload.length > maxSize) {
                throw new IllegalArgumentException("too big");
            }
            if (pendingResets.contains(streamId)) {
                throw new IllegalStateException("stream " + streamId + " is being reset");
            }
            sent.add(new Sent(streamId, ppid, payload, unordered, maxRetransmits, lifetimeMs));
            log.add("send " + streamId + " " + ppid);
            buffered.merge(streamId, (long) payload.length, Long::sum);
        }

        @Override
        public void resetStream(int streamId) {
            resets.add(streamId);
            pendingResets.add(streamId);
            log.add("reset " + streamId);
        }

        /** Like SCTP when the peer performed our reset request: the stream may be used again. */
        void performReset(ChannelManager mgr, int streamId) {
            pendingResets.remove(streamId);
            buffered.remove(streamId);
            mgr.onOutgoingStreamsReset(new int[] {streamId});
        }

        @Override
        public long bufferedAmount(int streamId) {
            bufferedReads++;
            return buffered.getOrDefault(streamId, 0L);
        }

        @Override
        public void setBufferedAmountLowThreshold(int streamId, long bytes) {
            thresholds.put(streamId, bytes);
        }
    }

    EventLoop loop;
    ChannelManager mgr;
    FakeLink link;
    /** What the watched channels reported, in callback order (see {@link #watch}). */
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUpLoopAndManager() {
        loop = new EventLoop("test-loop");
        mgr = new ChannelManager(loop);
        link = new FakeLink();
    }

    @AfterEach
    void tearDownLoop() throws Exception {
        if (!loop.isShutdown()) {
            onLoop(this::assertSendAccountingConsistent);
        }
        loop.shutdown();
        assertTrue(loop.awaitTermination(5000));
    }

    /**
     * Loop thread, with no send() in flight: the send budgets agree with their parts. The
     * connection's counter is what send() accepted and the loop has not handed to SCTP plus what
     * SCTP holds; each channel's (also a CLOSED one's) is its pending plus its SCTP part
     * less the DCEP bytes SCTP still holds; nothing is
     * left admitted once the loop has run every queued message.
     */
    void assertSendAccountingConsistent() {
        assertSendAccountingConsistent(mgr, created);
    }

    /**
     * {@link #assertSendAccountingConsistent()} for any manager: checks {@code channels} (closed
     * ones too) and every live channel of {@code mgr}; loop thread, no send() in flight.
     */
    static void assertSendAccountingConsistent(ChannelManager mgr,
            java.util.Collection<? extends DataChannel> channels) {
        assertEquals(0, mgr.admittedBytes(), "admitted bytes left with the loop idle");
        assertEquals(mgr.admittedBytes() + mgr.sctpBufferedTotal(), mgr.connectionBuffered(),
                "connection counter != admitted + SCTP total");
        java.util.Set<DataChannelImpl> all = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        synchronized (channels) {
            for (DataChannel c : channels) {
                all.add((DataChannelImpl) c);
            }
        }
        all.addAll(mgr.channels());
        for (DataChannelImpl ch : all) {
            assertEquals(0, ch.pendingBytes(), "pending bytes of \"" + ch.label() + "\" with the loop idle");
            assertEquals(ch.pendingBytes() + ch.sctpBuffered() - ch.dcepUnsent(), ch.bufferedCounter(),
                    "channel \"" + ch.label() + "\": counter != pending + SCTP part (DCEP bytes excluded)");
            assertTrue(ch.dcepUnsent() >= 0 && ch.dcepUnsent() <= ch.sctpBuffered(), ch.label());
        }
    }

    /** Every channel {@link #create} made, for {@link #assertSendAccountingConsistent}. */
    final List<DataChannelImpl> created = Collections.synchronizedList(new ArrayList<>());

    /** Registers the callbacks this test records in {@link #events} on a channel it created. */
    abstract void watch(DataChannel ch);

    /** Runs {@code r} on the event loop and waits for it. */
    void onLoop(Runnable r) {
        loop.call(() -> {
            r.run();
            return null;
        });
    }

    /** Creates a channel on the loop, {@link #watch watches} it, and lets the loop settle. */
    DataChannelImpl create(String label, DataChannelInit init) {
        DataChannelImpl ch = loop.call(() -> mgr.createChannel(label, init));
        created.add(ch);
        watch(ch);
        onLoop(() -> { });
        return ch;
    }

    /** Sets the DTLS role ({@code client} picks even stream ids), attaches {@link #link} and connects. */
    void connect(boolean client) {
        onLoop(() -> {
            mgr.setDtlsRole(client);
            mgr.attach(link);
            mgr.onConnected();
        });
    }

    /**
     * Creates channel {@code label} as the DTLS client (so it gets stream id 0), connects, closes it
     * locally and checks that it is now CLOSING with a reset requested for outgoing stream 0 only
     * (RFC 8831 §6.7: "Closing of a data channel MUST be signaled by resetting the corresponding
     * outgoing streams").
     */
    DataChannelImpl createConnectAndClose(String label) {
        DataChannelImpl ch = create(label, null);
        connect(true);
        ch.close();
        onLoop(() -> { });
        assertEquals(DataChannelState.CLOSING, ch.readyState());
        assertEquals(List.of(0), link.resets);
        return ch;
    }
}
