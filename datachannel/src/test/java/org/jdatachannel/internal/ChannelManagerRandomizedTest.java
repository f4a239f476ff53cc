package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.dcep.ChannelType;
import org.jdatachannel.dcep.DataChannelAck;
import org.jdatachannel.dcep.DataChannelOpen;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Random interleavings of user calls and SCTP events (including garbage and events for unknown
 * streams). Properties: nothing throws out of the manager, CLOSED is final, onClose runs at most
 * once per channel and only for CLOSED channels, onOpen at most once, open channels have distinct
 * stream ids, a new channel never gets an id whose outgoing reset is still pending, and after the
 * association closes every channel is CLOSED.
 */
class ChannelManagerRandomizedTest {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelManagerRandomizedTest.class);

    @Test
    void randomEventSequencesKeepInvariants() throws Exception {
        // -Djdc.seed=N replays a logged run.
        long seed = Long.getLong("jdc.seed", System.nanoTime());
        LOG.info("randomEventSequencesKeepInvariants seed={}", seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 40; round++) {
            runRound(rnd, seed, round);
        }
    }

    private void runRound(SplittableRandom rnd, long seed, int round) throws Exception {
        EventLoop loop = new EventLoop("random-loop");
        try {
            ChannelManager mgr = new ChannelManager(loop);
            ChannelManagerFixture.FakeLink link = new ChannelManagerFixture.FakeLink();
            List<DataChannel> all = new ArrayList<>();
            Map<DataChannel, Integer> opens = new HashMap<>();
            Map<DataChannel, Integer> closes = new HashMap<>();
            List<String> violations = new ArrayList<>();
            mgr.setOnDataChannel(ch -> {
                all.add(ch);
                watch(ch, opens, closes, violations);
            });
            boolean client = rnd.nextBoolean();
            int steps = 200;
            for (int i = 0; i < steps; i++) {
                int op = rnd.nextInt(12);
                int sid = rnd.nextInt(12);
                loop.call(() -> {
                    switch (op) {
                        case 0 -> {
                            DataChannelInit init = new DataChannelInit().ordered(rnd.nextBoolean());
                            if (rnd.nextInt(4) == 0) {
                                init.negotiated(true).id(rnd.nextInt(12));
                            }
                            try {
                                DataChannelImpl ch = mgr.createChannel("c" + all.size(), init);
                                if (ch.id() != null && link.pendingResets.contains(ch.id())) {
                                    violations.add("new channel " + ch + " got an id whose reset is pending");
                                }
                                all.add(ch);
                                watch(ch, opens, closes, violations);
                            } catch (IllegalArgumentException | IllegalStateException expected) {
                                // id in use, or closed
                            }
                        }
                        case 1 -> {
                            if (!mgr.roleKnown()) {
                                mgr.setDtlsRole(client);
                                mgr.attach(link);
                            } else {
                                mgr.onConnected();
                            }
                        }
                        case 2 -> mgr.onMessage(sid, 50,
                                new DataChannelOpen(ChannelType.RELIABLE, 256, 0, "r" + sid, "").toBytes());
                        case 3 -> mgr.onMessage(sid, 50, new DataChannelAck().toBytes());
                        case 4 -> {
                            byte[] junk = new byte[rnd.nextInt(16)];
                            rnd.nextBytes(junk);
                            mgr.onMessage(sid, 48 + rnd.nextInt(12), junk);
                        }
                        case 5 -> mgr.onIncomingStreamsReset(new int[] {sid});
                        case 6 -> link.performReset(mgr, sid);
                        case 7 -> mgr.onBufferedAmountLow(sid);
                        case 8 -> {
                            if (!all.isEmpty()) {
                                all.get(rnd.nextInt(all.size())).close();
                            }
                        }
                        case 9 -> {
                            if (!all.isEmpty()) {
                                DataChannel ch = all.get(rnd.nextInt(all.size()));
                                try {
                                    ch.send("x");
                                } catch (IllegalStateException expected) {
                                    // not open
                                }
                            }
                        }
                        case 10 -> {
                            // The link performs pending resets now and then.
                            if (!link.pendingResets.isEmpty() && rnd.nextBoolean()) {
                                link.performReset(mgr, link.pendingResets.iterator().next());
                            }
                        }
                        default -> {
                            if (rnd.nextInt(30) == 0) {
                                mgr.onClosed();
                            } else {
                                mgr.refreshBufferedAmounts();
                            }
                        }
                    }
                    checkInvariants(all, violations);
                    return null;
                });
            }
            loop.call(() -> {
                mgr.onClosed();
                return null;
            });
            loop.call(() -> {
                ChannelManagerFixture.assertSendAccountingConsistent(mgr, all);
                return null;
            });
            for (DataChannel ch : all) {
                assertEquals(DataChannelState.CLOSED, ch.readyState(), "seed " + seed + " round " + round + " " + ch);
                assertEquals(1, closes.getOrDefault(ch, 0), "seed " + seed + " round " + round + " onClose count " + ch);
                assertTrue(opens.getOrDefault(ch, 0) <= 1, "seed " + seed + " round " + round);
            }
            if (!violations.isEmpty()) {
                fail("seed " + seed + " round " + round + ": " + violations);
            }
        } finally {
            loop.shutdown();
            assertTrue(loop.awaitTermination(5000));
        }
    }

    private static void watch(DataChannel ch, Map<DataChannel, Integer> opens, Map<DataChannel, Integer> closes,
                              List<String> violations) {
        ch.onOpen(() -> opens.merge(ch, 1, Integer::sum));
        ch.onClose(() -> {
            if (ch.readyState() != DataChannelState.CLOSED) {
                violations.add("onClose in state " + ch.readyState() + " for " + ch);
            }
            if (closes.merge(ch, 1, Integer::sum) > 1) {
                violations.add("onClose twice for " + ch);
            }
        });
        ch.onMessage(m -> {
            if (ch.readyState() == DataChannelState.CLOSED) {
                violations.add("message delivered to a CLOSED channel " + ch);
            }
        });
    }

    private static final Map<DataChannel, DataChannelState> LAST = new java.util.WeakHashMap<>();

    private static void checkInvariants(List<DataChannel> all, List<String> violations) {
        Set<Integer> liveIds = new HashSet<>();
        for (DataChannel ch : all) {
            DataChannelState s = ch.readyState();
            DataChannelState before = LAST.put(ch, s);
            if (before == DataChannelState.CLOSED && s != DataChannelState.CLOSED) {
                violations.add("left CLOSED: " + ch);
            }
            if (s != DataChannelState.CLOSED && ch.id() != null && !liveIds.add(ch.id())) {
                violations.add("two live channels on stream " + ch.id());
            }
        }
    }
}
