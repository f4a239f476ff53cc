package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Randomized property test: both sides send reliable and partially reliable, ordered and unordered
 * messages, reset streams and finally shut down, over a lossy, reordering, duplicating network.
 * Properties: no internal error; every reliable message arrives exactly once and intact; per stream,
 * ordered messages arrive as a subsequence of the sent order; the shutdown completes gracefully.
 */
class ChaosTest {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosTest.class);

    private record Sent(int stream, byte[] payload, boolean unordered, boolean reliable) {
    }

    static final class Side {
        final NetSim.Peer peer;
        final List<Sent> sent = new ArrayList<>();
        final List<Integer> resetting = new ArrayList<>();

        Side(NetSim.Peer peer) {
            this.peer = peer;
        }
    }

    static void run(long seed) {
        LOG.info("chaos seed={}", seed);
        Random r = new Random(seed);
        int maxMsg = 2000 + r.nextInt(98_000);
        int rwnd = Math.max(maxMsg, 1 + r.nextInt(2 * maxMsg));
        int mtu = 600 + r.nextInt(800);
        SctpOptions o = SctpOptions.builder().maxSendMessageSize(maxMsg).maxReceiveMessageSize(maxMsg)
                .receiveWindow(Math.max(1500, rwnd)).mtu(mtu).minRtoMs(100).initialRtoMs(300).build();
        boolean shutdownEarly = r.nextBoolean();
        NetSim sim = new NetSim(seed, o, o);
        sim.mtu = mtu;
        sim.loss = r.nextDouble() * Double.parseDouble(System.getProperty("chaos.maxLoss", "0.1"));
        sim.duplicate = r.nextDouble() * 0.05;
        sim.jitterMs = r.nextInt(40);
        sim.delayMs = 1 + r.nextInt(30);
        if (Boolean.getBoolean("chaos.trace")) {
            sim.dropFilter = (peer, bytes) -> {
                try {
                    for (var c : org.jdatachannel.sctp.packet.SctpPacket.parse(java.nio.ByteBuffer.wrap(bytes)).chunks()) {
                        boolean traced = Boolean.getBoolean("chaos.traceAll")
                                || c instanceof org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk
                                || c instanceof org.jdatachannel.sctp.packet.chunk.SackChunk
                                || c instanceof org.jdatachannel.sctp.packet.chunk.ReConfigChunk;
                        if (c instanceof org.jdatachannel.sctp.packet.chunk.DataChunk d) {
                            traced |= d.streamId().value() == Integer.getInteger("chaos.stream", 5) && !d.unordered();
                        }
                        if (traced) {
                            LOG.info("{} {} {}", sim.now, peer.name, c);
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return false;
            };
        }
        sim.a.assoc.connect(0);
        if (r.nextBoolean()) {
            sim.b.assoc.connect(0);
        }
        boolean connected = sim.runUntil(() -> sim.a.connected && sim.b.connected, 3_600_000);
        if (!connected && (sim.a.closed != null || sim.b.closed != null) && heavyLoss()) {
            LOG.info("setup gave up under heavy loss: {} {}", sim.a.closed, sim.b.closed);
            return;
        }
        assertTrue(connected, "connect, seed " + seed);
        Side[] sides = {new Side(sim.a), new Side(sim.b)};
        for (Side s : sides) {
            // answer the peer's reset with ours, as browsers do for data channels
            s.peer.listener = out -> {
                if (out instanceof SctpOutput.IncomingStreamsReset rs) {
                    s.peer.assoc.resetStreams(rs.streamIds(), sim.now); // no-op for streams already resetting
                }
            };
        }
        for (int step = 0; step < 300; step++) {
            Side s = sides[r.nextInt(2)];
            int stream = r.nextInt(6);
            int op = r.nextInt(20);
            if (op == 0) {
                s.peer.assoc.resetStreams(new int[] {stream}, sim.now);
            } else {
                boolean unordered = r.nextInt(3) == 0;
                boolean reliable = r.nextInt(3) != 0;
                SendOptions so = new SendOptions(unordered, reliable ? -1 : r.nextInt(3),
                        reliable ? -1 : (r.nextBoolean() ? -1 : r.nextInt(500)));
                byte[] p = new byte[1 + r.nextInt(r.nextInt(8) == 0 ? maxMsg : Math.min(maxMsg, 2000))];
                r.nextBytes(p);
                try {
                    s.peer.assoc.send(stream, 53, p, so, sim.now);
                    s.sent.add(new Sent(stream, p, unordered, reliable));
                } catch (IllegalStateException e) {
                    assertTrue(e.getMessage().contains("reset") || e.getMessage().contains("full"), e.getMessage());
                }
            }
            sim.runFor(r.nextInt(30));
        }
        if (!shutdownEarly) {
            // until both are idle: nothing queued, outstanding or pending (no timer left)
            sim.runUntil(() -> sim.a.assoc.isIdle() && sim.b.assoc.isIdle(),
                    sim.now + 3_600_000);
            if (retransmissionLimitHit(sim)) {
                return;
            }
            for (Side s : sides) {
                check(seed, s, sides[s == sides[0] ? 1 : 0].peer.messages, false);
            }
        }
        // with data possibly still queued and in flight: SHUTDOWN drains it first (RFC 9260 §9.2)
        if (retransmissionLimitHit(sim)) {
            return;
        }
        sides[r.nextInt(2)].peer.assoc.shutdown(sim.now);
        assertTrue(sim.runUntil(() -> sim.a.closed != null && sim.b.closed != null, sim.now + 3_600_000),
                "shutdown, seed " + seed + ": " + sim.a.assoc.state() + "/" + sim.b.assoc.state() + " timers "
                + sim.a.assoc.pollTimeout() + "/" + sim.b.assoc.pollTimeout() + " now " + sim.now + " closed "
                + sim.a.closed + "/" + sim.b.closed + " loss " + sim.loss);
        if (retransmissionLimitHit(sim)) {
            return;
        }
        for (Side s : sides) {
            check(seed, s, sides[s == sides[0] ? 1 : 0].peer.messages, true);
        }
        assertFalse(sim.a.closed.aborted(), "seed " + seed + ": " + sim.a.closed);
        assertFalse(sim.b.closed.aborted(), "seed " + seed + ": " + sim.b.closed);
        assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount(), "seed " + seed);
    }

    /**
     * With heavy loss (soak runs with {@code -Dchaos.maxLoss} above 0.1) an association may legitimately
     * give up after Association.Max.Retrans consecutive timeouts (RFC 9260 §8.1); then delivery cannot
     * be checked. At the default loss this must not happen.
     */
    private static boolean heavyLoss() {
        return Double.parseDouble(System.getProperty("chaos.maxLoss", "0.1")) > 0.1;
    }

    private static boolean retransmissionLimitHit(NetSim sim) {
        for (NetSim.Peer p : new NetSim.Peer[] {sim.a, sim.b}) {
            if (p.closed != null && p.closed.aborted() && heavyLoss()
                    && (p.closed.reason().contains("retransmissions") || p.closed.reason().contains("timed out")
                    || p.other().closed != null)) {
                LOG.info("gave up under heavy loss: {}", p.closed.reason());
                return true;
            }
        }
        return false;
    }

    private static void check(long seed, Side s, List<SctpOutput.MessageReceived> got, boolean closed) {
        // index the received messages by identity of content
        Map<Integer, List<byte[]>> orderedGot = new HashMap<>();
        List<byte[]> unorderedGot = new ArrayList<>();
        for (SctpOutput.MessageReceived m : got) {
            if (m.unordered()) {
                unorderedGot.add(m.payload());
            } else {
                orderedGot.computeIfAbsent(m.streamId(), k -> new ArrayList<>()).add(m.payload());
            }
        }
        Map<Integer, Integer> pos = new HashMap<>();
        for (Sent x : s.sent) {
            if (x.unordered) {
                int idx = -1;
                for (int i = 0; i < unorderedGot.size(); i++) {
                    if (java.util.Arrays.equals(unorderedGot.get(i), x.payload)) {
                        idx = i;
                        break;
                    }
                }
                if (idx >= 0) {
                    unorderedGot.remove(idx);
                } else {
                    assertFalse(x.reliable, "seed " + seed + ": reliable unordered message lost on stream " + x.stream);
                }
            } else {
                List<byte[]> l = orderedGot.getOrDefault(x.stream, List.of());
                int p = pos.getOrDefault(x.stream, 0);
                if (p < l.size() && java.util.Arrays.equals(l.get(p), x.payload)) {
                    pos.put(x.stream, p + 1);
                } else {
                    if (x.reliable) {
                        StringBuilder sb = new StringBuilder();
                        for (Sent y : s.sent) {
                            if (y.stream == x.stream && !y.unordered) {
                                sb.append(y.payload.length).append(y.reliable ? "R " : "P ");
                            }
                        }
                        sb.append(" | got ");
                        for (byte[] g : l) {
                            sb.append(g.length).append(' ');
                        }
                        sb.append(" | events ").append(s.peer.events.stream().filter(e -> !(e instanceof SctpOutput.BufferedAmountLow)).toList());
                        LOG.error("{} stream {} (buffered {}, state {}): {}", s.peer.name, x.stream,
                                s.peer.assoc.bufferedAmount(x.stream), s.peer.assoc.debugState(), sb);
                    }
                    assertFalse(x.reliable, "seed " + seed + ": reliable ordered message missing or out of order on "
                            + "stream " + x.stream);
                }
            }
        }
        assertTrue(unorderedGot.isEmpty(), "seed " + seed + ": unexpected or duplicated unordered messages");
        for (Map.Entry<Integer, List<byte[]>> e : orderedGot.entrySet()) {
            assertEquals(e.getValue().size(), (int) pos.getOrDefault(e.getKey(), 0),
                    "seed " + seed + ": unexpected or duplicated ordered messages on stream " + e.getKey());
        }
        if (!closed) {
            assertNull(s.peer.closed);
        }
    }

    @Test
    void fixedSeeds() {
        long n = Long.getLong("chaos.seeds", 6); // raise to soak-test locally
        long from = Long.getLong("chaos.from", 1);
        for (long seed = from; seed < from + n; seed++) {
            run(seed);
        }
    }

    @Test
    void randomSeed() {
        run(System.nanoTime()); // the seed is logged; re-run with it to reproduce
    }
}
