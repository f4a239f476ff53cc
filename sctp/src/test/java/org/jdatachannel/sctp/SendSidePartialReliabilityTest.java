package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Send-side partial reliability (RFC 3758, RFC 8831 §6.6 maxRetransmits / maxPacketLifeTime) on the
 * seeded simulator: expiry before the first transmission, abandoning fragmented messages whole,
 * FORWARD TSN bundling and retransmission.
 */
class SendSidePartialReliabilityTest {
    private static final Logger LOG = LoggerFactory.getLogger(SendSidePartialReliabilityTest.class);

    static List<Chunk> chunks(byte[] packet) {
        return ShutdownAndPartialReliabilityTest.chunks(packet);
    }

    static byte[] message(int index, int size) {
        byte[] m = new byte[size];
        ByteBuffer.wrap(m).putInt(index);
        for (int i = 4; i < size; i++) {
            m[i] = (byte) (index * 31 + i);
        }
        return m;
    }

    @Test
    void aMessageExpiredBeforeItsFirstTransmissionLeavesTheQueueAtOnce() {
        NetSim sim = new NetSim(401);
        assertTrue(sim.connect(false));
        sim.dropFilter = (p, bytes) -> p == sim.b; // no SACKs: the window stays full
        sim.a.assoc.setBufferedAmountLowThreshold(1, 0);
        SendOptions life50 = new SendOptions(false, -1, 50);
        for (int i = 0; i < 20; i++) {
            sim.a.assoc.send(1, 51, message(i, 1100), life50, sim.now);
        }
        long queued = sim.a.assoc.bufferedAmount(1);
        assertTrue(queued > 0 && queued < 20 * 1100, "part of it was sent (initial window): " + queued);
        int lastTsn = sim.a.assoc.outstandingData().lastAssignedTsn();
        sim.runFor(60);
        sim.dropFilter = (p, bytes) -> false;
        int eventsBefore = sim.a.events.size();
        sim.a.assoc.send(2, 51, message(99, 10), SendOptions.RELIABLE_ORDERED, sim.now);
        assertEquals(0, sim.a.assoc.bufferedAmount(1), "expired unsent messages dropped (bufferedAmount decreases)");
        sim.drain();
        assertTrue(sim.a.events.subList(eventsBefore, sim.a.events.size()).stream()
                .anyMatch(e -> e instanceof SctpOutput.BufferedAmountLow l && l.streamId() == 1));
        assertTrue(sim.runUntil(() -> !sim.a.assoc.outstandingData().hasOutstanding(), sim.now + 5_000));
        int sentFirst = (int) ((20 * 1100 - queued) / 1100);
        List<SctpOutput.MessageReceived> got = sim.b.messages;
        assertEquals(sentFirst + 1, got.size(), "the sent ones and the stream 2 message; the expired never");
        for (int i = 0; i < sentFirst; i++) {
            assertArrayEquals(message(i, 1100), got.get(i).payload());
        }
        // the window stayed full until T3-rtx; then the sent (expired) ones were abandoned and the
        // stream 2 message took the next TSN: the dropped ones never took one
        assertEquals(lastTsn + 1, sim.a.assoc.outstandingData().lastAssignedTsn(), "expired unsent messages took no TSN");
    }

