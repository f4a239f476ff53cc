package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.ReConfigChunk;
import org.jdatachannel.sctp.packet.parameter.OutgoingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.packet.parameter.ReconfigurationResponseParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/**
 * A peer that refuses our outgoing SSN reset (RFC 6525 §5.2.1 "Denied" or an error result): the
 * user is told ({@link SctpOutput.StreamResetFailed}), the stream can be used again with its SSNs
 * continuing, and a later FORWARD TSN names the stream's skipped SSN again (the request's mark on
 * the sent chunks is undone: the peer never reset the stream).
 */
class StreamResetFailureTest {
    private static List<Chunk> chunks(byte[] packet) {
        try {
            return SctpPacket.parse(ByteBuffer.wrap(packet)).chunks();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Parameter> reconfigParams(byte[] packet) {
        List<Parameter> l = new ArrayList<>();
        for (Chunk c : chunks(packet)) {
            if (c instanceof ReConfigChunk r) {
                l.addAll(r.parameters());
            }
        }
        return l;
    }

    private static long count(NetSim.Peer p, Class<?> type) {
        return p.events.stream().filter(type::isInstance).count();
    }

    /** The scripted peer's answer to A's request, replacing B's real answer (which is dropped). */
    private static void refuse(NetSim sim, int tagOfA, int requestSeq, int result) {
        byte[] p = new SctpPacket(5000, 5000, tagOfA, List.of(new ReConfigChunk(
                List.of(new ReconfigurationResponseParameter(requestSeq, result))))).serialize();
        sim.a.assoc.handleInput(ByteBuffer.wrap(p), sim.now);
        sim.drain();
    }

    private void refusedResetIsReportedAndUndone(int result) {
        NetSim sim = new NetSim(3);
        List<OutgoingSsnResetRequestParameter> requests = new ArrayList<>();
        List<ForwardTsnChunk> forwards = new ArrayList<>();
        int[] tagOfA = {0};
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.b) {
                tagOfA[0] = ByteBuffer.wrap(bytes).getInt(4);
                // B's real answer never reaches A: the scripted answer does
                return reconfigParams(bytes).stream().anyMatch(ReconfigurationResponseParameter.class::isInstance);
            }
            boolean dataOnStream2 = false;
            for (Chunk c : chunks(bytes)) {
                if (c instanceof ReConfigChunk r) {
                    r.parameters().stream().filter(OutgoingSsnResetRequestParameter.class::isInstance)
                            .forEach(x -> requests.add((OutgoingSsnResetRequestParameter) x));
                } else if (c instanceof ForwardTsnChunk f) {
                    forwards.add(f);
                } else if (c instanceof DataChunk d && d.streamId().value() != 0) {
                    dataOnStream2 = true;
                }
            }
            return dataOnStream2; // every DATA on streams 2 and 4 is lost, so their messages will be abandoned
        };
        assertTrue(sim.connect(false));
        // a message that may not be retransmitted (maxRetransmits 0), lost; then the stream is reset
        sim.a.assoc.send(2, 51, new byte[] {7}, new SendOptions(false, 0, -1), sim.now);
        sim.a.assoc.resetStreams(new int[] {2}, sim.now);
        assertTrue(sim.runUntil(() -> !requests.isEmpty(), sim.now + 1000));
        // a later lost message on another stream, so the FORWARD TSN moves beyond the request's
        // Sender's Last Assigned TSN (where a performed reset would leave stream 2 out)
        sim.a.assoc.send(4, 51, new byte[] {9}, new SendOptions(false, 0, -1), sim.now);
        sim.drain();
        assertTrue(forwards.isEmpty(), "nothing abandoned yet");
        refuse(sim, tagOfA[0], requests.get(0).requestSequenceNumber(), result);

        List<SctpOutput.StreamResetFailed> failed = sim.a.events.stream()
                .filter(SctpOutput.StreamResetFailed.class::isInstance).map(SctpOutput.StreamResetFailed.class::cast).toList();
        assertEquals(1, failed.size(), "events " + sim.a.events);
        assertArrayEquals(new int[] {2}, failed.get(0).streamIds());
        assertEquals(result, failed.get(0).result());
        assertEquals(0, count(sim.a, SctpOutput.OutgoingStreamsReset.class));

        // the lost message is abandoned (T3-rtx, maxRetransmits 0): the FORWARD TSN names stream 2,
        // SSN 0, because the peer never reset the stream
        assertTrue(sim.runUntil(() -> forwards.stream().anyMatch(f -> f.skipped().size() == 2
                || f.skipped().stream().anyMatch(x -> x.streamId().value() == 4)), sim.now + 10_000), sim.stats());
        assertEquals(List.of(new ForwardTsnChunk.SkippedStream(2, 0), new ForwardTsnChunk.SkippedStream(4, 0)),
                forwards.get(forwards.size() - 1).skipped(), "forwards " + forwards);
        // no retry of the refused request, and the stream is usable again
        sim.runFor(5000);
        assertEquals(1, requests.size(), "requests " + requests);
        // (B here did perform the reset, only its answer was replaced, so what it delivers now says
        // nothing; what A sends does: the next message continues the stream's SSNs)
        List<DataChunk> sent = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a) {
                chunks(bytes).stream().filter(DataChunk.class::isInstance).forEach(c -> sent.add((DataChunk) c));
            }
            return false;
        };
        sim.a.assoc.send(2, 51, new byte[] {8}, SendOptions.RELIABLE_ORDERED, sim.now);
        assertTrue(sim.runUntil(() -> !sent.isEmpty(), sim.now + 5000));
        assertEquals(2, sent.get(0).streamId().value());
        assertEquals(1, sent.get(0).ssn().value(), "SSN continues after a refused reset");
        assertEquals(0, count(sim.a, SctpOutput.OutgoingStreamsReset.class));
        assertNull(sim.a.closed);
        assertFalse(sim.a.assoc.state().compareTo(AssociationState.ESTABLISHED) > 0);
    }

    @Test
    void deniedResetIsReportedAndTheStreamKeepsItsSsns() {
        refusedResetIsReportedAndUndone(ReconfigurationResponseParameter.RESULT_DENIED);
    }

    @Test
    void badSequenceNumberIsAFailureToo() {
        refusedResetIsReportedAndUndone(ReconfigurationResponseParameter.RESULT_ERROR_BAD_SEQUENCE_NUMBER);
    }
}
