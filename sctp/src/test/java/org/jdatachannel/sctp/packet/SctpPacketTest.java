package org.jdatachannel.sctp.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jdatachannel.sctp.packet.chunk.AbortChunk;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.chunk.PadChunk;
import org.jdatachannel.sctp.packet.chunk.ReConfigChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownAckChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownCompleteChunk;
import org.jdatachannel.sctp.packet.chunk.UnknownChunk;
import org.jdatachannel.sctp.packet.errorcause.CookieReceivedWhileShuttingDownCause;
import org.jdatachannel.sctp.packet.errorcause.ErrorCause;
import org.jdatachannel.sctp.packet.errorcause.InvalidMandatoryParameterCause;
import org.jdatachannel.sctp.packet.errorcause.InvalidStreamIdentifierCause;
import org.jdatachannel.sctp.packet.errorcause.MissingMandatoryParameterCause;
import org.jdatachannel.sctp.packet.errorcause.NoUserDataCause;
import org.jdatachannel.sctp.packet.errorcause.OutOfResourceCause;
import org.jdatachannel.sctp.packet.errorcause.ProtocolViolationCause;
import org.jdatachannel.sctp.packet.errorcause.StaleCookieCause;
import org.jdatachannel.sctp.packet.errorcause.UnknownErrorCause;
import org.jdatachannel.sctp.packet.errorcause.UnrecognizedChunkTypeCause;
import org.jdatachannel.sctp.packet.errorcause.UnrecognizedParametersCause;
import org.jdatachannel.sctp.packet.errorcause.UserInitiatedAbortCause;
import org.jdatachannel.sctp.packet.parameter.ForwardTsnSupportedParameter;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.packet.parameter.IncomingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.OutgoingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.packet.parameter.ReconfigurationResponseParameter;
import org.jdatachannel.sctp.packet.parameter.StateCookieParameter;
import org.jdatachannel.sctp.packet.parameter.SupportedExtensionsParameter;
import org.jdatachannel.sctp.packet.parameter.UnknownParameter;
import org.jdatachannel.sctp.packet.parameter.UnrecognizedParameterParameter;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Byte vectors, round trips and garbage for the packet layer (RFC 9260 §3, RFC 3758, RFC 6525). */
public class SctpPacketTest {
    private static final Logger LOG = LoggerFactory.getLogger(SctpPacketTest.class);

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** Header (ports 5000, tag) + the given chunk bytes, with a correct CRC32c. */
    static byte[] packet(int tag, byte[] chunks) {
        ByteBuffer b = ByteBuffer.allocate(12 + chunks.length);
        b.putShort((short) 5000).putShort((short) 5000).putInt(tag).putInt(0).put(chunks);
        b.putInt(8, Integer.reverseBytes(SctpPacket.crc32c(ByteBuffer.wrap(b.array()))));
        return b.array();
    }