    @Test
    void aFragmentedMessageIsAbandonedWholeWithOneForwardTsnBundledWithData() {
        NetSim sim = new NetSim(402);
        assertTrue(sim.connect(false));
        int[] dataChunks = {0};
        List<byte[]> forwardPackets = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p != sim.a) {
                return false;
            }
            List<Chunk> cs = chunks(bytes);
            if (cs.stream().anyMatch(c -> c instanceof ForwardTsnChunk)) {
                forwardPackets.add(bytes);
            }
            for (Chunk c : cs) {
                if (c instanceof DataChunk && ++dataChunks[0] == 3) {
                    return true; // the third fragment of the big message, first transmission
                }
            }
            return false;
        };
        SendOptions noRetransmit = new SendOptions(false, 0, -1);
        sim.a.assoc.send(1, 51, message(0, 20_000), noRetransmit, sim.now);
        List<byte[]> after = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            after.add(message(i, 900));
            sim.a.assoc.send(1, 51, after.get(i - 1), SendOptions.RELIABLE_ORDERED, sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 30, sim.now + 10_000));
        for (int i = 0; i < 30; i++) {
            assertArrayEquals(after.get(i), sim.b.messages.get(i).payload(), "ordered, big message skipped whole");
        }
        assertEquals(1, sim.a.assoc.outstandingData().forwardTsnCount(), "one FORWARD TSN, not one per SACK");
        List<Chunk> cs = chunks(forwardPackets.get(0));
        ForwardTsnChunk f = (ForwardTsnChunk) cs.stream().filter(c -> c instanceof ForwardTsnChunk).findFirst().get();
        assertEquals(List.of(new ForwardTsnChunk.SkippedStream(1, 0)), f.skipped());
        assertTrue(cs.stream().anyMatch(c -> c instanceof DataChunk), "bundled with DATA: " + cs);
        sim.runFor(1000);
        assertEquals(30, sim.b.messages.size(), "nothing more, never a part of the abandoned message");
    }

    @Test
    void aLostForwardTsnIsSentAgain() {
        NetSim sim = new NetSim(403);
        assertTrue(sim.connect(false));
        int[] dataChunks = {0};
        int[] forwards = {0};
        sim.dropFilter = (p, bytes) -> {
            if (p != sim.a) {
                return false;
            }
            boolean drop = false;
            for (Chunk c : chunks(bytes)) {
                if (c instanceof ForwardTsnChunk && ++forwards[0] == 1) {
                    drop = true; // the first FORWARD TSN is lost
                }
                if (c instanceof DataChunk && ++dataChunks[0] == 3) {
                    drop = true;
                }
            }
            return drop;
        };
        sim.a.assoc.send(1, 51, message(0, 20_000), new SendOptions(false, 0, -1), sim.now);
        for (int i = 1; i <= 30; i++) {
            sim.a.assoc.send(1, 51, message(i, 900), SendOptions.RELIABLE_ORDERED, sim.now);
        }
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 30 && !sim.a.assoc.outstandingData().hasOutstanding(),
                sim.now + 10_000));
        assertTrue(forwards[0] >= 2, "FORWARD TSN retransmitted");
        for (int i = 0; i < 30; i++) {
            assertArrayEquals(message(i + 1, 900), sim.b.messages.get(i).payload());
        }
    }

    @Test
    void aPartlySentMessageWhoseLifetimeExpiresIsAbandonedWhole() {
        SctpOptions big = SctpOptions.builder().maxSendMessageSize(262144).maxReceiveMessageSize(262144).build();
        NetSim sim = new NetSim(404, big, big);
        sim.delayMs = 50; // the 200 KB message needs several round trips: it expires while being sent
        assertTrue(sim.connect(false));
        sim.a.assoc.send(1, 51, message(0, 200_000), new SendOptions(false, -1, 120), sim.now);
        sim.a.assoc.send(1, 51, message(1, 500), SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 1 && !sim.a.assoc.outstandingData().hasOutstanding(),
                sim.now + 10_000));
        assertArrayEquals(message(1, 500), sim.b.messages.get(0).payload(), "only the message after it");
        assertTrue(sim.a.assoc.outstandingData().forwardTsnCount() >= 1);
        assertEquals(0, sim.a.assoc.bufferedAmount(1));
    }

    /**
     * Issue 3: with maxRetransmits=0 or maxPacketLifeTime=50 ms at 10 % loss each way, an ordered
     * channel never delivers a message twice, out of order or in part, and keeps progressing.
     */
    @Test
    void partialReliabilityUnderTenPercentLossDeliversInOrderWholeMessagesOnly() {
        long seed = new SplittableRandom().nextLong();
        LOG.info("partialReliabilityUnderTenPercentLoss seed {}", seed);
        for (SendOptions opt : List.of(new SendOptions(false, 0, -1), new SendOptions(false, -1, 50))) {
            NetSim sim = new NetSim(seed);
            sim.loss = 0.10;
            sim.jitterMs = 5;
            sim.duplicate = 0.01;
            assertTrue(sim.connect(true), "seed " + seed);
            SplittableRandom rnd = new SplittableRandom(seed);
            int n = 400;
            int[] sizes = new int[n];
            for (int i = 0; i < n; i++) {
                sizes[i] = 4 + rnd.nextInt(rnd.nextInt(8) == 0 ? 6000 : 1000);
                sim.a.assoc.send(3, 51, message(i, sizes[i]), opt, sim.now);
                if (i % 20 == 19) {
                    sim.runFor(20);
                }
            }
            boolean settled = sim.runUntil(() -> !sim.a.assoc.outstandingData().hasOutstanding()
                    && sim.a.assoc.bufferedAmount(3) == 0, sim.now + 60_000);
            assertTrue(settled, "seed " + seed + " " + opt + ": sender stalled: " + sim.a.assoc.debugState());
            int last = -1;
            Set<Integer> seen = new HashSet<>();
            for (SctpOutput.MessageReceived m : sim.b.messages) {
                int idx = ByteBuffer.wrap(m.payload()).getInt();
                assertTrue(idx > last, "seed " + seed + ": in order, no duplicates: " + idx + " after " + last);
                assertTrue(seen.add(idx));
                assertArrayEquals(message(idx, sizes[idx]), m.payload(), "seed " + seed + ": whole message " + idx);
                last = idx;
            }
            LOG.info("{}: delivered {} of {}", opt, sim.b.messages.size(), n);
            // progress: a good share arrives, including messages sent near the end
            assertTrue(sim.b.messages.size() > n / 10, "seed " + seed + ": progress " + sim.b.messages.size());
            assertTrue(last >= n * 3 / 4, "seed " + seed + ": last delivered " + last);
            assertFalse(sim.a.closed != null, "seed " + seed);
        }
    }
}
