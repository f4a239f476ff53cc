package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.dcep.ChannelType;
import org.jdatachannel.dcep.DataChannelAck;
import org.jdatachannel.dcep.DataChannelOpen;
import org.jdatachannel.dcep.DcepMessage;
import org.jdatachannel.dcep.DcepParseException;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of DCEP (RFC 8832) parsing and of the {@link ChannelManager} driven by a
 * hostile peer and an arbitrary application.
 *
 * <p>Without {@code JAZZER_FUZZ} each target runs once per file of its checked-in corpus
 * ({@code src/test/resources/org/jdatachannel/internal/DcepFuzzTestInputs/<method>/}) in
 * {@code mvn test}; see the module's README.md (or docs/SECURITY.md) for real fuzzing.
 */
class DcepFuzzTest {

    /** One loop for every input of a run (a thread per input would dominate the run time). */
    private static final EventLoop LOOP = new EventLoop("dcep-fuzz-loop");

    @AfterAll
    static void stopLoop() throws InterruptedException {
        LOOP.shutdown();
        LOOP.awaitTermination(5000);
    }

    /**
     * Any bytes as a DCEP message: only {@link DcepParseException} escapes; whatever parses is the
     * canonical encoding of what it parsed to (serializing gives the input back byte for byte,
     * {@code serializedLength} agrees, parsing that gives an equal message).
     */
    @FuzzTest(maxDuration = "10m")
    void parse(byte[] data) throws DcepParseException {
        ByteBuffer in = ByteBuffer.wrap(data);
        DcepMessage m;
        try {
            m = DcepMessage.parse(in);
        } catch (DcepParseException e) {
            assertEquals(0, in.position(), "parse must not move the buffer");
            return;
        }
        assertEquals(0, in.position(), "parse must not move the buffer");
        byte[] out = m.toBytes();
        assertEquals(m.serializedLength(), out.length);
        assertArrayEquals(data, out, "a parsed message re-serializes to its input");
        assertEquals(m, DcepMessage.parse(ByteBuffer.wrap(out)));
        if (m instanceof DataChannelOpen o) {
            assertEquals(DataChannelOpen.HEADER_LENGTH + utf8(o.label()) + utf8(o.protocol()), data.length);
        } else {
            assertEquals(new DataChannelAck(), m);
        }
    }

    private static int utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /**
     * A connected manager (either DTLS role) fed a sequence of peer events (OPENs valid and not,
     * user messages of every PPID, stream resets, reset results, restart, close) and application
     * calls (create, close, send, handlers). After every step: no unchecked exception, every
     * channel's id is in 0..65534 and of the right parity (the peer's for channels it opened, ours
     * for ids we allocated), we ACKed only OPENs on the peer's parity, and the connection-wide
     * counters agree with the channels and stay within their limits.
     */
    @FuzzTest(maxDuration = "10m")
    void channelManager(FuzzedDataProvider data) {
        new Session(data).run();
    }

    /** One fuzz input's connection. */
    private static final class Session {
        final FuzzedDataProvider data;
        final ChannelManager mgr = new ChannelManager(LOOP);
        final ChannelManagerFixture.FakeLink link = new ChannelManagerFixture.FakeLink();
        /** Every channel we ever saw: created locally or announced by onDataChannel. */
        final List<DataChannelImpl> seen = new ArrayList<>();
        boolean client;
        /** Label + protocol cost of each peer channel, computed once (labels may be 64 KiB). */
        final java.util.Map<DataChannelImpl, Long> textCost = new java.util.IdentityHashMap<>();
        /** link.sent entries already checked. */
        int sentChecked;

        Session(FuzzedDataProvider data) {
            this.data = data;
        }

        void run() {
            client = data.consumeBoolean();
            link.maxSize = data.consumeBoolean() ? 65536 : 1 << 20;
            mgr.setOnDataChannel(ch -> seen.add((DataChannelImpl) ch));
            int early = data.consumeInt(0, 3);
            for (int i = 0; i < early; i++) {
                LOOP.call(() -> {
                    createLocal();
                    return null;
                });
            }
            LOOP.call(() -> {
                runOnLoop();
                return null;
            });
            // after the sends the session queued on the loop
            LOOP.call(() -> {
                ChannelManagerFixture.assertSendAccountingConsistent(mgr, seen);
                return null;
            });
        }

        /**
         * The whole session in one loop task; after each step the deferred callbacks run as they
         * would after a task of their own, then the invariants are checked.
         */
        private void runOnLoop() {
            mgr.setDtlsRole(client);
            mgr.attach(link);
            mgr.onConnected();
            LOOP.runDeferred();
            checkOnLoop();
            int steps = 0;
            while (data.remainingBytes() > 0 && steps++ < 200) {
                step(data.consumeInt(0, 11));
                LOOP.runDeferred();
                checkOnLoop();
            }
        }

        int sid() {
            return data.consumeInt(0, 9) < 8 ? data.consumeInt(0, 15) : data.consumeInt(-2, 70000);
        }

        String text() {
            int n = data.consumeInt(0, 31) == 0 ? data.consumeInt(0, 65535) : data.consumeInt(0, 8);
            return "x".repeat(n);
        }

        DataChannelImpl pick() {
            if (seen.isEmpty()) {
                return null;
            }
            return seen.get(data.consumeInt(0, seen.size() - 1));
        }

