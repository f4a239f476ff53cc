package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.sim.Filters;
import org.jdatachannel.sctp.sim.Link;
import org.jdatachannel.sctp.sim.MessageLedger;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closing a data channel at the SCTP level (RFC 8831 §6.7 with RFC 6525 outgoing SSN resets), from
 * either side, while both sides still have data queued and in flight on the stream, over a clean and
 * a lossy link. The responder answers the peer's reset with its own, as browsers do. Checked on each
 * side: every message sent on the stream before the reset is delivered before
 * {@link SctpOutput.IncomingStreamsReset}; each side gets IncomingStreamsReset and
 * OutgoingStreamsReset for exactly that stream; until its OutgoingStreamsReset a side cannot send on
 * the stream; afterwards new messages go out with SSN 0, 1, ... and are delivered.
 */
class StreamCloseTest {
    private static final Logger LOG = LoggerFactory.getLogger(StreamCloseTest.class);
    private static final int STREAM = 5;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("A closes, clean link", true, 0.0, 401L),
                Arguments.of("B closes, clean link", false, 0.0, 402L),
                Arguments.of("A closes, 5% loss", true, 0.05, 403L),
                Arguments.of("B closes, 5% loss", false, 0.05, 404L));
    }

    /** Per side: what it sent on STREAM before the reset, and what the link saw. */
    private static final class Side {
        final NetSim.Peer peer;
        final MessageLedger toPeer;
        final List<long[]> dataOnStream = new ArrayList<>(); // tsn, ssn of first fragments
        long maxTsnBeforeReuse = -1;
        boolean resetStarted;
        int deliveredBeforeIncomingReset = -1;

        Side(NetSim.Peer peer, long seed) {
            this.peer = peer;
            this.toPeer = new MessageLedger(seed);
        }
    }

    private static long count(NetSim.Peer p, Class<?> type) {
        return p.events.stream().filter(type::isInstance).count();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void closeWithDataInFlightOnBothEnds(String name, boolean aCloses, double loss, long seed) {
        NetSim sim = new NetSim(seed, LossMatrixTest.options(), LossMatrixTest.options());
        LOG.info("case {} seed={}", name, sim.seed);
        assertTrue(sim.connect(true));
        sim.both(l -> l.delay(15).jitter(loss > 0 ? 4 : 0).duplicate(loss > 0 ? 0.02 : 0).loss(loss));
        Side a = new Side(sim.a, sim.seed);
        Side b = new Side(sim.b, ~sim.seed);
        for (Side s : new Side[] {a, b}) {
            Side other = s == a ? b : a;
            s.peer.out().dropIf(Filters.observe(p -> {
                for (DataChunk d : p.dataChunks()) {
                    if (d.streamId().value() == STREAM && d.beginning()) {
                        s.dataOnStream.add(new long[] {d.tsn().value() & 0xffffffffL, d.ssn().value()});
                    }
                }
            }));
            s.peer.listener = o -> {
                if (o instanceof SctpOutput.MessageReceived m) {
                    other.toPeer.received(m);
                } else if (o instanceof SctpOutput.IncomingStreamsReset r) {
                    s.deliveredBeforeIncomingReset = other.toPeer.receivedCount(STREAM);
                    // browsers answer the peer's reset with their own (RFC 8831 §6.7: "... the
                    // peer ... also resets its corresponding outgoing stream"), unless they closed first
                    if (!s.resetStarted) {
                        s.resetStarted = true;
                        s.peer.assoc.resetStreams(r.streamIds(), sim.now);
                    }
                }
            };
        }
        // both sides queue messages of up to 100 KB on STREAM (and some on stream 1) and start sending
        for (int i = 0; i < 40; i++) {
            for (Side s : new Side[] {a, b}) {
                int stream = i % 4 == 3 ? 1 : STREAM;
                byte[] p = s.toPeer.payload(s.toPeer.logUniformSize(1, 100_000));
                s.peer.assoc.send(stream, 53, p, SendOptions.RELIABLE_ORDERED, sim.now);
                s.toPeer.sent(stream, p, SendOptions.RELIABLE_ORDERED);
            }
        }
        sim.runFor(30); // data in flight both ways
        assertTrue(sim.packetsInFlight() > 0, "data in flight");
        Side closer = aCloses ? a : b;
        Side responder = aCloses ? b : a;
        closer.resetStarted = true;
        closer.peer.assoc.resetStreams(new int[] {STREAM}, sim.now);
        // until a side's own reset completed, it must not send on the stream
        long end = sim.now + 120_000;
        while (count(closer.peer, SctpOutput.OutgoingStreamsReset.class) == 0
                || count(responder.peer, SctpOutput.OutgoingStreamsReset.class) == 0) {
            for (Side s : new Side[] {closer, responder}) {
                if (count(s.peer, SctpOutput.OutgoingStreamsReset.class) == 0 && (s == closer
                        || count(s.peer, SctpOutput.IncomingStreamsReset.class) > 0)) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.peer.assoc.send(STREAM, 53,
                            new byte[] {1}, SendOptions.RELIABLE_ORDERED, sim.now), s.peer.name + " sent during its reset");
                    assertTrue(e.getMessage().contains("reset"), e.getMessage());
                }
            }
            assertTrue(sim.step(end), "reset did not complete: seed " + sim.seed + "; A " + sim.a.assoc.debugState()
                    + "; B " + sim.b.assoc.debugState() + "\n" + sim.stats());
        }
        LOG.info("case {}: both resets done at {} ms\n{}", name, sim.now, sim.stats());
        assertNull(sim.a.closed);
        assertNull(sim.b.closed);
        for (Side s : new Side[] {a, b}) {
            Side other = s == a ? b : a;
            // every message sent before the reset arrived, in order, and before IncomingStreamsReset
            assertNull(s.toPeer.checkComplete(), s.peer.name + " -> " + other.peer.name + ", seed " + sim.seed);
            assertEquals(s.toPeer.sentCount(STREAM), other.deliveredBeforeIncomingReset,
                    other.peer.name + " had every message of the stream before IncomingStreamsReset");
            List<SctpOutput> resets = other.peer.events.stream().filter(o -> o instanceof SctpOutput.IncomingStreamsReset
                    || o instanceof SctpOutput.OutgoingStreamsReset).toList();
            assertEquals(2, resets.size(), other.peer.name + ": " + resets);
            for (SctpOutput r : resets) {
                assertArrayEquals(new int[] {STREAM}, r instanceof SctpOutput.IncomingStreamsReset in ? in.streamIds()
                        : ((SctpOutput.OutgoingStreamsReset) r).streamIds());
            }
            s.maxTsnBeforeReuse = s.dataOnStream.stream().mapToLong(x -> x[0]).max().orElse(-1);
        }
        // the stream is reusable in both directions; SSNs start over at 0
        for (Side s : new Side[] {a, b}) {
            for (int i = 0; i < 3; i++) {
                byte[] p = s.toPeer.payload(100 + i);
                s.peer.assoc.send(STREAM, 51, p, SendOptions.RELIABLE_ORDERED, sim.now);
                s.toPeer.sent(STREAM, p, SendOptions.RELIABLE_ORDERED);
            }
        }
        assertTrue(sim.runUntil(() -> a.toPeer.receivedCount() == a.toPeer.sentCount()
                && b.toPeer.receivedCount() == b.toPeer.sentCount(), sim.now + 60_000), "new messages delivered");
        for (Side s : new Side[] {a, b}) {
            assertNull(s.toPeer.checkComplete());
            List<Long> newSsns = s.dataOnStream.stream().filter(x -> x[0] > s.maxTsnBeforeReuse).map(x -> x[1]).distinct()
                    .toList();
            assertEquals(List.of(0L, 1L, 2L), newSsns, s.peer.name + " SSNs after the reset");
        }
        assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
        if (loss > 0) {
            assertTrue(sim.ab.dropped(Link.Drop.RANDOM) + sim.ba.dropped(Link.Drop.RANDOM) > 0);
        }
    }
}
