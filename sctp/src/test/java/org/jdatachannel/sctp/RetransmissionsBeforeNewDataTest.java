package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/**
 * RFC 9260 §6.1 C: "... the sender MUST first transmit any outstanding DATA chunks that are marked
 * for retransmission (limited by the current cwnd)" before new data. After a T3-rtx expiry that
 * marks a whole lost flight, the packets that follow carry only retransmissions until every marked
 * chunk went again (before the fix, new data went beside them whenever bytesInFlight &lt; cwnd, even
 * in the first packet after T3). New data beside waiting retransmissions must pass the same window
 * test as they do (bytesInFlight + size &lt;= cwnd); with equal-size chunks, as here, that means none.
 */
class RetransmissionsBeforeNewDataTest {
    private static List<DataChunk> data(byte[] packet) {
        List<DataChunk> l = new ArrayList<>();
        try {
            for (Chunk c : SctpPacket.parse(ByteBuffer.wrap(packet)).chunks()) {
                if (c instanceof DataChunk d) {
                    l.add(d);
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return l;
    }

    @Test
    void afterT3OnlyRetransmissionsUntilNoneArePending() {
        NetSim sim = new NetSim(11, DataTransferTest.opts(), DataTransferTest.opts());
        assertTrue(sim.connect(false));
        Set<Integer> lostFlight = new LinkedHashSet<>();
        List<Integer> afterT3 = new ArrayList<>();
        boolean[] retransmitting = {false};
        sim.dropFilter = (p, bytes) -> {
            if (p != sim.a) {
                return false;
            }
            List<DataChunk> ds = data(bytes);
            if (ds.isEmpty()) {
                return false;
            }
            if (!retransmitting[0] && lostFlight.contains(ds.get(0).tsn().value())) {
                retransmitting[0] = true; // the first T3-rtx retransmission
            }
            if (!retransmitting[0]) {
                ds.forEach(d -> lostFlight.add(d.tsn().value()));
                return true; // the whole first flight is lost
            }
            ds.forEach(d -> afterT3.add(d.tsn().value()));
            return false;
        };
        // 1000-byte messages (one chunk each), more than a window's worth
        for (int i = 0; i < 60; i++) {
            sim.a.assoc.send(1, 53, new byte[1000], SendOptions.RELIABLE_ORDERED, sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 60, sim.now + 30_000), sim.stats());
        assertTrue(lostFlight.size() >= 4, "lost flight " + lostFlight);
        // every TSN of the lost flight is sent again before any new TSN
        Set<Integer> missing = new LinkedHashSet<>(lostFlight);
        for (int tsn : afterT3) {
            if (!lostFlight.contains(tsn)) {
                assertTrue(missing.isEmpty(), "new TSN " + tsn + " sent while " + missing
                        + " still waited for retransmission; sent after T3: " + afterT3);
            }
            missing.remove(tsn);
        }
        assertEquals(Set.of(), missing);
    }
}
