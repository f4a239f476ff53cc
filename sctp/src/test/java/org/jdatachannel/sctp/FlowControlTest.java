package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/** Receiver window flow control (RFC 9260 §6.1 A, §6.2, §6.2.1) between two associations. */
class FlowControlTest {

    static List<Chunk> chunks(byte[] packet) {
        return ShutdownAndPartialReliabilityTest.chunks(packet);
    }

    static byte[] payload(int n, int seed) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (seed + i * 13);
        }
        return p;
    }

    @Test
    void theSenderRespectsThePeersWindowAndTheReceiverUpdatesItAtOnceWhenItReopens() {
        SctpOptions small = SctpOptions.builder().receiveWindow(5000).maxReceiveMessageSize(5000).build();
        NetSim sim = new NetSim(501, SctpOptions.defaults(), small);
        assertTrue(sim.connect(false));
        List<long[]> bSacks = new ArrayList<>(); // time, a_rwnd
        List<Long> aData = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            for (Chunk c : chunks(bytes)) {
                if (p == sim.b && c instanceof SackChunk s) {
                    bSacks.add(new long[] {sim.now, Integer.toUnsignedLong(s.aRwnd())});
                }
                if (p == sim.a && c instanceof DataChunk d) {
                    aData.add(sim.now);
                    assertTrue(!d.immediateAck() || d.payload().length != 359, "no I bit while more is queued");
                }
            }
            return false;
        };
        long t0 = sim.now;
        byte[] zeroth = payload(100, 0);
        byte[] first = payload(4999, 1); // 1160 * 4 + 359: B's whole window
        byte[] second = payload(800, 2);
        sim.a.assoc.send(0, 51, zeroth, SendOptions.RELIABLE_ORDERED, t0);
        sim.a.assoc.send(0, 51, first, SendOptions.RELIABLE_ORDERED, t0);
        sim.drain();
        assertEquals(5, aData.size(), "§6.1 A: 100 + 4 * 1160 bytes; the last 359 exceed the 260 left");
        sim.a.assoc.send(0, 51, second, SendOptions.RELIABLE_ORDERED, t0);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 3, t0 + 5000));
        assertArrayEquals(first, sim.b.messages.get(1).payload());
        assertArrayEquals(second, sim.b.messages.get(2).payload());
        // after the 4th fragment B offered 360 bytes; the 5th (359 bytes, no I bit: the second message
        // was queued) completed the message and freed the whole window: B sent a window update SACK at
        // once (§6.2), although the SACK for a single packet may be delayed up to 200 ms
        long lastFragmentAt = aData.get(5);
        long[] update = bSacks.stream().filter(x -> x[0] >= lastFragmentAt).findFirst().get();
        assertEquals(5000, update[1]);
        assertEquals(lastFragmentAt + 10, update[0], "window update sent on arrival, not 200 ms later");
    }

    @Test
    void zeroWindowProbesBackOffAndDoNotCountAsErrorsWhileSacksArrive() throws Exception {
        SctpOptions o = SctpOptions.builder().maxRetransmits(3).maxRtoMs(4000).build();
        NetSim sim = new NetSim(502, o, o);
        assertTrue(sim.connect(false));
        List<byte[]> fromB = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.b) {
                fromB.add(bytes);
            }
            return false;
        };
        sim.a.assoc.send(0, 51, payload(100, 3), SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 1 && !sim.a.assoc.outstandingData().hasOutstanding(),
                sim.now + 1000));
        SctpPacket template = SctpPacket.parse(ByteBuffer.wrap(fromB.get(fromB.size() - 1)));
        SackChunk last = (SackChunk) template.chunks().stream().filter(c -> c instanceof SackChunk).findFirst().get();
        // from now on B is a receiver with a closed window: it drops DATA and answers with a SACK
        // advertising 0 (simulated by hand: B's real packets and A's DATA are dropped)
        List<Long> probes = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && chunks(bytes).stream().anyMatch(c -> c instanceof DataChunk)) {
                probes.add(sim.now);
                return true;
            }
            return p == sim.b;
        };
        byte[] zeroWindowSack = new SctpPacket(template.sourcePort(), template.destinationPort(),
                template.verificationTag().value(), List.of(new SackChunk(last.cumulativeTsnAck().value(), 0, List.of(),
                        new int[0]))).serialize();
        sim.a.assoc.handleInput(ByteBuffer.wrap(zeroWindowSack), sim.now);
        long cwnd = sim.a.assoc.outstandingData().cwnd();
        sim.a.assoc.send(0, 51, payload(1000, 4), SendOptions.RELIABLE_ORDERED, sim.now);
        sim.drain();
        assertEquals(1, probes.size(), "§6.1 A: one chunk may be in flight regardless of rwnd");
        for (int i = 1; i <= 6; i++) {
            int want = i + 1;
            assertTrue(sim.runUntil(() -> probes.size() == want, sim.now + 10_000), "probe " + want);
            // the receiver answers every probe with a SACK that does not acknowledge it
            sim.a.assoc.handleInput(ByteBuffer.wrap(zeroWindowSack), sim.now);
        }
        List<Long> intervals = new ArrayList<>();
        for (int i = 1; i < probes.size(); i++) {
            intervals.add(probes.get(i) - probes.get(i - 1));
        }
        // RTO 400 ms (RTO.Min, measured 20 ms RTT), doubled per expiry up to RTO.Max 4 s
        assertEquals(List.of(400L, 800L, 1600L, 3200L, 4000L, 4000L), intervals);
        assertNull(sim.a.closed, "6 expiries > Association.Max.Retrans 3, but SACKs kept arriving");
        assertEquals(cwnd, sim.a.assoc.outstandingData().cwnd(), "§6.1 A: probing does not affect cwnd");
        // the window opens: the next probe gets through
        sim.dropFilter = (p, bytes) -> false;
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 2, sim.now + 10_000));
        assertArrayEquals(payload(1000, 4), sim.b.messages.get(1).payload());
    }
}
