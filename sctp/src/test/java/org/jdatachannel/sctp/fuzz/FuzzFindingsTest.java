package org.jdatachannel.sctp.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdatachannel.sctp.Association;
import org.jdatachannel.sctp.AssociationProbe;
import org.jdatachannel.sctp.SctpOutput;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.chunk.UnknownChunk;
import org.jdatachannel.sctp.packet.errorcause.UnrecognizedChunkTypeCause;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.packet.parameter.StateCookieParameter;
import org.jdatachannel.sctp.packet.parameter.UnknownParameter;
import org.jdatachannel.sctp.packet.parameter.UnrecognizedParameterParameter;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for what the fuzz targets found, one per bug, deterministic. The inputs that
 * found them are also in the regression corpus as {@code crash-*} files.
 */
class FuzzFindingsTest {
    private static final int MTU = Harness.options().mtu();

    /** Feeds {@code b} one packet (tag and CRC as given) and returns the packets it sent. */
    static List<SctpPacket> feed(Association b, long now, int tag, Chunk... chunks) throws Exception {
        b.handleInput(ByteBuffer.wrap(new SctpPacket(Harness.PORT, Harness.PORT, tag, List.of(chunks)).serialize()), now);
        List<SctpPacket> sent = new ArrayList<>();
        SctpOutput o;
        while ((o = b.pollOutput()) != null) {
            if (o instanceof SctpOutput.SendPacket sp) {
                assertTrue(sp.packet().length <= MTU, "packet of " + sp.packet().length + " bytes > MTU " + MTU);
                sent.add(SctpPacket.parse(ByteBuffer.wrap(sp.packet())));
            }
        }
        assertEquals(0, AssociationProbe.internalErrors(b));
        return sent;
    }

    static <T extends Chunk> List<T> chunks(List<SctpPacket> packets, Class<T> type) {
        List<T> l = new ArrayList<>();
        for (SctpPacket p : packets) {
            for (Chunk c : p.chunks()) {
                if (type.isInstance(c)) {
                    l.add(type.cast(c));
                }
            }
        }
        return l;
    }

    /**
     * Found by {@code established}: an unrecognized chunk with the "report" bit (RFC 9260 §3.2) of
     * 1176 bytes made us quote it whole in an ERROR chunk, a 1196-byte packet above the 1191-byte MTU.
     * Now the quote is cut to fit.
     */
    @Test
    void unrecognizedChunkReportFitsTheMtu() throws Exception {
        Harness h = Harness.established();
        byte[] value = Harness.pattern(1172);
        List<SctpPacket> sent = feed(h.b, h.now, h.tagOfB, new UnknownChunk(0xf7, 2, value));
        List<ErrorChunk> errors = chunks(sent, ErrorChunk.class);
        assertEquals(1, errors.size());
        byte[] quoted = ((UnrecognizedChunkTypeCause) errors.get(0).causes().get(0)).unrecognizedChunk();
        byte[] whole = new UnknownChunk(0xf7, 2, value).chunkBytes();
        assertTrue(quoted.length < whole.length && quoted.length > 1000, "cut to fit: " + quoted.length);
        assertArrayEquals(Arrays.copyOf(whole, quoted.length), quoted, "the quote is the chunk's beginning");

        // several reportable chunks in one packet: one ERROR chunk, still within the MTU
        sent = feed(h.b, h.now, h.tagOfB, new UnknownChunk(0xf7, 0, Harness.pattern(600)),
                new UnknownChunk(0xf8, 0, Harness.pattern(600)), new UnknownChunk(0xf9, 0, Harness.pattern(600)));
        assertEquals(1, chunks(sent, ErrorChunk.class).size());
    }

