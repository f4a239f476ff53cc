package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ReConfigChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.parameter.IncomingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.OutgoingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.packet.parameter.ReconfigurationResponseParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/** RFC 6525 outgoing SSN reset as used to close data channels (RFC 8831 §6.7). */
class StreamResetTest {

    static List<Chunk> chunks(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static long count(NetSim.Peer p, Class<?> type) {
        return p.events.stream().filter(type::isInstance).count();
    }

    @Test
    void resetAfterQueuedDataThenReuseStream() {
        NetSim sim = new NetSim(51);
        assertTrue(sim.connect(false));
        for (int i = 0; i < 5; i++) {
            sim.a.assoc.send(1, 51, new byte[] {(byte) i}, SendOptions.RELIABLE_ORDERED, sim.now);
        }
        sim.a.assoc.send(1, 51, new byte[20_000], SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.resetStreams(new int[] {1}, sim.now);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> sim.a.assoc.send(1, 51, new byte[1], SendOptions.RELIABLE_ORDERED, sim.now));
        assertTrue(e.getMessage().contains("reset"));
        sim.a.assoc.send(2, 51, new byte[1], SendOptions.RELIABLE_ORDERED, sim.now); // other streams unaffected
        assertTrue(sim.runUntil(() -> count(sim.a, SctpOutput.OutgoingStreamsReset.class) == 1, sim.now + 10_000));
        // B delivered all six messages on stream 1 before announcing the reset
        int resetIndex = -1;
        int delivered = 0;
        for (int i = 0; i < sim.b.events.size(); i++) {
            SctpOutput o = sim.b.events.get(i);
            if (o instanceof SctpOutput.MessageReceived m && m.streamId() == 1) {
                delivered++;
            }
            if (o instanceof SctpOutput.IncomingStreamsReset r) {
                assertArrayEquals(new int[] {1}, r.streamIds());
                resetIndex = i;
                assertEquals(6, delivered);
            }
        }
        assertTrue(resetIndex > 0);
        // the stream is usable again and its SSNs restart at 0
        List<Integer> ssns = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            for (Chunk c : chunks(bytes)) {
                if (c instanceof DataChunk d && d.streamId().value() == 1) {
                    ssns.add(d.ssn().value());
                }
            }
            return false;
        };
        sim.a.assoc.send(1, 51, new byte[] {42}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.send(1, 51, new byte[] {43}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.b.messages.size() == 9, sim.now + 10_000));
        assertEquals(List.of(0, 1), ssns);
        assertEquals(43, sim.b.messages.get(8).payload()[0]);
    }

