package org.jdatachannel.dcep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Byte vectors written from the RFC 8832 §5.1/§5.2 diagrams, round trips and garbage input. */
class DcepMessageTest {
    private static final Logger LOG = LoggerFactory.getLogger(DcepMessageTest.class);

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** RFC 8832 §5.1 layout: type 03, channel type 00, priority 0x0100, reliability 0, "chat", "". */
    @Test
    void openReliableVector() throws Exception {
        byte[] wire = hex("03 00 0100 00000000 0004 0000 63686174");
        DcepMessage m = DcepMessage.parse(ByteBuffer.wrap(wire));
        DataChannelOpen open = assertInstanceOf(DataChannelOpen.class, m);
        assertEquals(ChannelType.RELIABLE, open.channelType());
        assertEquals(256, open.priority());
        assertEquals(0, open.reliabilityParameter());
        assertEquals("chat", open.label());
        assertEquals("", open.protocol());
        assertArrayEquals(wire, open.toBytes());
    }

    /** Unordered, timed partial reliability with a protocol and a 32-bit parameter above 2^31. */
    @Test
    void openTimedUnorderedWithProtocolVector() throws Exception {
        byte[] wire = hex("03 82 0200 FFFFFFFE 0001 0004 61 6a736f6e");
        DataChannelOpen open = (DataChannelOpen) DcepMessage.parse(ByteBuffer.wrap(wire));
        assertEquals(ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED, open.channelType());
        assertTrue(open.channelType().unordered());
        assertTrue(open.channelType().limitsLifetime());
        assertEquals(512, open.priority());
        assertEquals(0xFFFFFFFEL, open.reliabilityParameter());
        assertEquals("a", open.label());
        assertEquals("json", open.protocol());
        assertArrayEquals(wire, open.toBytes());
    }

    @Test
    void openUtf8Label() throws Exception {
        DataChannelOpen open = new DataChannelOpen(ChannelType.PARTIAL_RELIABLE_REXMIT, 128, 3, "h\u00e9\uD83D\uDE00", "");
        byte[] wire = open.toBytes();
        assertEquals(12 + 1 + 2 + 4, wire.length);
        assertEquals(7, ((wire[8] & 0xff) << 8) | (wire[9] & 0xff));
        assertEquals(open, DcepMessage.parse(ByteBuffer.wrap(wire)));
    }

    @Test
    void ackVector() throws Exception {
        assertInstanceOf(DataChannelAck.class, DcepMessage.parse(ByteBuffer.wrap(hex("02"))));
        assertArrayEquals(hex("02"), new DataChannelAck().toBytes());
        assertEquals("DATA_CHANNEL_ACK", new DataChannelAck().toString());
    }

    @Test
    void allChannelTypeCodes() {
        int[] codes = {0x00, 0x80, 0x01, 0x81, 0x02, 0x82};
        for (int c : codes) {
            ChannelType t = ChannelType.fromCode(c);
            assertEquals(c, t.code());
            assertEquals(t, ChannelType.of(t.unordered(), t.limitsRetransmits(), t.limitsLifetime()));
        }
        assertEquals(null, ChannelType.fromCode(0x03));
        assertThrows(IllegalArgumentException.class, () -> ChannelType.of(false, true, true));
    }

    @Test
    void parseDoesNotMoveCallerBufferAndIgnoresByteOrder() throws Exception {
        byte[] wire = hex("ffff 03 01 0100 00000005 0001 0000 78 eeee");
        ByteBuffer b = ByteBuffer.wrap(wire, 2, 13).order(ByteOrder.LITTLE_ENDIAN);
        DataChannelOpen open = (DataChannelOpen) DcepMessage.parse(b);
        assertEquals(5, open.reliabilityParameter());
        assertEquals("x", open.label());
        assertEquals(2, b.position());
        ByteBuffer out = ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN);
        open.serializeTo(out);
        assertEquals(ByteOrder.LITTLE_ENDIAN, out.order());
        assertArrayEquals(hex("03 01 0100 00000005 0001 0000 78"), out.array());
    }

    @Test
    void malformedMessagesAreRejectedWithReason() {
        String[] bad = {
            "",                                   // empty
            "04",                                 // unknown type
            "0200",                               // ACK with trailing byte
            "03 00 0100 00000000 0004",           // truncated header
            "03 05 0100 00000000 0000 0000",      // unknown channel type
            "03 00 0100 00000000 0004 0000 6368", // label longer than message
            "03 00 0100 00000000 0000 0000 00",   // trailing byte
            "03 00 0100 00000000 0002 0000 c328", // invalid UTF-8
            "03 00 0100 00000000 0000 0001 ff",   // invalid UTF-8 protocol
        };
        for (String h : bad) {
            DcepParseException e = assertThrows(DcepParseException.class,
                    () -> DcepMessage.parse(ByteBuffer.wrap(hex(h))), h);
            assertTrue(e.getMessage().length() > 5, e.getMessage());
        }
    }

    @Test
    void constructorRejectsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new DataChannelOpen(ChannelType.RELIABLE, -1, 0, "", ""));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelOpen(ChannelType.RELIABLE, 65536, 0, "", ""));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelOpen(ChannelType.RELIABLE, 0, 1L << 32, "", ""));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelOpen(ChannelType.RELIABLE, 0, 0, null, ""));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelOpen(ChannelType.RELIABLE, 0, 0, "", "\uD800"));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelOpen(ChannelType.RELIABLE, 0, 0, "x".repeat(65536), ""));
        assertThrows(NullPointerException.class, () -> new DataChannelOpen(null, 0, 0, "", ""));
    }

    /** Random valid messages round-trip; random garbage never escapes as an unchecked exception. */
    @Test
    void randomizedRoundTripsAndGarbage() throws Exception {
        long seed = System.nanoTime();
        LOG.info("randomizedRoundTripsAndGarbage seed={}", seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        ChannelType[] types = ChannelType.values();
        for (int i = 0; i < 2000; i++) {
            StringBuilder label = new StringBuilder();
            int n = rnd.nextInt(20);
            for (int k = 0; k < n; k++) {
                label.appendCodePoint(rnd.nextBoolean() ? rnd.nextInt(0x20, 0x7f) : rnd.nextInt(0xa0, 0xd7ff));
            }
            DataChannelOpen open = new DataChannelOpen(types[rnd.nextInt(types.length)], rnd.nextInt(65536),
                    rnd.nextLong(1L << 32), label.toString(), rnd.nextBoolean() ? "" : "p" + rnd.nextInt(1000));
            byte[] wire = open.toBytes();
            assertEquals(wire.length, open.serializedLength());
            assertEquals(open, DcepMessage.parse(ByteBuffer.wrap(wire)), "seed " + seed);
            // mutate: truncate, flip bytes, extend; must parse or throw the checked exception only
            byte[] mutated = java.util.Arrays.copyOf(wire, Math.max(0, wire.length + rnd.nextInt(-3, 4)));
            if (mutated.length > 0) {
                mutated[rnd.nextInt(mutated.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            try {
                DcepMessage.parse(ByteBuffer.wrap(mutated));
            } catch (DcepParseException expected) {
                // fine
            }
            byte[] garbage = new byte[rnd.nextInt(40)];
            for (int k = 0; k < garbage.length; k++) {
                garbage[k] = (byte) rnd.nextInt(256);
            }
            if (garbage.length > 0 && rnd.nextBoolean()) {
                garbage[0] = (byte) (rnd.nextBoolean() ? 3 : 2);
            }
            try {
                DcepMessage.parse(ByteBuffer.wrap(garbage));
            } catch (DcepParseException expected) {
                // fine
            }
        }
    }
}
