package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.dcep.ChannelType;
import org.jdatachannel.dcep.DataChannelAck;
import org.jdatachannel.dcep.DataChannelOpen;
import org.junit.jupiter.api.Test;

/**
 * DCEP (RFC 8832) from a hostile peer, fed to a connected {@link ChannelManager} as SCTP messages
 * with PPID 50: nothing escapes as an exception, nothing is ACKed that must not be, the stream is
 * reset where RFC 8832 §6 says so, the counters say what was refused, and afterwards a valid OPEN
 * from the same peer still opens a channel that carries data. We are the DTLS client (even ids),
 * so the peer's ids are odd.
 */
class DcepHostileInputTest extends ChannelManagerFixture {

    /** Channels the peer opened, in onDataChannel order. */
    private final List<DataChannel> announced = Collections.synchronizedList(new ArrayList<>());

    @Override
    void watch(DataChannel ch) {
    }

    private void connectAsClient() {
        mgr.setOnDataChannel(ch -> {
            announced.add(ch);
            String label = ch.label();
            ch.onMessage(m -> events.add("msg " + label + " " + m.text()));
        });
        connect(true);
    }

    private void feed(int sid, int ppid, byte[] payload) {
        onLoop(() -> mgr.onMessage(sid, ppid, payload));
    }

    private static byte[] open(String label, String protocol) {
        return new DataChannelOpen(ChannelType.RELIABLE, DataChannelOpen.PRIORITY_NORMAL, 0, label, protocol).toBytes();
    }

    private ChannelManager.Counters counters() {
        return loop.call(mgr::counters);
    }

    /**
     * The end of every test: a valid OPEN on an unused odd stream is ACKed on that stream and
     * announced, and a message on it is delivered.
     */
    private void dataStillFlows(int sid) throws Exception {
        int sentBefore = link.sent.size();
        int announcedBefore = announced.size();
        feed(sid, ChannelManager.PPID_DCEP, open("after-" + sid, ""));
        assertEquals(sentBefore + 1, link.sent.size(), "one DATA_CHANNEL_ACK for the valid OPEN");
        Sent ack = link.sent.get(sentBefore);
        assertEquals(sid, ack.sid());
        assertInstanceOf(DataChannelAck.class, ack.dcep());
        assertEquals(announcedBefore + 1, announced.size());
        DataChannel ch = announced.get(announcedBefore);
        assertEquals(DataChannelState.OPEN, ch.readyState());
        feed(sid, ChannelManager.PPID_STRING, "still flowing".getBytes(StandardCharsets.UTF_8));
        assertTrue(events.contains("msg after-" + sid + " still flowing"), events.toString());
    }

    @Test
    void openOnOurParityIsResetAndNeverAcked() throws Exception {
        connectAsClient();
        for (int sid : new int[] {0, 2, 4, 65534}) {
            feed(sid, ChannelManager.PPID_DCEP, open("wrong parity", ""));
        }
        // RFC 8832 §6: "the receiver MUST close the corresponding data channel ... and MUST NOT
        // send a DATA_CHANNEL_ACK message"
        assertTrue(link.sent.isEmpty());
        assertEquals(List.of(0, 2, 4, 65534), link.resets);
        assertTrue(announced.isEmpty());
        assertEquals(4, counters().opensRefusedForStream());
        // The same OPEN again while the reset is pending: no second reset, still no ACK.
        feed(2, ChannelManager.PPID_DCEP, open("again", ""));
        assertEquals(4, link.resets.size());
        assertTrue(link.sent.isEmpty());
        dataStillFlows(1);
    }

    @Test
    void labelLengthThatLiesIsDropped() throws Exception {
        connectAsClient();
        // label_len 65535 in a 20-byte message: the lengths disagree with the size.
        ByteBuffer b = ByteBuffer.allocate(20);
        b.put((byte) 3).put((byte) 0).putShort((short) 256).putInt(0).putShort((short) 0xffff).putShort((short) 0)
                .put("abcdefgh".getBytes(StandardCharsets.US_ASCII));
        feed(1, ChannelManager.PPID_DCEP, b.array());
        // protocol_len 65535 with nothing after the header; both lengths 65535 and 8 bytes.
        ByteBuffer c = ByteBuffer.allocate(12);
        c.put((byte) 3).put((byte) 0).putShort((short) 256).putInt(0).putShort((short) 0).putShort((short) 0xffff);
        feed(3, ChannelManager.PPID_DCEP, c.array());
        ByteBuffer d = ByteBuffer.allocate(20);
        d.put((byte) 3).put((byte) 0).putShort((short) 256).putInt(0).putShort((short) 0xffff).putShort((short) 0xffff);
        feed(5, ChannelManager.PPID_DCEP, d.array());
        // lengths that sum to less than the message (trailing bytes)
        byte[] valid = open("x", "");
        byte[] trailing = java.util.Arrays.copyOf(valid, valid.length + 5);
        feed(7, ChannelManager.PPID_DCEP, trailing);
        // a label that is not UTF-8
        ByteBuffer e = ByteBuffer.allocate(14);
        e.put((byte) 3).put((byte) 0).putShort((short) 256).putInt(0).putShort((short) 2).putShort((short) 0)
                .put((byte) 0xc3).put((byte) 0x28);
        feed(9, ChannelManager.PPID_DCEP, e.array());
        assertTrue(link.sent.isEmpty(), "nothing ACKed");
        assertTrue(link.resets.isEmpty(), "no channel, so nothing to close");
        assertTrue(announced.isEmpty());
        assertEquals(5, counters().dcepMalformed());
        dataStillFlows(1);
    }

