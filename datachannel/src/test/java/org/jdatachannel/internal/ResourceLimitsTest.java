package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Connection-wide resource bounds of the channel manager against a peer that opens channels
 * without end or sends to an application that never reads. Asserts the accounting counters (what
 * the manager keeps), not the heap. The same over a real connection: {@code
 * org.jdatachannel.ResourceLimitsLoopbackTest}. We are the DTLS client; the peer's ids are odd.
 */
class ResourceLimitsTest extends ChannelManagerFixture {

    private final List<DataChannel> announced = Collections.synchronizedList(new ArrayList<>());

    @Override
    void watch(DataChannel ch) {
    }

    private ChannelManager.Counters counters() {
        return loop.call(mgr::counters);
    }

    private static byte[] open(String label) {
        return new DataChannelOpen(ChannelType.RELIABLE, DataChannelOpen.PRIORITY_NORMAL, 0, label, "").toBytes();
    }

    private long acks() {
        synchronized (link.sent) {
            return link.sent.stream().filter(s -> s.ppid() == ChannelManager.PPID_DCEP && s.payload().length == 1).count();
        }
    }

    @Test
    void aPeerOpeningFortyThousandChannelsGetsAtMostTheLimit() throws Exception {
        mgr.setOnDataChannel(announced::add);
        connect(true);
        // Every odd id (32,767 of them), then 7,233 more OPENs on ids already refused, on our
        // parity and beyond 65534: 40,000 OPENs in all, in batches so that the loop stays responsive.
        List<Integer> ids = new ArrayList<>();
        for (int sid = 1; sid <= ChannelManager.MAX_STREAM_ID; sid += 2) {
            ids.add(sid);
        }
        for (int i = 0; ids.size() < 40_000; i++) {
            ids.add(switch (i % 3) {
                case 0 -> 2 * (ChannelManager.MAX_PEER_CHANNELS + i % 28_000) + 1; // refused before, reset pending
                case 1 -> 2 * (i % 32_000); // our parity
                default -> 65_535;
            });
        }
        assertEquals(40_000, ids.size());
        for (int from = 0; from < ids.size(); from += 1000) {
            List<Integer> batch = ids.subList(from, Math.min(ids.size(), from + 1000));
            onLoop(() -> {
                for (int sid : batch) {
                    mgr.onMessage(sid, ChannelManager.PPID_DCEP, open("c" + sid));
                }
            });
        }
        ChannelManager.Counters c = counters();
        assertEquals(ChannelManager.MAX_PEER_CHANNELS, c.peerChannels(), c.toString());
        assertEquals(ChannelManager.MAX_PEER_CHANNELS, announced.size());
        assertEquals(ChannelManager.MAX_PEER_CHANNELS, acks(), "an ACK only for each accepted OPEN");
        assertEquals(32_767 - ChannelManager.MAX_PEER_CHANNELS, c.opensRefusedForLimits());
        assertTrue(c.peerChannelTextBytes() <= ChannelManager.MAX_PEER_CHANNEL_TEXT_BYTES);
        // Every refused id is reset once (RFC 8832 §6), and stays reserved until both directions
        // are reset: the orphan table is bounded by the 65,535 stream ids, not by the OPEN count.
        assertEquals(link.resets.size(), c.orphanResets(), c.toString());
        assertEquals(link.resets.size(), new java.util.HashSet<>(link.resets).size(), "no stream reset twice");
        // The accepted channels work, and closing some makes room for new ones.
        DataChannel first = announced.get(0);
        assertEquals(DataChannelState.OPEN, first.readyState());
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        first.onMessage(m -> got.add(m.text()));
        onLoop(() -> mgr.onMessage(first.id(), ChannelManager.PPID_STRING, "hi".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("hi"), got);
        onLoop(() -> {
            for (int i = 0; i < 10; i++) {
                int sid = announced.get(i).id();
                mgr.onIncomingStreamsReset(new int[] {sid});
                link.performReset(mgr, sid);
            }
        });
        assertEquals(ChannelManager.MAX_PEER_CHANNELS - 10, counters().peerChannels());
        // the peer completes one refused stream's reset (both directions): its id is usable again
        int refused = link.resets.get(0);
        onLoop(() -> {
            link.performReset(mgr, refused);
            mgr.onIncomingStreamsReset(new int[] {refused});
        });
        long acksBefore = acks();
        onLoop(() -> mgr.onMessage(refused, ChannelManager.PPID_DCEP, open("again")));
        assertEquals(acksBefore + 1, acks());
        assertEquals(ChannelManager.MAX_PEER_CHANNELS - 9, counters().peerChannels());
        // connection close releases everything
        onLoop(mgr::onClosed);
        assertEquals(0, counters().peerChannels());
        assertEquals(0, counters().peerChannelTextBytes());
    }

    @Test
    void aReceiverThatNeverReadsKeepsBoundedQueues() throws Exception {
        // no onDataChannel handler at all: the application never learns of the channels
        connect(true);
        List<DataChannelImpl> chans = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int sid = 2 * i + 1;
            onLoop(() -> mgr.onMessage(sid, ChannelManager.PPID_DCEP, open("quiet" + sid)));
            chans.add(loop.call(() -> (DataChannelImpl) mgr.channels().stream()
                    .filter(ch -> ch.id() == sid).findFirst().orElseThrow()));
        }
        // one channel flooded with empty messages (one zero byte, PPID 57) first: the count bound
        int sid = chans.get(7).id();
        onLoop(() -> {
            for (int i = 0; i < 5000; i++) {
                mgr.onMessage(sid, ChannelManager.PPID_BINARY_EMPTY, new byte[1]);
            }
        });
        assertEquals(DataChannelImpl.MAX_UNHANDLED_MESSAGES, loop.call(chans.get(7)::unhandledCount));
        byte[] chunk = new byte[8 * 1024];
        // 8 channels x 1000 messages of 8 KiB = 62.5 MiB offered
        for (int round = 0; round < 1000; round++) {
            onLoop(() -> {
                for (DataChannelImpl ch : chans) {
                    mgr.onMessage(ch.id(), ChannelManager.PPID_BINARY, chunk.clone());
                }
            });
        }
        ChannelManager.Counters c = counters();
        assertTrue(c.unhandledBytes() <= ChannelManager.MAX_CONNECTION_UNHANDLED_BYTES, c.toString());
        assertTrue(c.unhandledBytes() > ChannelManager.MAX_CONNECTION_UNHANDLED_BYTES - 9 * 1024,
                "the budget is used, not refused early: " + c);
        long sum = 0;
        long keptMessages = 0;
        for (DataChannelImpl ch : chans) {
            long n = loop.call(ch::unhandledCount);
            long b = loop.call(ch::unhandledBytes);
            assertTrue(n <= DataChannelImpl.MAX_UNHANDLED_MESSAGES, ch + " keeps " + n);
            assertTrue(b <= DataChannelImpl.MAX_UNHANDLED_BYTES, ch + " keeps " + b + " bytes");
            sum += b;
            keptMessages += n;
        }
        assertEquals(5000 + 8000 - keptMessages, c.unhandledDropped(), "every message not kept is counted as dropped");
        assertEquals(c.unhandledBytes(), sum, "the connection total is the channels' sum");
        // A handler installed late gets what was kept, in order, and gives the budget back.
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        DataChannelImpl reader = chans.get(0);
        long kept = loop.call(reader::unhandledCount);
        assertTrue(kept > 0);
        reader.onMessage(m -> sizes.add(m.size()));
        onLoop(() -> { });
        assertEquals(kept, sizes.size());
        assertTrue(sizes.stream().allMatch(s -> s == 8 * 1024));
        assertEquals(sum - kept * (8 * 1024 + DataChannelImpl.UNHANDLED_OVERHEAD),
                counters().unhandledBytes());
        // Channels that close with messages nobody took drop them: the budget is free again.
        onLoop(() -> {
            for (DataChannelImpl ch : chans) {
                mgr.onIncomingStreamsReset(new int[] {ch.id()});
                link.performReset(mgr, ch.id());
            }
        });
        for (DataChannelImpl ch : chans) {
            assertEquals(DataChannelState.CLOSED, ch.readyState());
            assertEquals(0, loop.call(ch::unhandledCount));
        }
        assertEquals(0, counters().unhandledBytes());
        // and a new channel receives again
        onLoop(() -> mgr.onMessage(101, ChannelManager.PPID_DCEP, open("fresh")));
        DataChannelImpl fresh = loop.call(() -> (DataChannelImpl) mgr.channels().stream()
                .filter(ch -> ch.id() == 101).findFirst().orElseThrow());
        onLoop(() -> mgr.onMessage(101, ChannelManager.PPID_BINARY, chunk.clone()));
        assertEquals(1, loop.call(fresh::unhandledCount));
        assertTrue(link.sent.stream().filter(s -> s.sid() == 101).anyMatch(s -> {
            try {
                return s.dcep() instanceof DataChannelAck;
            } catch (Exception e) {
                return false;
            }
        }));
    }
}