    @Test
    void bothSidesClosingLikeBrowsers() {
        NetSim sim = new NetSim(52);
        assertTrue(sim.connect(true));
        sim.a.assoc.send(3, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.b.assoc.send(3, 51, new byte[] {2}, SendOptions.RELIABLE_ORDERED, sim.now);
        // Chromium: on the peer's incoming reset, reset our own outgoing stream in reply
        sim.b.listener = o -> {
            if (o instanceof SctpOutput.IncomingStreamsReset r) {
                sim.b.assoc.resetStreams(r.streamIds(), sim.now);
            }
        };
        sim.a.assoc.resetStreams(new int[] {3}, sim.now);
        assertTrue(sim.runUntil(() -> count(sim.a, SctpOutput.IncomingStreamsReset.class) == 1
                && count(sim.b, SctpOutput.OutgoingStreamsReset.class) == 1
                && count(sim.a, SctpOutput.OutgoingStreamsReset.class) == 1, sim.now + 10_000));
        assertEquals(1, sim.a.messages.size());
        assertEquals(1, sim.b.messages.size());
        // both directions reset: the stream id can be reused
        sim.a.assoc.send(3, 51, new byte[] {5}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.b.assoc.send(3, 51, new byte[] {6}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> sim.a.messages.size() == 2 && sim.b.messages.size() == 2, sim.now + 10_000));
    }

    @Test
    void inProgressWhenDataIsStillMissing() {
        NetSim sim = new NetSim(53);
        assertTrue(sim.connect(false));
        List<Integer> results = new ArrayList<>();
        boolean[] droppedData = {false};
        sim.dropFilter = (p, bytes) -> {
            for (Chunk c : chunks(bytes)) {
                if (c instanceof ReConfigChunk r) {
                    for (Parameter prm : r.parameters()) {
                        if (prm instanceof ReconfigurationResponseParameter resp) {
                            results.add(resp.result());
                        }
                    }
                }
                if (c instanceof DataChunk && !droppedData[0]) {
                    droppedData[0] = true;
                    return true; // the reset request overtakes the lost data
                }
            }
            return false;
        };
        sim.a.assoc.send(1, 51, new byte[] {7}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.resetStreams(new int[] {1}, sim.now);
        assertTrue(sim.runUntil(() -> count(sim.a, SctpOutput.OutgoingStreamsReset.class) == 1, sim.now + 30_000));
        assertEquals(ReconfigurationResponseParameter.RESULT_IN_PROGRESS, (int) results.get(0));
        assertEquals(ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED, (int) results.get(results.size() - 1));
        // the message was delivered before the reset was announced
        assertTrue(sim.b.events.indexOf(sim.b.messages.get(0)) < indexOfFirst(sim.b, SctpOutput.IncomingStreamsReset.class));
    }

    static int indexOfFirst(NetSim.Peer p, Class<?> type) {
        for (int i = 0; i < p.events.size(); i++) {
            if (type.isInstance(p.events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void resetsUnderLoss() {
        for (long seed = 60; seed < 70; seed++) {
            NetSim sim = new NetSim(seed);
            assertTrue(sim.connect(true));
            sim.loss = 0.2;
            sim.jitterMs = 10;
            sim.b.listener = o -> {
                if (o instanceof SctpOutput.IncomingStreamsReset r) {
                    sim.b.assoc.resetStreams(r.streamIds(), sim.now);
                }
            };
            for (int s = 0; s < 4; s++) {
                sim.a.assoc.send(s, 51, new byte[3000], SendOptions.RELIABLE_ORDERED, sim.now);
                sim.a.assoc.resetStreams(new int[] {s}, sim.now);
            }
            final NetSim fs = sim;
            assertTrue(sim.runUntil(() -> resetIds(fs.a) == 4 && resetIds(fs.b) == 4, sim.now + 300_000), "seed " + seed
                    + " A: " + fs.a.events + " B: " + fs.b.events);
            assertEquals(4, sim.b.messages.size());
            assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
        }
    }

    static int resetIds(NetSim.Peer p) {
        return p.events.stream().filter(e -> e instanceof SctpOutput.OutgoingStreamsReset)
                .mapToInt(e -> ((SctpOutput.OutgoingStreamsReset) e).streamIds().length).sum();
    }

    @Test
    void resetArgumentErrors() {
        NetSim sim = new NetSim(54);
        assertThrows(IllegalArgumentException.class, () -> sim.a.assoc.resetStreams(new int[0], 0));
        assertThrows(IllegalArgumentException.class, () -> sim.a.assoc.resetStreams(new int[] {70000}, 0));
    }

    /** The RE-CONFIG parameters in a packet. */
    static List<Parameter> reconfigParams(byte[] packet) {
        List<Parameter> l = new ArrayList<>();
        for (Chunk c : chunks(packet)) {
            if (c instanceof ReConfigChunk r) {
                l.addAll(r.parameters());
            }
        }
        return l;
    }

    @Test
    void lostRequestAndLostResponseAreRetransmittedWithTheSameSequenceNumber() {
        NetSim sim = new NetSim(55);
        assertTrue(sim.connect(false));
        List<OutgoingSsnResetRequestParameter> requests = new ArrayList<>();
        List<ReconfigurationResponseParameter> responses = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            for (Parameter prm : reconfigParams(bytes)) {
                if (prm instanceof OutgoingSsnResetRequestParameter r) {
                    requests.add(r);
                    return requests.size() == 1; // the first request is lost
                }
                if (prm instanceof ReconfigurationResponseParameter r) {
                    responses.add(r);
                    return responses.size() == 1; // and the answer to its retransmission too
                }
            }
            return false;
        };
        sim.a.assoc.send(2, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.resetStreams(new int[] {2}, sim.now);
        assertTrue(sim.runUntil(() -> count(sim.a, SctpOutput.OutgoingStreamsReset.class) == 1, sim.now + 30_000));
        assertEquals(3, requests.size(), "request, retransmission after T-reconfig, and one more: " + requests);
        // RFC 6525 §5.1.1: a retransmission keeps the request sequence number
        assertEquals(1, requests.stream().mapToInt(OutgoingSsnResetRequestParameter::requestSequenceNumber).distinct().count());
        // §5.2.1: the duplicate is answered with the same result, and the reset is performed once
        assertEquals(2, responses.size());
        for (ReconfigurationResponseParameter r : responses) {
            assertEquals(requests.get(0).requestSequenceNumber(), r.responseSequenceNumber());
            assertEquals(ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED, r.result());
        }
        assertEquals(1, count(sim.b, SctpOutput.IncomingStreamsReset.class));
        assertEquals(1, sim.b.messages.size());
        assertNull(sim.a.closed);
    }

    @Test
    void inProgressIsRetriedWithANewSequenceNumberAndNeverCountsAsAnError() {
        // "In progress" answers are answers: they never count toward Association.Max.Retrans
        SctpOptions o = SctpOptions.builder().maxRetransmits(3).build();
        NetSim sim = new NetSim(56, o, o);
        assertTrue(sim.connect(false));
        List<OutgoingSsnResetRequestParameter> requests = new ArrayList<>();
        List<Integer> results = new ArrayList<>();
        int[] dataDrops = {0};
        sim.dropFilter = (p, bytes) -> {
            for (Parameter prm : reconfigParams(bytes)) {
                if (prm instanceof OutgoingSsnResetRequestParameter r) {
                    requests.add(r);
                }
                if (prm instanceof ReconfigurationResponseParameter r) {
                    results.add(r.result());
                }
            }
            // the stream's DATA is lost three times: T3-rtx backs off to 8 s meanwhile
            return chunks(bytes).stream().anyMatch(c -> c instanceof DataChunk) && dataDrops[0]++ < 3;
        };
        sim.a.assoc.send(4, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.a.assoc.resetStreams(new int[] {4}, sim.now);
        assertTrue(sim.runUntil(() -> count(sim.a, SctpOutput.OutgoingStreamsReset.class) == 1, sim.now + 60_000),
                "results " + results + " closed " + sim.a.closed);
        long inProgress = results.stream().filter(r -> r == ReconfigurationResponseParameter.RESULT_IN_PROGRESS).count();
        assertTrue(inProgress >= 3, "an 'In progress' answer per retry while the data is missing: " + results);
        assertEquals(ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED, (int) results.get(results.size() - 1));
        // each retry after "In progress" uses the next sequence number
        for (int i = 1; i < requests.size(); i++) {
            assertEquals(requests.get(i - 1).requestSequenceNumber() + 1, requests.get(i).requestSequenceNumber());
            assertEquals(requests.get(0).sendersLastAssignedTsn(), requests.get(i).sendersLastAssignedTsn());
        }
        assertNull(sim.a.closed);
        // our receiver treats the renumbered retries as one deferred reset: performed and reported once
        assertEquals(1, count(sim.b, SctpOutput.IncomingStreamsReset.class));
        assertTrue(sim.b.events.indexOf(sim.b.messages.get(0)) < indexOfFirst(sim.b, SctpOutput.IncomingStreamsReset.class));
    }

    @Test
    void oneRequestAtATimeAndLaterResetsAreBatched() {
        NetSim sim = new NetSim(57);
        assertTrue(sim.connect(false));
        List<String> order = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            for (Parameter prm : reconfigParams(bytes)) {
                if (prm instanceof OutgoingSsnResetRequestParameter r) {
                    order.add("req" + java.util.Arrays.toString(r.streamIds()));
                }
                if (prm instanceof ReconfigurationResponseParameter) {
                    order.add("resp");
                }
            }
            return false;
        };
        sim.a.assoc.resetStreams(new int[] {1}, sim.now);
        sim.a.assoc.resetStreams(new int[] {2}, sim.now);
        sim.a.assoc.resetStreams(new int[] {3}, sim.now);
        assertTrue(sim.runUntil(() -> resetIds(sim.a) == 3, sim.now + 10_000));
        assertEquals(List.of("req[1]", "resp", "req[2, 3]", "resp"), order);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            sim.a.assoc.resetStreams(new int[] {6}, sim.now);
            sim.a.assoc.send(6, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now);
        });
        assertTrue(e.getMessage().contains("reset"), e.getMessage());
    }

    @Test
    void incomingSsnResetRequestIsAnsweredWithOurOwnOutgoingReset() {
        NetSim sim = new NetSim(58);
        int[] tags = new int[2];
        int[] bInitialTsn = new int[1];
        List<OutgoingSsnResetRequestParameter> aRequests = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            Chunk c = chunks(bytes).get(0);
            if (c instanceof InitChunk i) {
                tags[0] = i.initiateTag().value(); // A's tag
            } else if (c instanceof InitAckChunk ia) {
                bInitialTsn[0] = ia.initialTsn().value();
            }
            for (Parameter prm : reconfigParams(bytes)) {
                if (p == sim.a && prm instanceof OutgoingSsnResetRequestParameter r) {
                    aRequests.add(r);
                }
            }
            return false;
        };
        assertTrue(sim.connect(false));
        sim.a.assoc.send(5, 51, new byte[3000], SendOptions.RELIABLE_ORDERED, sim.now);
        // "B" asks A to reset A's outgoing stream 5 (RFC 6525 §4.2); B's first request number is its initial TSN
        int seq = bInitialTsn[0];
        byte[] req = new org.jdatachannel.sctp.packet.SctpPacket(5000, 5000, tags[0], List.of(new ReConfigChunk(
                List.of(new IncomingSsnResetRequestParameter(seq, new int[] {5}))))).serialize();
        sim.a.assoc.handleInput(java.nio.ByteBuffer.wrap(req), sim.now);
        assertThrows(IllegalStateException.class,
                () -> sim.a.assoc.send(5, 51, new byte[1], SendOptions.RELIABLE_ORDERED, sim.now));
        assertTrue(sim.runUntil(() -> count(sim.a, SctpOutput.OutgoingStreamsReset.class) == 1
                && count(sim.b, SctpOutput.IncomingStreamsReset.class) == 1, sim.now + 10_000));
        // §4.1: our Outgoing SSN Reset Request is the implicit answer: its Response Sequence Number is the
        // incoming request's number; the queued message went first
        assertEquals(seq, aRequests.get(0).responseSequenceNumber());
        assertArrayEquals(new int[] {5}, aRequests.get(0).streamIds());
        assertEquals(1, sim.b.messages.size());
        // a request for all streams (empty list) or for a stream out of range is denied
        List<Integer> results = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            for (Parameter prm : reconfigParams(bytes)) {
                if (prm instanceof ReconfigurationResponseParameter r) {
                    results.add(r.result());
                }
            }
            return false;
        };
        for (int[] ids : new int[][] {{}, {65535}}) {
            byte[] bad = new org.jdatachannel.sctp.packet.SctpPacket(5000, 5000, tags[0], List.of(new ReConfigChunk(
                    List.of(new IncomingSsnResetRequestParameter(++seq, ids))))).serialize();
            sim.a.assoc.handleInput(java.nio.ByteBuffer.wrap(bad), sim.now);
            sim.drain();
        }
        assertEquals(List.of(ReconfigurationResponseParameter.RESULT_DENIED, ReconfigurationResponseParameter.RESULT_DENIED),
                results);
    }

    /**
     * Data channels closing on both ends at once, with data in flight both ways, over a link with bursty
     * (Gilbert-Elliott) loss, reordering and duplication; each side answers the peer's reset with its own
     * (RFC 8831 §6.7) and reuses a stream only once both directions are reset.
     */
    @Test
    void closeFromBothEndsWithDataInFlightUnderBurstyLossThenReuse() {
        for (long seed = 70; seed < 76; seed++) {
            NetSim sim = new NetSim(seed);
            assertTrue(sim.connect(true));
            sim.both(l -> l.delay(20).jitter(10).burstLoss(org.jdatachannel.sctp.sim.GilbertElliott.ofMeanLoss(0.1, 3, 0.7))
                    .reorder(0.05, 15).duplicate(0.02));
            java.util.Map<NetSim.Peer, java.util.Set<Integer>> outDone = new java.util.HashMap<>();
            java.util.Map<NetSim.Peer, java.util.Set<Integer>> inDone = new java.util.HashMap<>();
            for (NetSim.Peer p : List.of(sim.a, sim.b)) {
                outDone.put(p, new java.util.TreeSet<>());
                inDone.put(p, new java.util.TreeSet<>());
                p.listener = o -> {
                    if (o instanceof SctpOutput.IncomingStreamsReset r) {
                        for (int id : r.streamIds()) {
                            inDone.get(p).add(id);
                            if (!outDone.get(p).contains(id)) {
                                p.assoc.resetStreams(new int[] {id}, sim.now); // answer with our own reset
                            }
                        }
                    } else if (o instanceof SctpOutput.OutgoingStreamsReset r) {
                        for (int id : r.streamIds()) {
                            outDone.get(p).add(id);
                        }
                    }
                };
            }
            int[] sentTo = new int[2];
            for (int i = 0; i < 60; i++) {
                sim.a.assoc.send(i % 6, 51, payload(i, 500 + i * 37), SendOptions.RELIABLE_ORDERED, sim.now);
                sim.b.assoc.send(i % 6, 51, payload(i, 700 + i * 53), SendOptions.RELIABLE_ORDERED, sim.now);
                sentTo[0]++;
                sentTo[1]++;
            }
            sim.runFor(30); // some in flight, most still queued
            sim.a.assoc.resetStreams(new int[] {0, 1, 2}, sim.now);
            sim.b.assoc.resetStreams(new int[] {3, 4, 5}, sim.now);
            java.util.Set<Integer> all = java.util.Set.of(0, 1, 2, 3, 4, 5);
            final long sd = seed;
            assertTrue(sim.runUntil(() -> outDone.get(sim.a).equals(all) && inDone.get(sim.a).equals(all)
                    && outDone.get(sim.b).equals(all) && inDone.get(sim.b).equals(all), sim.now + 600_000),
                    "seed " + sd + " A out " + outDone.get(sim.a) + " in " + inDone.get(sim.a) + " B out "
                    + outDone.get(sim.b) + " in " + inDone.get(sim.b) + " closed " + sim.a.closed + "/" + sim.b.closed);
            for (NetSim.Peer p : List.of(sim.a, sim.b)) {
                assertEquals(60, p.messages.size(), "seed " + seed + " " + p.name);
                for (int st = 0; st < 6; st++) {
                    final int fst = st;
                    List<Integer> got = p.messages.stream().filter(m -> m.streamId() == fst).map(m -> (int) m.payload()[0]).toList();
                    List<Integer> want = java.util.stream.IntStream.range(0, 60).filter(i -> i % 6 == fst).boxed().toList();
                    assertEquals(want, got, "seed " + seed + " " + p.name + " stream " + st + ": exactly once, in order");
                    // every message of the stream came before its reset was announced
                    int lastMsg = -1;
                    int reset = -1;
                    for (int k = 0; k < p.events.size(); k++) {
                        SctpOutput o = p.events.get(k);
                        if (o instanceof SctpOutput.MessageReceived m && m.streamId() == st) {
                            lastMsg = k;
                        } else if (o instanceof SctpOutput.IncomingStreamsReset r && reset < 0
                                && java.util.Arrays.stream(r.streamIds()).anyMatch(id -> id == fst)) {
                            reset = k;
                        }
                    }
                    assertTrue(lastMsg < reset, "seed " + seed + " " + p.name + " stream " + st);
                }
                assertEquals(1, p.events.stream().filter(o -> o instanceof SctpOutput.IncomingStreamsReset)
                        .flatMapToInt(o -> java.util.Arrays.stream(((SctpOutput.IncomingStreamsReset) o).streamIds()))
                        .filter(id -> id == 0).count(), "each incoming reset reported once");
            }
            // both directions reset: reuse every stream both ways; sequence numbers start over
            for (int st = 0; st < 6; st++) {
                sim.a.assoc.send(st, 51, payload(100 + st, 10), SendOptions.RELIABLE_ORDERED, sim.now);
                sim.b.assoc.send(st, 51, payload(100 + st, 10), SendOptions.RELIABLE_ORDERED, sim.now);
            }
            assertTrue(sim.runUntil(() -> sim.a.messages.size() == 66 && sim.b.messages.size() == 66, sim.now + 600_000),
                    "seed " + seed);
            assertTrue(sim.a.closed == null && sim.b.closed == null);
            assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
        }
    }

    static byte[] payload(int i, int n) {
        byte[] b = new byte[n];
        b[0] = (byte) i;
        return b;
    }
}
