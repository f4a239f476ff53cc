package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/**
 * RFC 9653 §5.3 ties accepting zero checksums to the association ("... used for this association"):
 * a stateless INIT ACK answering a stray INIT does not make an endpoint without a TCB accept them,
 * and packets with INIT or COOKIE ECHO need a correct CRC32c (§5.2) even while a TCB exists.
 */
class ZeroChecksumScopeTest {
    private static final SctpOptions ZC = SctpOptions.builder().zeroChecksumOverDtls(true).build();

    private static List<Chunk> feed(Association a, byte[] packet, long now) {
        a.handleInput(ByteBuffer.wrap(packet), now);
        List<Chunk> out = new ArrayList<>();
        SctpOutput o;
        while ((o = a.pollOutput()) != null) {
            if (o instanceof SctpOutput.SendPacket sp) {
                try {
                    out.addAll(SctpPacket.parse(ByteBuffer.wrap(sp.packet()), true).chunks());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    private static byte[] init(boolean zeroChecksum) {
        return new SctpPacket(5000, 5000, 0, List.of(new InitChunk(0x1234, 100_000, 16, 16, 1000, List.of())))
                .serialize(zeroChecksum);
    }

    @Test
    void noTcbNoZeroChecksumEvenAfterAnsweringAnInit() {
        Association b = new Association(ZC, new SplittableRandom(1));
        List<Chunk> out = feed(b, init(false), 0);
        assertEquals(1, out.size());
        assertInstanceOf(InitAckChunk.class, out.get(0), "a stray INIT with a CRC is answered (stateless)");
        assertEquals(List.of(), feed(b, init(true), 1), "without a TCB a zero checksum is a bad checksum");
        assertEquals(AssociationState.CLOSED, b.state());
    }

    @Test
    void withinTheAssociationZeroIsAcceptedButNotForCookieEcho() {
        NetSim sim = new NetSim(5, ZC, ZC);
        List<byte[]> cookieEchoes = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            if (p == sim.a && StreamResetTest.chunks(bytes).get(0) instanceof CookieEchoChunk) {
                cookieEchoes.add(bytes);
            }
            return false;
        };
        assertTrue(sim.connect(false));
        int tagOfB = ByteBuffer.wrap(cookieEchoes.get(0)).getInt(4);
        byte[] hb = new SctpPacket(5000, 5000, tagOfB,
                List.of(new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[] {1, 2}))))).serialize(true);
        List<Chunk> out = feed(sim.b.assoc, hb, sim.now);
        assertTrue(out.stream().anyMatch(HeartbeatAckChunk.class::isInstance), "zero checksum accepted: " + out);

        // the recorded COOKIE ECHO again (RFC 9260 §5.2.4 D: answered with COOKIE ACK), once with a
        // zero checksum (dropped) and once with its CRC
        SctpPacket echo;
        try {
            echo = SctpPacket.parse(ByteBuffer.wrap(cookieEchoes.get(0)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        byte[] zero = new SctpPacket(5000, 5000, tagOfB, echo.chunks()).serialize(true);
        assertEquals(List.of(), feed(sim.b.assoc, zero, sim.now), "COOKIE ECHO needs a correct CRC32c");
        out = feed(sim.b.assoc, cookieEchoes.get(0), sim.now);
        assertTrue(out.stream().anyMatch(CookieAckChunk.class::isInstance), "with its CRC: " + out);

        // once the association ended, zero checksums are bad checksums again
        sim.b.assoc.abort("test", sim.now);
        sim.drain();
        assertEquals(AssociationState.CLOSED, sim.b.assoc.state());
        assertEquals(List.of(), feed(sim.b.assoc, hb, sim.now));
    }
}
