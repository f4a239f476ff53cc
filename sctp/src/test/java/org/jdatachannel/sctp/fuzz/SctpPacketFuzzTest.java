package org.jdatachannel.sctp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the packet parser ({@link SctpPacket#parse}) and, through it, of every
 * chunk, parameter and error cause parser.
 *
 * <p>Properties checked for every input: parsing returns a packet or throws the declared
 * {@link PacketParseException}, never an unchecked exception; the input buffer's position and
 * limit are not modified and no byte outside position..limit is read (the input sits between guard
 * bytes); whatever parses has a {@code toString}, re-serializes to {@code serializedSize()} bytes
 * which parse to a structurally equal packet ({@link WireEquality}) and re-serialize to the same
 * bytes. Each input is also parsed a second time with its checksum corrected, so that mutations get
 * past the CRC32c check (RFC 9260 §6.8) into the chunk parsers.
 *
 * <p>Without {@code JAZZER_FUZZ} the targets run once per file of the checked-in regression corpus
 * ({@code src/test/resources/org/jdatachannel/sctp/fuzz/SctpPacketFuzzTestInputs/<method>/}); see
 * the module's README.md for real fuzzing.
 */
class SctpPacketFuzzTest {

    /** Arbitrary bytes as one received packet, as is and with a corrected checksum. */
    @FuzzTest(maxDuration = "10m")
    void parsePacket(byte[] data) {
        checkParse(data, false);
        if (data.length >= SctpPacket.HEADER_SIZE) {
            checkParse(withValidChecksum(data), false);
            // RFC 9653: with zero checksum accepted, a zero checksum field skips the CRC check
            byte[] zero = data.clone();
            ByteBuffer.wrap(zero).putInt(8, 0);
            checkParse(zero, true);
        }
    }

    /** @return a copy of {@code packet} with the CRC32c field set to the correct value */
    static byte[] withValidChecksum(byte[] packet) {
        byte[] copy = packet.clone();
        ByteBuffer b = ByteBuffer.wrap(copy);
        b.putInt(8, Integer.reverseBytes(SctpPacket.crc32c(b)));
        return copy;
    }

    /**
     * Parses {@code data} placed between guard bytes and checks the round trip.
     *
     * @return the parsed packet, or null if it was rejected with a PacketParseException
     */
    static SctpPacket checkParse(byte[] data) {
        return checkParse(data, false);
    }

    /**
     * As {@link #checkParse(byte[])}, with {@code acceptZeroChecksum} passed to the parser.
     *
     * @return the parsed packet, or null if it was rejected with a PacketParseException
     */
    static SctpPacket checkParse(byte[] data, boolean acceptZeroChecksum) {
        byte[] framed = new byte[data.length + 8];
        Arrays.fill(framed, (byte) 0xa5);
        System.arraycopy(data, 0, framed, 4, data.length);
        ByteBuffer in = ByteBuffer.wrap(framed, 4, data.length);
        SctpPacket p;
        try {
            p = SctpPacket.parse(in, acceptZeroChecksum);
        } catch (PacketParseException e) {
            assertNotNull(e.getMessage(), "a rejection names the failed check");
            assertUntouched(in, data.length);
            return null;
        }
        assertUntouched(in, data.length);
        assertFalse(p.chunks().isEmpty(), "a parsed packet has at least one chunk");
        assertNotNull(p.toString());
        byte[] once = p.serialize();
        assertEquals(p.serializedSize(), once.length, "serializedSize() matches serialize()");
        SctpPacket again;
        try {
            again = SctpPacket.parse(ByteBuffer.wrap(once));
        } catch (PacketParseException e) {
            throw new AssertionError("re-serialized packet does not parse: " + e.getMessage() + "\n  parsed: " + p, e);
        }
        String diff = WireEquality.difference(p, again);
        assertTrue(diff == null, () -> "round trip changed the value at " + diff + "\n  parsed: " + p);
        assertTrue(Arrays.equals(once, again.serialize()), () -> "serialization is not stable for " + p);
        return p;
    }

    private static void assertUntouched(ByteBuffer in, int length) {
        assertEquals(4, in.position(), "parse must not move the input's position");
        assertEquals(4 + length, in.limit(), "parse must not change the input's limit");
    }

    /**
     * The checked-in corpus stays meaningful: every seed of the packet target is a packet that parses
     * (crash reproducers, named {@code crash-*}, are exempt: they may be malformed by design).
     */
    @Test
    void everySeedOfThePacketCorpusParses() throws IOException {
        List<Path> seeds = Corpus.files(SctpPacketFuzzTest.class, "parsePacket");
        assertTrue(seeds.size() >= 20, "expected at least 20 seeds, found " + seeds.size());
        for (Path f : seeds) {
            if (f.getFileName().toString().startsWith("crash-")) {
                continue;
            }
            assertNotNull(checkParse(Files.readAllBytes(f)), () -> f + " does not parse");
        }
    }
}
