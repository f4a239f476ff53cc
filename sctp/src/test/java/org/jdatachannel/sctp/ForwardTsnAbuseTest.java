package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/**
 * Crafted FORWARD TSN / I-FORWARD-TSN chunks against an established association (review of issue 3):
 * entries for streams beyond the negotiated inbound streams create no state (RFC 9260 §6.5 discards
 * DATA on them, so there is nothing to skip), and entries repeated thousands of times on one stream
 * leave one stream's state. The CPU side (cost independent of the SSN distance) is
 * {@code rx.ForwardTsnCostTest}.
 */
class ForwardTsnAbuseTest {
    private static final int INBOUND = 16;

    /** A pair where B accepts {@value #INBOUND} inbound streams; returns the sim and A's next TSN. */
    private static NetSim pair(boolean interleaving, List<byte[]> aToB) {
        SctpOptions.Builder a = SctpOptions.builder().maxSendMessageSize(262144).maxReceiveMessageSize(262144)
                .enableMessageInterleaving(interleaving);
        SctpOptions.Builder b = SctpOptions.builder().maxSendMessageSize(262144).maxReceiveMessageSize(262144)
                .enableMessageInterleaving(interleaving).inboundStreams(INBOUND);
        NetSim sim = new NetSim(7, a.build(), b.build());
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a) {
                aToB.add(bytes);
            }
            return false;
        };
        assertTrue(sim.connect(false));
        sim.a.assoc.send(1, 51, "x".getBytes(), SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 1, sim.now + 5000));
        sim.runFor(1000);
        return sim;
    }

    private static int lastDataTsn(List<byte[]> aToB) throws Exception {
        int tsn = 0;
        for (byte[] p : aToB) {
            for (Chunk c : SctpPacket.parse(ByteBuffer.wrap(p)).chunks()) {
                if (c instanceof DataChunk d) {
                    tsn = d.tsn().value();
                } else if (c instanceof IDataChunk d) {
                    tsn = d.tsn().value();
                }
            }
        }
        return tsn;
    }

    private static void feedB(NetSim sim, List<byte[]> aToB, Chunk chunk) {
        int tagOfB = ByteBuffer.wrap(aToB.get(aToB.size() - 1)).getInt(4);
        byte[] p = new SctpPacket(5000, 5000, tagOfB, List.of(chunk)).serialize();
        sim.b.assoc.handleInput(ByteBuffer.wrap(p), sim.now);
        while (sim.b.assoc.pollOutput() != null) {
            // drained
        }
    }

    @Test
    void forwardTsnEntriesForUnknownStreamsCreateNoState() throws Exception {
        List<byte[]> aToB = new ArrayList<>();
        NetSim sim = pair(false, aToB);
        int next = lastDataTsn(aToB) + 1;
        int before = sim.b.assoc.receiveStreamStates();
        List<ForwardTsnChunk.SkippedStream> sk = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            sk.add(new ForwardTsnChunk.SkippedStream(INBOUND + i * 21 % (65536 - INBOUND), i % 2 == 0 ? 32767 : 65535));
            sk.add(new ForwardTsnChunk.SkippedStream(5, i % 2 == 0 ? 32767 : 65535));
        }
        for (int round = 0; round < 3; round++) {
            feedB(sim, aToB, new ForwardTsnChunk(next + round, sk));
        }
        assertEquals(AssociationState.ESTABLISHED, sim.b.assoc.state());
        assertTrue(sim.b.assoc.receiveStreamStates() <= before + 1,
                "stream states " + before + " -> " + sim.b.assoc.receiveStreamStates());
        assertEquals(0, sim.b.assoc.internalErrorCount());
        assertEquals(0, AssociationProbe.footprint(sim.b.assoc).reassemblyEntries());
    }

    @Test
    void iForwardTsnEntriesForUnknownStreamsCreateNoState() throws Exception {
        List<byte[]> aToB = new ArrayList<>();
        NetSim sim = pair(true, aToB);
        int next = lastDataTsn(aToB) + 1;
        int before = sim.b.assoc.receiveStreamStates();
        List<IForwardTsnChunk.SkippedMessage> sk = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            sk.add(new IForwardTsnChunk.SkippedMessage(INBOUND + i * 29 % (65536 - INBOUND), i % 3 == 0, i));
        }
        feedB(sim, aToB, new IForwardTsnChunk(next, sk));
        assertEquals(AssociationState.ESTABLISHED, sim.b.assoc.state());
        assertEquals(before, sim.b.assoc.receiveStreamStates());
        assertEquals(0, sim.b.assoc.internalErrorCount());
    }
}
