package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.sim.Filters;
import org.jdatachannel.sctp.sim.MessageLedger;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partial reliability (RFC 3758) end to end, as data channels use it (RFC 8831 §6.1): at 10 % random
 * loss in both directions (plus jitter), A sends partially reliable messages with maxRetransmits=0
 * or a lifetime of 50 ms on streams 1 and 2, interleaved with reliable ordered messages on stream 0.
 * Checked: nothing is delivered twice; ordered streams never deliver out of order; every delivered
 * message is byte-identical to a sent one (an abandoned message is never delivered partially); the
 * receiver keeps progressing: every reliable message on stream 0 arrives and the peer's cumulative
 * TSN ack ends at A's last TSN, so FORWARD TSN moved it over every abandoned chunk. The test also
 * checks that the loss really abandoned messages and that FORWARD TSN was used.
 */
class PartialReliabilityTest {
    private static final Logger LOG = LoggerFactory.getLogger(PartialReliabilityTest.class);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("maxRetransmits=0", new SendOptions(false, 0, -1), 201L),
                Arguments.of("maxRetransmits=0 unordered", new SendOptions(true, 0, -1), 202L),
                Arguments.of("lifetime=50ms", new SendOptions(false, -1, 50), 203L),
                Arguments.of("lifetime=50ms unordered", new SendOptions(true, -1, 50), 204L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void abandonedMessagesVanishWholeAndTheReceiverKeepsProgressing(String name, SendOptions pr, long seed) {
        NetSim sim = new NetSim(seed, LossMatrixTest.options(), LossMatrixTest.options());
        LOG.info("case {} seed={}", name, sim.seed);
        assertTrue(sim.connect(false), "connect");
        sim.both(l -> l.delay(20).jitter(4).loss(0.10));
        MessageLedger ledger = new MessageLedger(sim.seed);
        ledger.receiveAt(sim.b);
        // TSNs wrap (the initial TSN is random): compare them with serial number arithmetic
        int[] lastTsnSent = {0};
        boolean[] anySent = {false};
        int[] lastCumAck = {0};
        sim.ab.dropIf(Filters.observe(p -> {
            for (DataChunk d : p.dataChunks()) {
                if (!anySent[0] || d.tsn().value() - lastTsnSent[0] > 0) {
                    lastTsnSent[0] = d.tsn().value();
                    anySent[0] = true;
                }
            }
        }));
        sim.ba.dropIf(Filters.observe(p -> {
            for (Chunk c : p.chunks()) {
                if (c instanceof SackChunk s) {
                    lastCumAck[0] = s.cumulativeTsnAck().value();
                }
            }
        }));
        // the cumulative ack may pass the last TSN sent: an abandoned message's unsent rest gets one
        // TSN that is never sent (OutstandingData.abandon), only announced by FORWARD TSN
        java.util.function.BooleanSupplier cumAtEnd = () -> anySent[0] && lastCumAck[0] - lastTsnSent[0] >= 0;
        int reliable = 0;
        for (int i = 0; i < 600; i++) {
            // every 5th message reliable on stream 0; the rest partially reliable on streams 1 and 2,
            // 1 byte to 20 KB so that many span several DATA chunks (abandoned as a whole, RFC 3758 §3.5)
            boolean rel = i % 5 == 0;
            int stream = rel ? 0 : 1 + i % 2;
            SendOptions so = rel ? SendOptions.RELIABLE_ORDERED : pr;
            byte[] p = ledger.payload(ledger.logUniformSize(1, 20_000));
            sim.a.assoc.send(stream, 53, p, so, sim.now);
            ledger.sent(stream, p, so);
            reliable += rel ? 1 : 0;
            if (i % 4 == 3) {
                sim.runFor(7);
            }
        }
        long start = sim.now;
        boolean done = sim.runUntil(() -> sim.a.assoc.bufferedAmount(1) == 0 && sim.a.assoc.bufferedAmount(2) == 0
                && sim.a.assoc.bufferedAmount(0) == 0 && cumAtEnd.getAsBoolean(), start + 300_000);
        sim.runFor(3_000); // late duplicates and retransmissions
        LOG.info("case {}: sent {} ({} reliable), received {}, {} ms\n{}", name, ledger.sentCount(), reliable,
                ledger.receivedCount(), sim.now - start, sim.stats());
        assertNull(sim.a.closed, "seed " + sim.seed);
        assertNull(sim.b.closed, "seed " + sim.seed);
        assertTrue(done, "receiver stopped progressing: cum ack " + Integer.toUnsignedString(lastCumAck[0])
                + ", last TSN sent " + Integer.toUnsignedString(lastTsnSent[0])
                + ", seed " + sim.seed + "; A " + sim.a.assoc.debugState() + "; B " + sim.b.assoc.debugState());
        assertNull(ledger.checkSafety(), "seed " + sim.seed);
        assertNull(ledger.checkComplete(), "reliable stream 0 complete, seed " + sim.seed);
        assertTrue(cumAtEnd.getAsBoolean(), "cumulative TSN reached A's last TSN");
        assertTrue(ledger.receivedCount() < ledger.sentCount(), "some partially reliable messages were abandoned");
        assertTrue(sim.ab.chunks(ForwardTsnChunk.TYPE) > 0, "FORWARD TSN was sent");
        assertEquals(0, sim.a.assoc.internalErrorCount() + sim.b.assoc.internalErrorCount());
    }
}
