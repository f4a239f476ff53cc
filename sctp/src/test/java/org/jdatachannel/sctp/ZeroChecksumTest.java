package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.packet.parameter.ZeroChecksumAcceptableParameter;
import org.jdatachannel.sctp.sim.NetSim;
import org.junit.jupiter.api.Test;

/** RFC 9653 zero checksum over DTLS: negotiation, what goes on the wire, what is accepted. */
class ZeroChecksumTest {

    static SctpOptions opts(boolean zc) {
        return SctpOptions.builder().zeroChecksumOverDtls(zc).build();
    }

    static int checksumField(byte[] packet) {
        return ByteBuffer.wrap(packet).getInt(8);
    }

    static boolean crcValid(byte[] packet) {
        return Integer.reverseBytes(checksumField(packet)) == SctpPacket.crc32c(ByteBuffer.wrap(packet));
    }

    record Sent(boolean fromA, byte[] bytes, List<Chunk> chunks) {
    }

    static List<Sent> record(NetSim sim) {
        List<Sent> l = new ArrayList<>();
        sim.dropFilter = (p, bytes) -> {
            l.add(new Sent(p == sim.a, bytes, InterleavingTest.parse(bytes).chunks()));
            return false;
        };
        return l;
    }

    static boolean announces(List<Chunk> chunks) {
        for (Chunk c : chunks) {
            List<Parameter> ps = c instanceof InitChunk i ? i.parameters() : c instanceof InitAckChunk ia ? ia.parameters() : null;
            if (ps != null) {
                return ps.contains(new ZeroChecksumAcceptableParameter(ZeroChecksumAcceptableParameter.METHOD_DTLS));
            }
        }
        return false;
    }

    @Test
    void negotiationMatrix() {
        for (boolean a : new boolean[] {false, true}) {
            for (boolean b : new boolean[] {false, true}) {
                for (boolean both : new boolean[] {false, true}) {
                    NetSim sim = new NetSim(81, opts(a), opts(b));
                    List<Sent> wire = record(sim);
                    assertTrue(sim.connect(both));
                    for (int i = 0; i < 20; i++) {
                        sim.a.assoc.send(1, 51, new byte[1 + i * 300], SendOptions.RELIABLE_ORDERED, sim.now);
                        sim.b.assoc.send(2, 51, new byte[1 + i * 300], SendOptions.RELIABLE_ORDERED, sim.now);
                    }
                    sim.runFor(3_000);
                    assertEquals(20, sim.a.messages.size());
                    assertEquals(20, sim.b.messages.size());
                    String what = "A " + a + " B " + b + (both ? " simultaneous" : "");
                    int zeroFromA = 0;
                    int zeroFromB = 0;
                    for (Sent s : wire) {
                        boolean mine = s.fromA() ? a : b;
                        boolean peers = s.fromA() ? b : a;
                        boolean handshake = s.chunks().stream().anyMatch(c -> c instanceof InitChunk
                                || c instanceof InitAckChunk || c instanceof CookieEchoChunk);
                        if (s.chunks().get(0) instanceof InitChunk || s.chunks().get(0) instanceof InitAckChunk) {
                            // RFC 9653 §5.1: announced in INIT and INIT ACK exactly when enabled
                            assertEquals(mine, announces(s.chunks()), what + ": " + s.chunks());
                        }
                        if (checksumField(s.bytes()) == 0) {
                            // RFC 9653 §5.2: only towards a peer that announced DTLS, never on handshake packets
                            assertTrue(mine && peers, what + ": zero checksum without negotiation");
                            assertFalse(handshake, what + ": zero checksum on " + s.chunks());
                            if (s.fromA()) {
                                zeroFromA++;
                            } else {
                                zeroFromB++;
                            }
                        } else {
                            assertTrue(crcValid(s.bytes()), what);
                            // after the handshake, a negotiated sender always uses zero
                            assertTrue(handshake || !(mine && peers), what + ": CRC although negotiated: " + s.chunks());
                        }
                    }
                    boolean negotiated = a && b;
                    assertEquals(negotiated, zeroFromA > 0, what);
                    assertEquals(negotiated, zeroFromB > 0, what);
                }
            }
        }
    }

