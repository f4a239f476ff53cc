package org.jdatachannel.sctp.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.packet.parameter.ZeroChecksumAcceptableParameter;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Byte vectors and round trips for RFC 8260 I-DATA / I-FORWARD-TSN and RFC 9653 zero checksum. */
class InterleavingWireTest {
    private static final Logger LOG = LoggerFactory.getLogger(InterleavingWireTest.class);

    static byte[] hex(String s) {
        s = s.replaceAll("\\s", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static byte[] serialize(Chunk c) {
        ByteBuffer b = ByteBuffer.allocate(Tlv.padded(c.serializedLength()));
        c.serializeTo(b);
        return b.array();
    }

    static Chunk parseOne(byte[] chunkBytes) throws PacketParseException {
        SctpPacket p = new SctpPacket(5000, 5000, 1, List.of());
        byte[] header = p.serialize(); // 12 bytes, no chunks
        byte[] all = new byte[header.length + chunkBytes.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(chunkBytes, 0, all, header.length, chunkBytes.length);
        ByteBuffer.wrap(all).putInt(8, Integer.reverseBytes(SctpPacket.crc32c(ByteBuffer.wrap(all))));
        List<Chunk> chunks = SctpPacket.parse(ByteBuffer.wrap(all)).chunks();
        assertEquals(1, chunks.size());
        return chunks.get(0);
    }

    @Test
    void iDataFirstFragmentCarriesPpid() throws Exception {
        // RFC 8260 §2.1: type 64, flags I U B E, TSN, SID + reserved, MID, PPID (B set), data
        byte[] wire = hex("40 0e 0017  00000064  0007 0000  00000005  00000033  616263 00");
        IDataChunk c = new IDataChunk(new Tsn(100), new StreamId(7), new Mid(5), 0, new Ppid(51), "abc".getBytes(),
                true, true, false, true);
        assertEquals("400e0017", String.format("%08x", ByteBuffer.wrap(serialize(c)).getInt()));
        assertArrayEquals(wire, serialize(c));
        IDataChunk p = assertInstanceOf(IDataChunk.class, parseOne(wire));
        assertEquals(100, p.tsn().value());
        assertEquals(7, p.streamId().value());
        assertEquals(5, p.mid().value());
        assertEquals(0, p.fsn());
        assertEquals(51, p.ppid().value());
        assertTrue(p.unordered() && p.beginning() && !p.end() && p.immediateAck());
        assertArrayEquals("abc".getBytes(), p.payload());
        assertEquals(20, p.headerSize());
        assertTrue(p.toString().contains("ppid=51"), p.toString());
    }

    @Test
    void iDataLaterFragmentCarriesFsnAndIgnoresReservedBits() throws Exception {
        // E only, FSN 0xfffffffe (wraps are allowed, RFC 8260 §2.1), MID 0xffffffff, reserved field set
        // by a sloppy sender: "MUST be ignored by the receiver"
        byte[] wire = hex("40 f1 0015  ffffffff  ffff abcd  ffffffff  fffffffe  7a 000000");
        IDataChunk p = assertInstanceOf(IDataChunk.class, parseOne(wire));
        assertEquals(-1, p.tsn().value());
        assertEquals(65535, p.streamId().value());
        assertEquals(-1, p.mid().value());
        assertEquals(-2, p.fsn());
        assertEquals(0, p.ppid().value(), "no PPID on a non-first fragment");
        assertTrue(!p.unordered() && !p.beginning() && p.end() && !p.immediateAck());
        // serialized back with reserved bits and flags' upper bits zero
        byte[] back = serialize(p);
        assertArrayEquals(hex("40 01 0015  ffffffff  ffff 0000  ffffffff  fffffffe  7a 000000"), back);
        assertTrue(p.toString().contains("fsn=4294967294"), p.toString());
    }

    @Test
    void iDataRejectsShortValueAndFirstFragmentWithFsn() {
        assertThrows(PacketParseException.class, () -> parseOne(hex("40 03 0013  00000001 0001 0000 00000000 000000 00")));
        assertThrows(IllegalArgumentException.class, () -> new IDataChunk(1, 1, 1, 3, 51, new byte[1], false, true, false));
        // an empty one parses (the association answers it with "No User Data", RFC 9260 §6.2)
        IDataChunk empty = new IDataChunk(1, 1, 1, 0, 51, new byte[0], false, true, true);
        assertEquals(20, empty.serializedLength());
    }

    @Test
    void iForwardTsnVectorAndRoundTrip() throws Exception {
        // RFC 8260 §2.3.1: type 194, New Cumulative TSN, then (SID, reserved|U, MID) entries
        byte[] wire = hex("c2 00 0018  00001000  0001 0000  00000009  0002 0001  80000000");
        IForwardTsnChunk c = new IForwardTsnChunk(0x1000, List.of(new IForwardTsnChunk.SkippedMessage(1, false, 9),
                new IForwardTsnChunk.SkippedMessage(2, true, 0x80000000)));
        assertArrayEquals(wire, serialize(c));
        assertEquals(c, parseOne(wire));
        // reserved bits other than U are ignored
        IForwardTsnChunk odd = assertInstanceOf(IForwardTsnChunk.class,
                parseOne(hex("c2 00 0010  00000005  0003 fffe  00000001")));
        assertFalse(odd.skipped().get(0).unordered());
        assertEquals("I_FORWARD_TSN(cum=5, [3:1])", odd.toString());
        assertEquals(new IForwardTsnChunk(7, List.of()), parseOne(hex("c2 00 0008 00000007")));
    }

    @Test
    void iForwardTsnRejectsBadLengths() {
        assertThrows(PacketParseException.class, () -> parseOne(hex("c2 00 0004")));
        assertThrows(PacketParseException.class, () -> parseOne(hex("c2 00 000c 00000001 00010000")));
    }

    @Test
    void zeroChecksumAcceptableVector() throws Exception {
        // RFC 9653 §4: type 0x8001, length 8, EDMID; DTLS is 1 (the bytes dcSCTP's own test pins)
        ZeroChecksumAcceptableParameter z = new ZeroChecksumAcceptableParameter(ZeroChecksumAcceptableParameter.METHOD_DTLS);
        ByteBuffer b = ByteBuffer.allocate(8);
        z.serializeTo(b);
        assertArrayEquals(hex("8001 0008 00000001"), b.array());
        List<Parameter> parsed = Parameter.parseAll(ByteBuffer.wrap(hex("8001 0008 00000001  8001 0008 fffffffe")));
        assertEquals(List.of(z, new ZeroChecksumAcceptableParameter(-2)), parsed);
        assertEquals("ZeroChecksumAcceptable(edmid=4294967294)", parsed.get(1).toString());
        assertThrows(PacketParseException.class, () -> Parameter.parseAll(ByteBuffer.wrap(hex("8001 0006 0001 0000"))));
        // inside an INIT
        InitChunk init = new InitChunk(0x11223344, 65536, 10, 10, 1, List.of(z));
        assertEquals(init, parseOne(serialize(init)));
    }

    @Test
    void packetWithZeroChecksumIsAcceptedOnlyWhenAnnouncedAndOthersStillChecked() throws Exception {
        SctpPacket p = new SctpPacket(5000, 5000, 42, List.of(new DataChunk(1, 0, 0, 51, new byte[] {1}, false, true, true)));
        byte[] zero = p.serialize(true);
        assertEquals(0, ByteBuffer.wrap(zero).getInt(8), "RFC 9653: checksum field zero");
        byte[] crc = p.serialize(false);
        assertArrayEquals(crc, p.serialize());
        assertTrue(ByteBuffer.wrap(crc).getInt(8) != 0);
        // RFC 9653 §5.3: accepted only by an endpoint that announced the method
        assertEquals(p.toString(), SctpPacket.parse(ByteBuffer.wrap(zero), true).toString());
        assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(zero), false));
        // a correct CRC is always accepted
        assertEquals(p.toString(), SctpPacket.parse(ByteBuffer.wrap(crc), true).toString());
        // a wrong non-zero checksum is always dropped
        byte[] bad = crc.clone();
        bad[8] ^= 0x10;
        assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(bad), true));
        // a zero-checksum packet with a corrupted body is the lower layer's to catch: accepted as is
        // when zero checksums are accepted, never when they are not
        byte[] zeroBad = zero.clone();
        zeroBad[zeroBad.length - 4] ^= 1;
        assertThrows(PacketParseException.class, () -> SctpPacket.parse(ByteBuffer.wrap(zeroBad), false));
    }

    @Test
    void randomRoundTrips() throws Exception {
        long seed = new Random().nextLong();
        LOG.info("randomRoundTrips seed {}", seed);
        Random r = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            List<Chunk> chunks = new ArrayList<>();
            int n = 1 + r.nextInt(4);
            for (int k = 0; k < n; k++) {
                if (r.nextBoolean()) {
                    byte[] data = new byte[1 + r.nextInt(40)];
                    r.nextBytes(data);
                    boolean b = r.nextBoolean();
                    chunks.add(new IDataChunk(new Tsn(r.nextInt()), new StreamId(r.nextInt(65536)), new Mid(r.nextInt()),
                            b ? 0 : r.nextInt(), new Ppid(b ? r.nextInt() : 0), data, r.nextBoolean(), b, r.nextBoolean(),
                            r.nextBoolean()));
                } else {
                    List<IForwardTsnChunk.SkippedMessage> s = new ArrayList<>();
                    for (int j = r.nextInt(5); j > 0; j--) {
                        s.add(new IForwardTsnChunk.SkippedMessage(r.nextInt(65536), r.nextBoolean(), r.nextInt()));
                    }
                    chunks.add(new IForwardTsnChunk(r.nextInt(), s));
                }
            }
            SctpPacket p = new SctpPacket(1 + r.nextInt(65535), 1 + r.nextInt(65535), r.nextInt(), chunks);
            boolean zero = r.nextBoolean();
            SctpPacket back = SctpPacket.parse(ByteBuffer.wrap(p.serialize(zero)), zero);
            assertEquals(p.toString(), back.toString(), "seed " + seed);
            for (int k = 0; k < n; k++) {
                assertArrayEquals(serialize(p.chunks().get(k)), serialize(back.chunks().get(k)), "seed " + seed);
            }
        }
    }
}