    /** A HEARTBEAT whose ACK cannot fit our MTU is not answered (§8.3 "SHOULD"), small ones are. */
    @Test
    void heartbeatAckNeverExceedsTheMtu() throws Exception {
        Harness h = Harness.established();
        List<SctpPacket> sent = feed(h.b, h.now, h.tagOfB,
                new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[1400]))));
        assertTrue(chunks(sent, HeartbeatAckChunk.class).isEmpty());
        sent = feed(h.b, h.now, h.tagOfB, new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[1000]))));
        assertEquals(1, chunks(sent, HeartbeatAckChunk.class).size());
    }

    /**
     * Found while bounding the control queue: in COOKIE-WAIT a packet with our tag and HEARTBEAT
     * chunks queued a HEARTBEAT ACK each, never sent (no peer tag yet) and never dropped until the
     * handshake ended, so a flood grew memory without bound. Now they are not answered before the
     * peer's tag is known; the association still completes its handshake afterwards.
     */
    @Test
    void heartbeatsInCookieWaitAreNotQueued() throws Exception {
        Harness h = new Harness();
        h.b.connect(h.now);
        SctpPacket init = SctpPacket.parse(ByteBuffer.wrap(((SctpOutput.SendPacket) h.b.pollOutput()).packet()));
        int tagOfB = ((InitChunk) init.chunks().get(0)).initiateTag().value();
        List<Chunk> heartbeats = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            heartbeats.add(new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[] {(byte) i}))));
        }
        for (int p = 0; p < 20; p++) {
            assertTrue(feed(h.b, h.now, tagOfB, heartbeats.toArray(new Chunk[0])).isEmpty());
            assertEquals(0, AssociationProbe.footprint(h.b).controlChunks(), "nothing queued in COOKIE-WAIT");
        }
        h.a.connect(h.now);
        h.pump();
        assertEquals(org.jdatachannel.sctp.AssociationState.ESTABLISHED, h.b.state());
    }

    /**
     * A State Cookie too large for our MTU (the peer chose it) is echoed alone, without the ERROR
     * chunk that would report unrecognized INIT ACK parameters, so the handshake can still complete.
     */
    @Test
    void oversizedCookieIsEchoedAlone() throws Exception {
        Harness h = new Harness();
        h.b.connect(h.now);
        SctpPacket init = SctpPacket.parse(ByteBuffer.wrap(((SctpOutput.SendPacket) h.b.pollOutput()).packet()));
        int tagOfB = ((InitChunk) init.chunks().get(0)).initiateTag().value();
        InitAckChunk ack = new InitAckChunk(0x0badcafe, 1 << 20, 10, 10, 1, List.of(
                new StateCookieParameter(Harness.pattern(2000)), new UnknownParameter(0xc123, new byte[8])));
        h.b.handleInput(ByteBuffer.wrap(new SctpPacket(Harness.PORT, Harness.PORT, tagOfB, List.of(ack)).serialize()), 1);
        SctpPacket echo = SctpPacket.parse(ByteBuffer.wrap(((SctpOutput.SendPacket) h.b.pollOutput()).packet()));
        assertEquals(1, echo.chunks().size(), "COOKIE ECHO alone: " + echo);
        assertArrayEquals(Harness.pattern(2000), assertInstanceOf(CookieEchoChunk.class, echo.chunks().get(0)).cookie());
        assertEquals(org.jdatachannel.sctp.AssociationState.COOKIE_ECHOED, h.b.state());
    }

    /**
     * INIT parameters to "skip and report" (§3.2.1 upper bits 11) are echoed in the INIT ACK only as
     * far as it fits the MTU; the association still works with the cookie.
     */
    @Test
    void unrecognizedInitParametersAreEchoedWithinTheMtu() throws Exception {
        Harness h = new Harness();
        List<Parameter> params = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            params.add(new UnknownParameter(0xc100 + i, Harness.pattern(300)));
        }
        List<SctpPacket> sent = feed(h.b, 0, 0, new InitChunk(0x01020304, 1 << 20, 100, 100, 5, params));
        InitAckChunk ack = assertInstanceOf(InitAckChunk.class, sent.get(0).chunks().get(0));
        long echoed = ack.parameters().stream().filter(p -> p instanceof UnrecognizedParameterParameter).count();
        assertTrue(echoed >= 1 && echoed < 10, "echoed " + echoed);
        byte[] cookie = ack.parameter(StateCookieParameter.class).cookie();
        sent = feed(h.b, 1, ack.initiateTag().value(), new CookieEchoChunk(cookie));
        assertEquals(org.jdatachannel.sctp.AssociationState.ESTABLISHED, h.b.state());
    }
}