    @Test
    void packetsBeforeNegotiationCarryCrcAndAfterwardsZero() {
        NetSim sim = new NetSim(82, opts(true), opts(true));
        List<Sent> wire = record(sim);
        assertTrue(sim.connect(false));
        sim.a.assoc.send(1, 51, new byte[10], SendOptions.RELIABLE_ORDERED, sim.now);
        sim.runFor(1_000);
        // INIT, INIT ACK, COOKIE ECHO: CRC32c (INIT: "MUST include a correct CRC32c checksum")
        assertTrue(wire.get(0).chunks().get(0) instanceof InitChunk);
        assertTrue(crcValid(wire.get(0).bytes()));
        assertTrue(wire.get(1).chunks().get(0) instanceof InitAckChunk);
        assertTrue(crcValid(wire.get(1).bytes()));
        assertTrue(wire.get(2).chunks().get(0) instanceof CookieEchoChunk);
        assertTrue(crcValid(wire.get(2).bytes()));
        // COOKIE ACK and everything after: zero
        for (Sent s : wire.subList(3, wire.size())) {
            assertEquals(0, checksumField(s.bytes()), s.chunks().toString());
        }
        assertEquals(1, sim.b.messages.size());
    }

    @Test
    void wrongChecksumsAreDroppedCorrectOnesAlwaysAccepted() {
        NetSim sim = new NetSim(83, opts(true), opts(false));
        List<Sent> wire = record(sim);
        assertTrue(sim.connect(false));
        int tagOfB = wire.stream().filter(Sent::fromA).reduce((x, y) -> y).orElseThrow().bytes().length > 0
                ? ByteBuffer.wrap(wire.stream().filter(Sent::fromA).reduce((x, y) -> y).orElseThrow().bytes()).getInt(4) : 0;
        int tagOfA = ByteBuffer.wrap(wire.stream().filter(s -> !s.fromA()).reduce((x, y) -> y).orElseThrow().bytes()).getInt(4);
        // DATA to A (which announced zero checksum): zero accepted, valid CRC accepted, wrong CRC dropped
        byte[] zero = new SctpPacket(5000, 5000, tagOfA, List.of(new DataChunk(dataTsn(sim, sim.b), 0, 0, 51,
                new byte[] {1}, false, true, true))).serialize(true);
        sim.a.assoc.handleInput(ByteBuffer.wrap(zero), sim.now);
        sim.drain();
        assertEquals(1, sim.a.messages.size(), "A accepts a zero checksum after announcing it");
        byte[] bad = new SctpPacket(5000, 5000, tagOfA, List.of(new DataChunk(dataTsn(sim, sim.b) + 1, 0, 1, 51,
                new byte[] {2}, false, true, true))).serialize();
        bad[11] ^= 0x40;
        sim.a.assoc.handleInput(ByteBuffer.wrap(bad), sim.now);
        sim.drain();
        assertEquals(1, sim.a.messages.size(), "a wrong non-zero checksum is dropped");
        bad[11] ^= 0x40;
        sim.a.assoc.handleInput(ByteBuffer.wrap(bad), sim.now);
        sim.drain();
        assertEquals(2, sim.a.messages.size(), "the correct CRC32c is accepted");
        // B did not announce: a zero checksum is dropped there
        byte[] toB = new SctpPacket(5000, 5000, tagOfB, List.of(new DataChunk(dataTsn(sim, sim.a), 0, 0, 51,
                new byte[] {3}, false, true, true))).serialize(true);
        sim.b.assoc.handleInput(ByteBuffer.wrap(toB), sim.now);
        sim.drain();
        assertEquals(0, sim.b.messages.size(), "B never announced zero checksum: RFC 9260 §6.8 applies");
        // and A never sends zero checksums to B, which did not announce
        sim.a.assoc.send(0, 51, new byte[] {4}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.runFor(1_000);
        assertTrue(wire.stream().filter(Sent::fromA).allMatch(s -> crcValid(s.bytes())));
    }

    /** The TSN the given peer will use next, learned by letting it send one chunk that is dropped. */
    private static int dataTsn(NetSim sim, NetSim.Peer from) {
        Integer[] tsn = new Integer[1];
        var f = sim.dropFilter;
        sim.dropFilter = (p, bytes) -> {
            for (Chunk c : InterleavingTest.parse(bytes).chunks()) {
                if (c instanceof DataChunk d && tsn[0] == null) {
                    tsn[0] = d.tsn().value();
                }
            }
            return true;
        };
        from.assoc.send(9, 51, new byte[] {0}, SendOptions.RELIABLE_ORDERED, sim.now);
        sim.drain();
        sim.dropFilter = f;
        return tsn[0];
    }
}