    @Test
    void largestLabelAndProtocolAreAcceptedAndBounded() throws Exception {
        connectAsClient();
        String label = "L".repeat(65535);
        String protocol = "\u00e9".repeat(32767) + "p"; // 65535 UTF-8 bytes
        byte[] max = open(label, protocol);
        assertEquals(12 + 65535 + 65535, max.length);
        feed(1, ChannelManager.PPID_DCEP, max);
        assertEquals(1, announced.size());
        assertEquals(label, announced.get(0).label());
        assertEquals(protocol, announced.get(0).protocol());
        long perChannel = 65535 + 65535 + ChannelManager.PEER_CHANNEL_OVERHEAD;
        assertEquals(perChannel, counters().peerChannelTextBytes());
        // Such OPENs until the connection's label/protocol budget is used up; the rest are reset.
        int fit = (int) (ChannelManager.MAX_PEER_CHANNEL_TEXT_BYTES / perChannel);
        for (int i = 1; i < fit + 5; i++) {
            feed(1 + 2 * i, ChannelManager.PPID_DCEP, max);
        }
        assertEquals(fit, announced.size());
        ChannelManager.Counters c = counters();
        assertTrue(c.peerChannelTextBytes() <= ChannelManager.MAX_PEER_CHANNEL_TEXT_BYTES, c.toString());
        assertEquals(5, c.opensRefusedForLimits());
        assertEquals(5, link.resets.size(), "every refused OPEN's stream is reset (RFC 8832 §6)");
        // A small channel still fits in what is left; another largest one only after the peer
        // closed one of them.
        feed(1001, ChannelManager.PPID_DCEP, open("small", ""));
        assertEquals(fit + 1, announced.size());
        feed(1003, ChannelManager.PPID_DCEP, max);
        assertEquals(fit + 1, announced.size());
        assertEquals(6, counters().opensRefusedForLimits());
        onLoop(() -> {
            mgr.onIncomingStreamsReset(new int[] {1});
            link.performReset(mgr, 1);
        });
        assertEquals(DataChannelState.CLOSED, announced.get(0).readyState());
        assertEquals((fit - 1) * perChannel + 5 + ChannelManager.PEER_CHANNEL_OVERHEAD,
                counters().peerChannelTextBytes());
        feed(1005, ChannelManager.PPID_DCEP, max);
        assertEquals(fit + 2, announced.size());
        dataStillFlows(2001);
    }

    @Test
    void unknownMessageTypesAndStrayAcksAreIgnored() throws Exception {
        connectAsClient();
        int malformed = 0;
        for (int type = 0; type < 256; type++) {
            if (type == 2 || type == 3) {
                continue;
            }
            // the type byte followed by what would be a valid OPEN body
            byte[] m = open("t", "");
            m[0] = (byte) type;
            feed(1, ChannelManager.PPID_DCEP, m);
            feed(3, ChannelManager.PPID_DCEP, new byte[] {(byte) type});
            malformed += 2;
        }
        feed(5, ChannelManager.PPID_DCEP, new byte[0]);
        malformed++;
        // ACKs on streams without a channel, on our parity, with trailing bytes
        feed(7, ChannelManager.PPID_DCEP, new DataChannelAck().toBytes());
        feed(0, ChannelManager.PPID_DCEP, new DataChannelAck().toBytes());
        feed(9, ChannelManager.PPID_DCEP, new byte[] {2, 0});
        malformed++;
        // an OPEN with an unknown channel type
        byte[] badType = open("t", "");
        badType[1] = 0x7f;
        feed(11, ChannelManager.PPID_DCEP, badType);
        malformed++;
        assertTrue(link.sent.isEmpty());
        assertTrue(link.resets.isEmpty());
        assertTrue(announced.isEmpty());
        assertEquals(malformed, counters().dcepMalformed());
        dataStillFlows(1);
    }

    @Test
    void openOnStreamIdsBeyondTheUsableRangeIsDropped() throws Exception {
        connectAsClient();
        // 65535 is reserved (W3C; SCTP negotiates at most 65535 streams, ids 0..65534); larger
        // values cannot come from SCTP's 16-bit field but must not break the manager either.
        for (int sid : new int[] {65535, 65536, 70001, Integer.MAX_VALUE, -1}) {
            feed(sid, ChannelManager.PPID_DCEP, open("beyond", ""));
            feed(sid, ChannelManager.PPID_STRING, new byte[] {1});
        }
        assertTrue(link.sent.isEmpty());
        assertTrue(link.resets.isEmpty(), "there is no such stream of ours to reset");
        assertTrue(announced.isEmpty());
        assertEquals(5, counters().opensRefusedForStream());
        dataStillFlows(65533);
    }

    @Test
    void openBeforeTheRoleIsKnownAndAfterCloseIsHarmless() throws Exception {
        // Before the DTLS role is known the odd/even rule cannot be checked: the OPEN must not open
        // a channel on what may become our own id. (SCTP runs over DTLS, so this guards the order.)
        mgr.setOnDataChannel(announced::add);
        onLoop(() -> mgr.attach(link));
        feed(0, ChannelManager.PPID_DCEP, open("early", ""));
        assertTrue(announced.isEmpty());
        assertTrue(link.sent.isEmpty());
        connectAsClient();
        dataStillFlows(3);
        onLoop(mgr::onClosed);
        feed(5, ChannelManager.PPID_DCEP, open("late", ""));
        assertEquals(1, announced.size(), "nothing opens after the association closed");
        assertEquals(0, counters().peerChannels());
    }
}