    static Chunk only(byte[] packet) throws PacketParseException {
        SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(packet));
        assertEquals(1, p.chunks().size());
        assertArrayEquals(packet, p.serialize(), "re-serialization is byte-identical");
        return p.chunks().get(0);
    }

    /**
     * A Chromium/dcSCTP-style INIT captured with Wireshark (as used in dcSCTP's own tests): Forward-TSN
     * supported, Supported Extensions, an unknown 0x8000 parameter, AUTH parameters, and a final
     * parameter whose padding is outside the chunk length (RFC 9260 §3.2).
     */
    public static final byte[] CAPTURED_INIT = bytes(
            0x13, 0x88, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00, 0xaa, 0x01, 0x9d, 0x33,
            0x01, 0x00, 0x00, 0x5a, 0x0e, 0xdd, 0xca, 0x08, 0x00, 0x02, 0x00, 0x00,
            0x03, 0xe8, 0x03, 0xe8, 0x55, 0x08, 0x36, 0x37, 0x80, 0x00, 0x00, 0x04,
            0xc0, 0x00, 0x00, 0x04, 0x80, 0x08, 0x00, 0x09, 0xc0, 0x0f, 0xc1, 0x80,
            0x82, 0x00, 0x00, 0x00, 0x80, 0x02, 0x00, 0x24, 0xc5, 0xa8, 0x61, 0x55,
            0x09, 0x0e, 0x6f, 0x42, 0x00, 0x50, 0x63, 0x4c, 0xc8, 0xd6, 0xb9, 0x08,
            0xdf, 0xd5, 0x3e, 0x17, 0xc9, 0x9c, 0xb1, 0x43, 0x28, 0x4e, 0xaf, 0x64,
            0x68, 0x2a, 0xc2, 0x97, 0x80, 0x04, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00,
            0x80, 0x03, 0x00, 0x06, 0x80, 0xc1, 0x00, 0x00);

    /** A usrsctp-style INIT (1024 outbound / 2048 inbound streams) as captured in Pion's tests. */
    public static final byte[] CAPTURED_USRSCTP_INIT = bytes(
            0x13, 0x88, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00, 0x81, 0x46, 0x9d, 0xfc, 0x01, 0x00, 0x00, 0x56, 0x55,
            0xb9, 0x64, 0xa5, 0x00, 0x02, 0x00, 0x00, 0x04, 0x00, 0x08, 0x00, 0xe8, 0x6d, 0x10, 0x30, 0xc0, 0x00, 0x00, 0x04, 0x80,
            0x08, 0x00, 0x09, 0xc0, 0x0f, 0xc1, 0x80, 0x82, 0x00, 0x00, 0x00, 0x80, 0x02, 0x00, 0x24, 0x9f, 0xeb, 0xbb, 0x5c, 0x50,
            0xc9, 0xbf, 0x75, 0x9c, 0xb1, 0x2c, 0x57, 0x4f, 0xa4, 0x5a, 0x51, 0xba, 0x60, 0x17, 0x78, 0x27, 0x94, 0x5c, 0x31, 0xe6,
            0x5d, 0x5b, 0x09, 0x47, 0xe2, 0x22, 0x06, 0x80, 0x04, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x80, 0x03, 0x00, 0x06, 0x80,
            0xc1, 0x00, 0x00);

    @Test
    void capturedUsrsctpInitAndInitAck() throws Exception {
        InitChunk init = assertInstanceOf(InitChunk.class, only(CAPTURED_USRSCTP_INIT));
        assertEquals(1438213285, init.initiateTag().value());
        assertEquals(131072, init.aRwnd());
        assertEquals(1024, init.outboundStreams());
        assertEquals(2048, init.inboundStreams());
        assertEquals(3899461680L, Integer.toUnsignedLong(init.initialTsn().value()));
        assertTrue(init.parameter(SupportedExtensionsParameter.class).supports(0xc0));
        // a small INIT ACK with a 4-byte State Cookie, sent with a verification tag
        byte[] initAck = bytes(0x13, 0x88, 0x13, 0x88, 0xce, 0x15, 0x79, 0xa2, 0x96, 0x19, 0xe8, 0xb2, 0x02, 0x00, 0x00,
                0x1c, 0xeb, 0x81, 0x4e, 0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x08, 0x00, 0x50, 0xdf, 0x90, 0xd9, 0x00,
                0x07, 0x00, 0x08, 0x94, 0x06, 0x2f, 0x93);
        InitAckChunk ack = assertInstanceOf(InitAckChunk.class, only(initAck));
        assertArrayEquals(bytes(0x94, 0x06, 0x2f, 0x93), ack.parameter(StateCookieParameter.class).cookie());
    }

    @Test
    void capturedChromiumStyleInit() throws Exception {
        InitChunk init = assertInstanceOf(InitChunk.class, only(CAPTURED_INIT));
        assertEquals(0x0eddca08, init.initiateTag().value());
        assertEquals(131072, init.aRwnd());
        assertEquals(1000, init.outboundStreams());
        assertEquals(1000, init.inboundStreams());
        assertEquals(0x55083637, init.initialTsn().value());
        assertEquals(6, init.parameters().size());
        assertInstanceOf(UnknownParameter.class, init.parameters().get(0));
        assertInstanceOf(ForwardTsnSupportedParameter.class, init.parameters().get(1));
        SupportedExtensionsParameter ext = init.parameter(SupportedExtensionsParameter.class);
        assertArrayEquals(new int[] {0xc0, 0x0f, 0xc1, 0x80, 0x82}, ext.chunkTypes());
        assertTrue(ext.supports(0x82));
        UnknownParameter random = (UnknownParameter) init.parameters().get(3);
        assertEquals(0x8002, random.type());
        assertTrue(random.skipAndContinue());
        assertFalse(random.report());
        assertEquals(0xaa019d33, Integer.reverseBytes(SctpPacket.crc32c(ByteBuffer.wrap(CAPTURED_INIT))),
                "CRC32c written least significant byte first (RFC 9260 Appendix B)");
    }

    /** INIT and DATA packets built by scapy, an independent implementation. */
    @Test
    void independentVectors() throws Exception {
        byte[] init = bytes(0x13, 0x88, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00, 0x16, 0xde, 0x25, 0x9a,
                0x01, 0x00, 0x00, 0x14, 0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 0xa0, 0x00,
                0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x10, 0x00);
        InitChunk i = assertInstanceOf(InitChunk.class, only(init));
        assertEquals(new InitChunk(0x12345678, 106496, 1024, 1024, 0x1000, List.of()), i);
        byte[] data = bytes(0xc0, 0x00, 0x13, 0x88, 0xde, 0xad, 0xbe, 0xef, 0x94, 0x0b, 0x27, 0x86,
                0x00, 0x03, 0x00, 0x12, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x35, 0x68, 0x69, 0x00, 0x00);
        SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(data));
        assertEquals(49152, p.sourcePort());
        assertEquals(5000, p.destinationPort());
        assertEquals(0xdeadbeef, p.verificationTag().value());
        DataChunk d = (DataChunk) p.chunks().get(0);
        assertEquals(1, d.tsn().value());
        assertEquals(53, d.ppid().value());
        assertTrue(d.beginning() && d.end() && !d.unordered());
        assertEquals("hi", new String(d.payload(), StandardCharsets.US_ASCII));
        assertArrayEquals(data, p.serialize());
    }

    @Test
    void badChecksumIsRejected() {
        byte[] b = CAPTURED_INIT.clone();
        b[20] ^= 1;
        PacketParseException e = assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(b)));
        assertTrue(e.getMessage().contains("checksum"));
    }

    @Test
    void sackVector() throws Exception {
        // RFC 9260 §3.3.4 layout: cum 16, a_rwnd 65536, 2 gap blocks (2-3, 5-5), 1 duplicate (15)
        byte[] p = packet(7, bytes(0x03, 0x00, 0x00, 0x1c, 0, 0, 0, 0x10, 0, 1, 0, 0, 0, 2, 0, 1,
                0, 2, 0, 3, 0, 5, 0, 5, 0, 0, 0, 0x0f));
        SackChunk s = assertInstanceOf(SackChunk.class, only(p));
        assertEquals(new SackChunk(16, 65536, List.of(new SackChunk.GapAckBlock(2, 3), new SackChunk.GapAckBlock(5, 5)),
                new int[] {15}), s);
        assertEquals("SACK(cum=16, a_rwnd=65536, gap 2-3, gap 5-5, dups=1)", s.toString());
        // counts not matching the length
        byte[] bad = packet(7, bytes(0x03, 0x00, 0x00, 0x14, 0, 0, 0, 0x10, 0, 1, 0, 0, 0, 2, 0, 1, 0, 2, 0, 3));
        assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(bad)));
    }

    @Test
    void forwardTsnVector() throws Exception {
        // RFC 3758 §3.2: new cum 100, (stream 1, ssn 5), (stream 2, ssn 7)
        byte[] p = packet(7, bytes(0xc0, 0, 0, 0x10, 0, 0, 0, 100, 0, 1, 0, 5, 0, 2, 0, 7));
        ForwardTsnChunk f = assertInstanceOf(ForwardTsnChunk.class, only(p));
        assertEquals(new ForwardTsnChunk(100, List.of(new ForwardTsnChunk.SkippedStream(1, 5),
                new ForwardTsnChunk.SkippedStream(2, 7))), f);
        byte[] odd = packet(7, bytes(0xc0, 0, 0, 0x0a, 0, 0, 0, 100, 0, 1, 0, 0));
        assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(odd)));
    }

    @Test
    void reconfigVectors() throws Exception {
        // RFC 6525 §4.1: Outgoing SSN Reset Request, req 1, resp 2, last TSN 3, stream 1; the
        // parameter is 18 bytes, the chunk 22, padded to 24 in the packet
        byte[] p = packet(7, bytes(0x82, 0, 0, 0x16, 0, 0x0d, 0, 0x12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 0, 0));
        ReConfigChunk r = assertInstanceOf(ReConfigChunk.class, only(p));
        assertEquals(new OutgoingSsnResetRequestParameter(1, 2, 3, new int[] {1}), r.parameters().get(0));
        // RFC 6525 §4.4: response seq 1, result 1 (Success - Performed)
        byte[] q = packet(7, bytes(0x82, 0, 0, 0x10, 0, 0x10, 0, 0x0c, 0, 0, 0, 1, 0, 0, 0, 1));
        ReConfigChunk r2 = assertInstanceOf(ReConfigChunk.class, only(q));
        assertEquals(new ReconfigurationResponseParameter(1, 1), r2.parameters().get(0));
        assertTrue(r2.toString().contains("Success - Performed"));
        // §4.2 Incoming SSN Reset Request, req 9, streams 3 and 4
        byte[] i = packet(7, bytes(0x82, 0, 0, 0x10, 0, 0x0e, 0, 0x0c, 0, 0, 0, 9, 0, 3, 0, 4));
        assertEquals(new IncomingSsnResetRequestParameter(9, new int[] {3, 4}),
                ((ReConfigChunk) only(i)).parameters().get(0));
    }

    @Test
    void abortWithUserInitiatedCause() throws Exception {
        // ABORT, T bit, cause 12 "bye" (length 7) padded
        byte[] p = packet(7, bytes(0x06, 0x01, 0x00, 0x0b, 0, 0x0c, 0, 7, 'b', 'y', 'e', 0));
        AbortChunk a = assertInstanceOf(AbortChunk.class, only(p));
        assertTrue(a.tBit());
        assertEquals("bye", ((UserInitiatedAbortCause) a.causes().get(0)).text());
    }

    @Test
    void emptyChunks() throws Exception {
        assertEquals(new CookieAckChunk(false), only(packet(7, bytes(0x0b, 0, 0, 4))));
        assertEquals(new ShutdownAckChunk(false), only(packet(7, bytes(0x08, 0, 0, 4))));
        assertEquals(new ShutdownCompleteChunk(true), only(packet(7, bytes(0x0e, 1, 0, 4))));
        assertEquals(new ShutdownChunk(77), only(packet(7, bytes(0x07, 0, 0, 8, 0, 0, 0, 77))));
        assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(packet(7, bytes(0x0b, 0, 0, 8, 0, 0, 0, 0)))));
    }

    @Test
    void tlvChecksNameTheFailure() {
        PacketParseException shortLen = assertThrows(PacketParseException.class,
                () -> SctpPacket.parse(ByteBuffer.wrap(packet(7, bytes(0x0b, 0, 0, 2)))));
        assertTrue(shortLen.getMessage().contains("length 2 < 4"), shortLen.getMessage());
        PacketParseException tooLong = assertThrows(PacketParseException.class,
                () -> SctpPacket.parse(ByteBuffer.wrap(packet(7, bytes(0x0b, 0, 0, 12, 0, 0, 0, 0)))));
        assertTrue(tooLong.getMessage().contains("exceeds"), tooLong.getMessage());
        PacketParseException noPad = assertThrows(PacketParseException.class,
                () -> SctpPacket.parse(ByteBuffer.wrap(packet(7, bytes(0x0a, 0, 0, 5, 1, 0)))));
        assertTrue(noPad.getMessage().contains("padding"), noPad.getMessage());
        assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(new byte[11])));
        assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(packet(0, new byte[0]))));
    }

    @Test
    void unknownChunkKeepsBitsAndBytes() throws Exception {
        UnknownChunk u = assertInstanceOf(UnknownChunk.class, only(packet(7, bytes(0xc1, 0x05, 0, 6, 0xaa, 0xbb, 0, 0))));
        assertTrue(u.skipAndContinue() && u.report());
        assertArrayEquals(bytes(0xc1, 0x05, 0, 6, 0xaa, 0xbb), u.chunkBytes());
        UnknownChunk stop = new UnknownChunk(0x3f, 0, new byte[0]);
        assertFalse(stop.skipAndContinue() || stop.report());
    }

    /**
     * PAD (RFC 4820 §3, type 0x84): any flags and Padding Data are accepted and ignored; only the
     * length is kept, and serialization writes flags 0 and zero padding.
     */
    @Test
    void padChunkBytesAndRoundTrip() throws Exception {
        byte[] received = packet(7, bytes(0x84, 0x05, 0x00, 0x0a, 1, 2, 3, 4, 5, 6, 0, 0));
        SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(received));
        PadChunk pad = assertInstanceOf(PadChunk.class, p.chunks().get(0));
        assertEquals(6, pad.paddingLength());
        assertEquals("[PAD(6 bytes)]", p.chunks().toString());
        byte[] sent = packet(7, bytes(0x84, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0));
        assertArrayEquals(sent, p.serialize(), "flags and padding written as zeros");
        assertEquals(new PadChunk(6), only(sent));
        // unpadded length (RFC 9260 §3.2: the Length does not count the chunk's own padding)
        assertArrayEquals(packet(7, bytes(0x84, 0x00, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0)),
                new SctpPacket(5000, 5000, 7, List.of(new PadChunk(5))).serialize());
        assertEquals(new PadChunk(0), only(packet(7, bytes(0x84, 0x00, 0x00, 0x04))));
        // a PLPMTUD probe: HEARTBEAT + PAD filling the packet to exactly 1200 bytes
        HeartbeatRequestChunk hb = new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[16])));
        byte[] probe = new SctpPacket(5000, 5000, 7, List.of(hb, new PadChunk(1200 - 12 - 24 - 4))).serialize();
        assertEquals(1200, probe.length);
        assertEquals(List.of(hb.getClass(), PadChunk.class),
                SctpPacket.parse(ByteBuffer.wrap(probe)).chunks().stream().map(Object::getClass).toList());
        assertEquals(65531, new PadChunk(65531).valueLength());
        assertThrows(IllegalArgumentException.class, () -> new PadChunk(-1));
        assertThrows(IllegalArgumentException.class, () -> new PadChunk(65532));
    }

    /** One of every chunk, parameter and error cause, with values that exercise padding. */
    static List<Chunk> everyElement() {
        List<Parameter> params = List.of(new HeartbeatInfoParameter(bytes(1, 2, 3)),
                new StateCookieParameter(new byte[81]), new UnrecognizedParameterParameter(bytes(0x80, 9, 0, 5, 7)),
                new SupportedExtensionsParameter(new int[] {0x82, 0xc0}), new ForwardTsnSupportedParameter(),
                new OutgoingSsnResetRequestParameter(1, 2, 3, new int[] {4, 5, 6}),
                new IncomingSsnResetRequestParameter(7, new int[0]),
                new ReconfigurationResponseParameter(8, 6), new ReconfigurationResponseParameter(9, 1, true, 10, 11),
                new UnknownParameter(0xc123, bytes(1)));
        List<ErrorCause> causes = List.of(new InvalidStreamIdentifierCause(new StreamId(9)), new MissingMandatoryParameterCause(new int[] {7}),
                new StaleCookieCause(1234), new OutOfResourceCause(), new UnrecognizedChunkTypeCause(bytes(0x40, 0, 0, 4)),
                new InvalidMandatoryParameterCause(), new UnrecognizedParametersCause(bytes(0x80, 1, 0, 4)),
                new NoUserDataCause(new Tsn(5)), new CookieReceivedWhileShuttingDownCause(), UserInitiatedAbortCause.ofText("x"),
                ProtocolViolationCause.ofText("why"), new UnknownErrorCause(99, bytes(1, 2, 3)));
        List<Chunk> chunks = new ArrayList<>();
        chunks.add(new DataChunk(1, 2, 3, 4, bytes(5, 6, 7), true, false, true));
        chunks.add(new InitChunk(1, 2, 3, 4, 5, params));
        chunks.add(new InitAckChunk(1, 2, 3, 4, 5, List.of(new StateCookieParameter(bytes(1, 2, 3)))));
        chunks.add(new SackChunk(1, 2, List.of(new SackChunk.GapAckBlock(2, 3)), new int[] {9}));
        chunks.add(new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(bytes(1, 2, 3, 4, 5)))));
        chunks.add(new HeartbeatAckChunk(List.of(new HeartbeatInfoParameter(bytes(1)))));
        chunks.add(new AbortChunk(true, causes));
        chunks.add(new ShutdownChunk(5));
        chunks.add(new ShutdownAckChunk(false));
        chunks.add(new ErrorChunk(false, causes));
        chunks.add(new CookieEchoChunk(bytes(1, 2, 3, 4, 5, 6, 7)));
        chunks.add(new CookieAckChunk(false));
        chunks.add(new ShutdownCompleteChunk(true));
        chunks.add(new ForwardTsnChunk(5, List.of(new ForwardTsnChunk.SkippedStream(1, 2))));
        chunks.add(new ReConfigChunk(params.subList(5, 9)));
        chunks.add(new UnknownChunk(0x99, 0x42, bytes(1, 2, 3, 4, 5)));
        return chunks;
    }

    /** Every wire element survives serialize → parse → serialize unchanged. */
    @Test
    void roundTripOfEveryElement() throws Exception {
        List<Chunk> chunks = everyElement();
        for (Chunk c : chunks) {
            byte[] once = new SctpPacket(5000, 5001, 0xabcdef, List.of(c)).serialize();
            SctpPacket back = SctpPacket.parse(ByteBuffer.wrap(once));
            assertArrayEquals(once, back.serialize(), c.toString());
            assertEquals(c.getClass(), back.chunks().get(0).getClass());
            assertEquals(0, once.length % 4, "packets are padded: " + c);
            assertFalse(back.chunks().get(0).toString().isEmpty());
        }
        byte[] all = new SctpPacket(1, 2, 3, chunks).serialize();
        assertEquals(chunks.size(), SctpPacket.parse(ByteBuffer.wrap(all)).chunks().size());
    }

    /**
     * The exact bytes and text of every element, pinned so that refactoring the packet layer cannot
     * change the wire format or the log text. Captured from the implementation; spot-checked against
     * RFC 9260 §3.2 (e.g. INIT length 0x00d1 = 20 + padded parameters + the last one unpadded).
     */
    @Test
    void everyElementPinnedBytesAndText() throws Exception {
        List<Chunk> chunks = everyElement();
        byte[] all = new SctpPacket(1, 2, 3, chunks).serialize();
        StringBuilder hex = new StringBuilder();
        for (byte b : all) {
            hex.append(String.format("%02x", b & 0xff));
        }
        assertEquals(PINNED_HEX, hex.toString());
        assertEquals(PINNED_TEXT, chunks.toString());
        assertEquals(PINNED_TEXT, SctpPacket.parse(ByteBuffer.wrap(all)).chunks().toString());
    }

    private static final String PINNED_HEX = "0001000200000003771e3f8d0005001300000001000200030000000405060700010000d1000000010000000200030004"
            + "000000050001000701020300000700550000000000000000000000000000000000000000000000000000000000000000"
            + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            + "000000000008000980090005070000008008000682c00000c0000004000d001600000001000000020000000300040005"
            + "00060000000e0008000000070010000c00000008000000060010001400000009000000010000000a0000000bc1230005"
            + "010000000200001b00000001000000020003000400000005000700070102030003000018000000010000000200010001"
            + "00020003000000090400000d0001000901020304050000000500000900010005010000000601005b0001000800090000"
            + "0002000a000000010007000000030008000004d200040004000600084000000400070004000800088001000400090008"
            + "00000005000a0004000c000578000000000d00077768790000630007010203000700000800000005080000040900005b"
            + "00010008000900000002000a000000010007000000030008000004d20004000400060008400000040007000400080008"
            + "800100040009000800000005000a0004000c000578000000000d00077768790000630007010203000a00000b01020304"
            + "050607000b0000040e010004c000000c000000050001000282000044000d001600000001000000020000000300040005"
            + "00060000000e0008000000070010000c00000008000000060010001400000009000000010000000a0000000b99420009"
            + "0102030405000000";
    private static final String PINNED_TEXT = "[DATA(tsn=1, stream=2, ssn=3, ppid=4, UE, 3 bytes), INIT(tag=0x1, a_rwnd=2, os=3, mis=4, "
            + "tsn=5, [HeartbeatInfo(010203), StateCookie(81 bytes), UnrecognizedParameter(8009000507), "
            + "SupportedExtensions(0x82,0xc0), ForwardTsnSupported, OutgoingSsnResetRequest(req=1, "
            + "resp=2, lastTsn=3, streams=[4, 5, 6]), IncomingSsnResetRequest(req=7, streams=[]), "
            + "ReconfigurationResponse(resp=8, In progress), ReconfigurationResponse(resp=9, "
            + "Success - Performed, senderNext=10, receiverNext=11), UnknownParameter(type=0xc123, "
            + "01)]), INIT_ACK(tag=0x1, a_rwnd=2, os=3, mis=4, tsn=5, [StateCookie(3 bytes)]), "
            + "SACK(cum=1, a_rwnd=2, gap 2-3, dups=1), HEARTBEAT[HeartbeatInfo(0102030405)], "
            + "HEARTBEAT ACK[HeartbeatInfo(01)], ABORT(T, [InvalidStreamIdentifier(9), "
            + "MissingMandatoryParameter([7]), StaleCookie(1234 us), Out of Resource, "
            + "Unrecognized Chunk Type(40000004), Invalid Mandatory Parameter, "
            + "Unrecognized Parameters(80010004), NoUserData(tsn=5), "
            + "Cookie Received While Shutting Down, User-Initiated Abort(78), "
            + "Protocol Violation(776879), ErrorCause(code=99, 010203)]), SHUTDOWN(cum=5), SHUTDOWN ACK, "
            + "ERROR([InvalidStreamIdentifier(9), MissingMandatoryParameter([7]), StaleCookie(1234 us), "
            + "Out of Resource, Unrecognized Chunk Type(40000004), Invalid Mandatory Parameter, "
            + "Unrecognized Parameters(80010004), NoUserData(tsn=5), "
            + "Cookie Received While Shutting Down, User-Initiated Abort(78), "
            + "Protocol Violation(776879), ErrorCause(code=99, 010203)]), COOKIE_ECHO(7 bytes), "
            + "COOKIE ACK, SHUTDOWN COMPLETE(T), FORWARD_TSN(cum=5, [SkippedStream[streamId=1, ssn=2]]), "
            + "RE-CONFIG[OutgoingSsnResetRequest(req=1, resp=2, lastTsn=3, streams=[4, 5, 6]), "
            + "IncomingSsnResetRequest(req=7, streams=[]), ReconfigurationResponse(resp=8, In progress), "
            + "ReconfigurationResponse(resp=9, Success - Performed, senderNext=10, receiverNext=11)], "
            + "UnknownChunk(type=153, flags=66, 0102030405)]";

    /** Random bytes with a valid checksum and mutated valid packets never throw unchecked exceptions. */
    @Test
    void garbageNeverThrowsUnchecked() {
        long seed = System.nanoTime();
        LOG.info("garbageNeverThrowsUnchecked seed={}", seed);
        Random r = new Random(seed);
        byte[][] valid = {CAPTURED_INIT, packet(7, bytes(0x03, 0x00, 0x00, 0x1c, 0, 0, 0, 0x10, 0, 1, 0, 0, 0, 2, 0, 1,
                0, 2, 0, 3, 0, 5, 0, 5, 0, 0, 0, 0x0f)),
                packet(7, bytes(0x82, 0, 0, 0x16, 0, 0x0d, 0, 0x12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 0, 0))};
        int parsed = 0;
        for (int i = 0; i < 20000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[r.nextInt(120)];
                r.nextBytes(b);
                if (b.length > 15 && r.nextBoolean()) {
                    b[12] = (byte) r.nextInt(16); // a plausible chunk type
                    b[14] = 0;
                }
            } else {
                byte[] v = valid[r.nextInt(valid.length)];
                b = java.util.Arrays.copyOf(v, Math.max(12, v.length - r.nextInt(8)));
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    b[12 + r.nextInt(Math.max(1, b.length - 12)) % Math.max(1, b.length - 12)] = (byte) r.nextInt(256);
                }
            }
            if (b.length >= 12) {
                ByteBuffer.wrap(b).putInt(8, Integer.reverseBytes(SctpPacket.crc32c(ByteBuffer.wrap(b))));
            }
            try {
                SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(b));
                p.toString();
                p.serialize();
                parsed++;
            } catch (PacketParseException expected) {
                // fine: rejected with a checked exception
            }
        }
        assertTrue(parsed > 100, "some mutated packets still parse: " + parsed);
    }

    @Test
    void serialNumberArithmetic() {
        assertTrue(SerialNumber.tsnGreater(1, 0xffffffff));
        assertFalse(SerialNumber.tsnGreater(0xffffffff, 1));
        assertTrue(SerialNumber.tsnGreaterOrEqual(5, 5));
        assertTrue(SerialNumber.ssnGreater(0, 65535));
        assertFalse(SerialNumber.ssnGreater(65535, 0));
        Unwrapper u = new Unwrapper(0xfffffff0);
        long a = u.unwrap(0xfffffff0);
        long b = u.unwrap(0x00000005);
        assertEquals(21, b - a, "wraps forward");
        assertEquals(a - 1, u.unwrap(0xffffffef), "older value stays older");
    }
}
