package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.parameter.ForwardTsnSupportedParameter;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.packet.parameter.StateCookieParameter;
import org.jdatachannel.sctp.packet.parameter.SupportedExtensionsParameter;
import org.jdatachannel.sctp.packet.parameter.UnknownParameter;
import org.jdatachannel.sctp.packet.parameter.UnrecognizedParameterParameter;
import org.jdatachannel.sctp.packet.SctpPacketTest;
import org.junit.jupiter.api.Test;

/** Our association answering INITs shaped like those of Chromium (dcSCTP) and Firefox (usrsctp). */
class InteropVectorTest {

    static SctpPacket only(Association a) throws Exception {
        SctpOutput o = a.pollOutput();
        assertNotNull(o);
        SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(((SctpOutput.SendPacket) o).packet()));
        assertNull(a.pollOutput());
        return p;
    }

    @Test
    void answersCapturedDcsctpInitAndCompletesWithItsCookie() throws Exception {
        Association b = new Association(SctpOptions.defaults(), new SplittableRandom(101));
        b.handleInput(ByteBuffer.wrap(SctpPacketTest.CAPTURED_INIT), 5);
        SctpPacket reply = only(b);
        assertEquals(0x0eddca08, reply.verificationTag().value(), "INIT ACK is sent with the INIT's Initiate Tag");
        InitAckChunk ack = assertInstanceOf(InitAckChunk.class, reply.chunks().get(0));
        assertNotNull(ack.parameter(StateCookieParameter.class));
        assertNotNull(ack.parameter(ForwardTsnSupportedParameter.class));
        assertTrue(ack.parameter(SupportedExtensionsParameter.class).supports(0x82));
        assertNull(ack.parameter(UnrecognizedParameterParameter.class), "0x8xxx parameters are skipped silently");
        assertEquals(AssociationState.CLOSED, b.state(), "no state kept before COOKIE ECHO");

        // the peer echoes the cookie, bundling a DATA chunk after it (allowed by §5.1 C)
        byte[] cookie = ack.parameter(StateCookieParameter.class).cookie();
        DataChunk data = new DataChunk(0x55083637, 0, 0, 50, new byte[] {3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, false, true, true);
        byte[] echo = new SctpPacket(5000, 5000, ack.initiateTag(), List.of(new CookieEchoChunk(cookie), data)).serialize();
        b.handleInput(ByteBuffer.wrap(echo), 10);
        assertInstanceOf(SctpOutput.Connected.class, b.pollOutput());
        SctpOutput.MessageReceived m = assertInstanceOf(SctpOutput.MessageReceived.class, b.pollOutput());
        assertEquals(50, m.ppid());
        SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(((SctpOutput.SendPacket) b.pollOutput()).packet()));
        assertEquals(0x0eddca08, p.verificationTag().value());
        assertTrue(p.chunks().stream().anyMatch(c -> c instanceof CookieAckChunk));
        assertTrue(p.chunks().stream().anyMatch(c -> c instanceof SackChunk s && s.cumulativeTsnAck().value() == 0x55083637));
        assertEquals(AssociationState.ESTABLISHED, b.state());
        // negotiated: the INIT offered 1000 streams each way
        b.send(999, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, 20);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> b.send(1000, 51, new byte[] {1}, SendOptions.RELIABLE_ORDERED, 20));
    }

    @Test
    void answersCapturedUsrsctpInit() throws Exception {
        Association b = new Association(SctpOptions.defaults(), new SplittableRandom(104));
        b.handleInput(ByteBuffer.wrap(SctpPacketTest.CAPTURED_USRSCTP_INIT), 0);
        SctpPacket reply = only(b);
        assertEquals(1438213285, reply.verificationTag().value());
        InitAckChunk ack = assertInstanceOf(InitAckChunk.class, reply.chunks().get(0));
        assertNull(ack.parameter(UnrecognizedParameterParameter.class));
        assertEquals(65535, ack.outboundStreams(), "we advertise our own counts; the minimum is used internally");
    }

    @Test
    void usrsctpStyleInitWithAddressTypesAndAdaptationLayer() throws Exception {
        List<Parameter> params = List.of(
                new UnknownParameter(0x8000, new byte[0]),           // ECN capable: skip
                new UnknownParameter(12, new byte[] {0, 5, 0, 6}),   // Supported Address Types: recognized
                new ForwardTsnSupportedParameter(),
                new UnknownParameter(0xC006, new byte[] {0, 0, 0, 1}), // Adaptation Layer: skip and report
                new SupportedExtensionsParameter(new int[] {0xc0, 0x82, 0xc1, 0x80}));
        InitChunk init = new InitChunk(0x11223344, 1 << 20, 1024, 2048, 777, params);
        Association b = new Association(SctpOptions.defaults(), new SplittableRandom(102));
        b.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 0, List.of(init)).serialize()), 0);
        InitAckChunk ack = (InitAckChunk) only(b).chunks().get(0);
        UnrecognizedParameterParameter u = ack.parameter(UnrecognizedParameterParameter.class);
        assertArrayEquals(new byte[] {(byte) 0xc0, 0x06, 0, 8, 0, 0, 0, 1}, u.unrecognized());
    }

    @Test
    void initWithNonZeroTagOrBundledIsDropped() throws Exception {
        Association b = new Association(SctpOptions.defaults(), new SplittableRandom(103));
        InitChunk init = new InitChunk(5, 1 << 20, 10, 10, 1, List.of());
        b.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 9, List.of(init)).serialize()), 0);
        assertNull(b.pollOutput());
        b.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 0, List.of(init, new CookieAckChunk(false))).serialize()), 0);
        assertNull(b.pollOutput());
        InitChunk zeroTag = new InitChunk(0, 1 << 20, 10, 10, 1, List.of());
        b.handleInput(ByteBuffer.wrap(new SctpPacket(5000, 5000, 0, List.of(zeroTag)).serialize()), 0);
        assertNull(b.pollOutput());
        // wrong port: dropped
        b.handleInput(ByteBuffer.wrap(new SctpPacket(5001, 5000, 0, List.of(init)).serialize()), 0);
        assertNull(b.pollOutput());
    }
}