        void createLocal() {
            DataChannelInit init = new DataChannelInit();
            if (data.consumeBoolean()) {
                init.negotiated(true).id(sid());
            }
            if (data.consumeBoolean()) {
                init.ordered(false).maxRetransmits(data.consumeInt(0, 3));
            }
            try {
                seen.add(mgr.createChannel(text(), init));
            } catch (IllegalArgumentException | IllegalStateException expected) {
                // a bad or taken id, no free id: API errors with a message
            }
        }

        void step(int op) {
            switch (op) {
                case 0, 1 -> {
                    int sid = sid();
                    byte[] m;
                    if (data.consumeBoolean()) {
                        ChannelType[] types = ChannelType.values();
                        m = new DataChannelOpen(types[data.consumeInt(0, types.length - 1)], data.consumeInt(0, 0xffff),
                                data.consumeLong(0, 0xffffffffL), text(), text()).toBytes();
                    } else {
                        m = data.consumeBytes(data.consumeInt(0, 64));
                    }
                    mgr.onMessage(sid, ChannelManager.PPID_DCEP, m);
                }
                case 2, 3 -> {
                    int sid = sid();
                    int[] ppids = {50, 51, 52, 53, 54, 56, 57, 0, 99};
                    int ppid = ppids[data.consumeInt(0, ppids.length - 1)];
                    byte[] payload = data.consumeBoolean() ? new byte[data.consumeInt(0, 256 * 1024)]
                            : data.consumeBytes(data.consumeInt(0, 16));
                    int times = data.consumeInt(1, payload.length > 4096 ? 20 : 64);
                    for (int i = 0; i < times; i++) {
                        mgr.onMessage(sid, ppid, payload.clone());
                    }
                }
                case 4 -> mgr.onIncomingStreamsReset(new int[] {sid()});
                case 5 -> {
                    // SCTP performs our pending resets (one or all)
                    List<Integer> pending = new ArrayList<>(link.pendingResets);
                    boolean all = data.consumeBoolean();
                    for (int sid : pending) {
                        link.performReset(mgr, sid);
                        if (!all) {
                            break;
                        }
                    }
                }
                case 6 -> {
                    List<Integer> pending = new ArrayList<>(link.pendingResets);
                    if (!pending.isEmpty()) {
                        int sid = pending.get(data.consumeInt(0, pending.size() - 1));
                        link.pendingResets.remove(sid);
                        mgr.onStreamResetFailed(new int[] {sid});
                    }
                }
                case 7 -> createLocal();
                case 8 -> {
                    DataChannelImpl ch = pick();
                    if (ch != null) {
                        ch.close();
                    }
                }
                case 9 -> {
                    DataChannelImpl ch = pick();
                    if (ch != null) {
                        if (data.consumeBoolean()) {
                            ch.onMessage(m -> { });
                        } else {
                            ch.onMessage(null);
                        }
                    }
                }
                case 10 -> {
                    DataChannelImpl ch = pick();
                    if (ch != null) {
                        try {
                            ch.send(text());
                        } catch (IllegalStateException | IllegalArgumentException expected) {
                            // not OPEN, or too large for the peer
                        }
                    }
                }
                default -> {
                    if (data.consumeInt(0, 3) == 0) {
                        mgr.onClosed();
                    } else {
                        mgr.onRestarted();
                    }
                }
            }
        }

        private void checkOnLoop() {
            ChannelManager.Counters c = mgr.counters();
            int peerChannels = 0;
            long peerText = 0;
            long unhandled = 0;
            for (DataChannelImpl ch : seen) {
                unhandled += ch.unhandledBytes();
                Integer id = ch.id();
                if (ch.readyState() == DataChannelState.CLOSED) {
                    assertEquals(0, ch.unhandledBytes(), "a CLOSED channel keeps no unhandled messages");
                    continue;
                }
                if (id == null) {
                    continue;
                }
                assertTrue(id >= 0 && id <= ChannelManager.MAX_STREAM_ID, "id " + id);
                boolean even = id % 2 == 0;
                if (!ch.locallyOpened) {
                    assertEquals(!client, even, "peer-opened channel on id " + id + " (we are "
                            + (client ? "client" : "server") + ")");
                    peerChannels++;
                    peerText += textCost.computeIfAbsent(ch,
                            k -> (long) utf8(k.label()) + utf8(k.protocol()) + ChannelManager.PEER_CHANNEL_OVERHEAD);
                } else if (!ch.negotiated()) {
                    assertEquals(client, even, "id " + id + " we allocated");
                }
            }
            assertEquals(peerChannels, c.peerChannels());
            assertEquals(peerText, c.peerChannelTextBytes());
            assertEquals(unhandled, c.unhandledBytes());
            assertTrue(c.peerChannels() <= ChannelManager.MAX_PEER_CHANNELS);
            assertTrue(c.peerChannelTextBytes() <= ChannelManager.MAX_PEER_CHANNEL_TEXT_BYTES);
            assertTrue(c.unhandledBytes() <= ChannelManager.MAX_CONNECTION_UNHANDLED_BYTES);
            assertTrue(c.heldBytes() <= ChannelManager.MAX_HELD_BYTES);
            for (; sentChecked < link.sent.size(); sentChecked++) {
                ChannelManagerFixture.Sent s = link.sent.get(sentChecked);
                if (s.ppid() == ChannelManager.PPID_DCEP && s.payload().length == 1) {
                    // RFC 8832 §6: an ACK only for an OPEN on the peer's parity
                    assertEquals(!client, s.sid() % 2 == 0, "ACK on stream " + s.sid());
                } else if (s.ppid() == ChannelManager.PPID_DCEP) {
                    assertEquals(client, s.sid() % 2 == 0, "our OPEN on stream " + s.sid());
                }
            }
        }
    }
}
