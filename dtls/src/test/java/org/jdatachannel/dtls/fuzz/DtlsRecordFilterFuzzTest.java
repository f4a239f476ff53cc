package org.jdatachannel.dtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.jdatachannel.dtls.FuzzAccess;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the CVE-2026-59646 guard ({@code DtlsRecordFilter.check}) against an
 * independent oracle that reads a datagram the way Bouncy Castle 1.84 does.
 *
 * <p>The oracle ({@link #largestReassemblyBc}): split the datagram into records by the uint16
 * length at offset 11 of each 13-byte header whatever the content type (DTLSRecordLayer.receiveRecord
 * queues the rest of a datagram after the first record); for every complete record of type 22 and
 * epoch 0, walk its handshake fragments as DTLSReliableHandshake.processRecord does (12-byte header,
 * stop at a truncated fragment or one with {@code fragment_offset + fragment_length > length}) and
 * note each {@code length} for which it would create a DTLSReassembler, i.e. {@code new byte[length]}.
 * It is deliberately more permissive than Bouncy Castle (which also discards records of other
 * epochs, versions or content types and whole datagrams whose first record is of another epoch), so
 * it over-approximates what reaches the reassembler.
 *
 * <p>Properties for every input, placed at a fuzzed offset between guard bytes: {@code check} never
 * throws, is deterministic, does not modify the buffer or read outside it; a datagram it passes
 * starts with a DTLS byte (RFC 7983) and makes the oracle allocate no reassembly buffer larger than
 * the limit; a datagram it drops has a reason. The ChangeCipherSpec scan, run on what passes, never
 * throws either.
 *
 * <p>Without {@code JAZZER_FUZZ} the target runs once per file of its checked-in corpus
 * ({@code src/test/resources/org/jdatachannel/dtls/fuzz/DtlsRecordFilterFuzzTestInputs/check/}: the
 * captured browser ClientHellos, our own flights, CVE shapes); see dtls/README.md for real fuzzing.
 */
class DtlsRecordFilterFuzzTest {

    /** Bytes of guard on each side of the datagram. */
    private static final int GUARD = 5;

    @FuzzTest(maxDuration = "10m")
    void check(byte[] data) {
        if (data.length == 0) {
            checkAt(data, 0);
            return;
        }
        // The first byte chooses an offset inside the buffer (the demux gets datagrams at offset 0,
        // but the filter takes any), the rest is the datagram.
        int skip = (data[0] & 0x03);
        byte[] datagram = Arrays.copyOfRange(data, 1, data.length);
        checkAt(datagram, skip);
        checkAt(data, 0);
    }

    static void checkAt(byte[] datagram, int skip) {
        int off = GUARD + skip;
        byte[] buf = new byte[off + datagram.length + GUARD];
        Arrays.fill(buf, (byte) 0xA5);
        System.arraycopy(datagram, 0, buf, off, datagram.length);
        byte[] before = buf.clone();

        String drop;
        try {
            drop = FuzzAccess.check(buf, off, datagram.length);
        } catch (RuntimeException e) {
            throw new AssertionError("check threw on " + hex(datagram), e);
        }
        assertArrayEquals(before, buf, "check modified the buffer");
        assertEquals(drop, FuzzAccess.check(buf, off, datagram.length), "deterministic");
        // The guard bytes are not part of the datagram: the same datagram alone gives the same answer.
        assertEquals(drop == null, FuzzAccess.check(datagram.clone(), 0, datagram.length) == null,
                "independent of the bytes around it");
        if (drop != null) {
            assertTrue(!drop.isEmpty(), "a reason");
            return;
        }
        assertTrue(FuzzAccess.isDtls(datagram, 0, datagram.length), "passed a non-DTLS first byte");
        long largest = largestReassemblyBc(datagram);
        if (largest > FuzzAccess.MAX_HANDSHAKE_MESSAGE_LENGTH) {
            fail("passed a datagram that makes Bouncy Castle 1.84 allocate a " + largest
                    + "-byte reassembly buffer: " + hex(datagram));
        }
        boolean[] scan = FuzzAccess.scanForChangeCipherSpec(buf, off, datagram.length, false);
        assertNotNull(scan);
        FuzzAccess.scanForChangeCipherSpec(buf, off, datagram.length, true);
        assertArrayEquals(before, buf, "scan modified the buffer");
    }

    /**
     * The oracle sees what the filter must stop, including the bypass fixed in 914d370 (an
     * epoch-0 handshake record behind a record of an unknown content type), so the target would
     * have found it; and it ignores what Bouncy Castle ignores.
     */
    @Test
    void oracleSeesHostileShapes() {
        byte[] hostile = {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 13,
            1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 7};
        assertEquals(0xFFFFFF, largestReassemblyBc(hostile));
        byte[] unknownType = {0x1E, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] bypass = new byte[unknownType.length + hostile.length];
        System.arraycopy(unknownType, 0, bypass, 0, unknownType.length);
        System.arraycopy(hostile, 0, bypass, unknownType.length, hostile.length);
        assertEquals(0xFFFFFF, largestReassemblyBc(bypass));
        assertNotNull(FuzzAccess.check(bypass, 0, bypass.length), "the filter drops the bypass shape");
        // Epoch 1 (encrypted) and a fragment outside its message: nothing for the reassembler.
        byte[] epoch1 = hostile.clone();
        epoch1[4] = 1;
        assertEquals(-1, largestReassemblyBc(epoch1));
        byte[] outside = hostile.clone();
        outside[14] = 0;
        outside[15] = 0;
        outside[16] = 0; // message length 0 < fragment_offset 0 + fragment_length 1
        assertEquals(-1, largestReassemblyBc(outside));
        checkAt(bypass, 0);
    }

    /**
     * The oracle: the largest {@code length} of an epoch-0 handshake fragment that Bouncy Castle
     * 1.84 could hand to {@code new DTLSReassembler(msg_type, length)}, or -1 if none. Written from
     * BC's DTLSRecordLayer.receiveRecord/receivePendingRecord and DTLSReliableHandshake.processRecord,
     * not from our filter.
     */
    static long largestReassemblyBc(byte[] d) {
        long largest = -1;
        int pos = 0;
        while (d.length - pos >= 13) {
            int type = d[pos] & 0xFF;
            int epoch = u16(d, pos + 3);
            int length = u16(d, pos + 11);
            int body = pos + 13;
            if (length > d.length - body) {
                break; // receivePendingRecord: an incomplete record is dropped with the rest
            }
            if (type == 22 && epoch == 0) {
                int p = body;
                int left = length;
                while (left >= 12) {
                    int fragmentLength = u24(d, p + 9);
                    if (left < 12 + fragmentLength) {
                        break;
                    }
                    int messageLength = u24(d, p + 1);
                    int fragmentOffset = u24(d, p + 6);
                    if (fragmentOffset + fragmentLength > messageLength) {
                        break;
                    }
                    largest = Math.max(largest, messageLength);
                    p += 12 + fragmentLength;
                    left -= 12 + fragmentLength;
                }
            }
            pos = body + length;
        }
        return largest;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static int u24(byte[] b, int i) {
        return ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
    }

    static String hex(byte[] d) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(d.length, 256); i++) {
            s.append(String.format("%02x", d[i]));
        }
        return s + (d.length > 256 ? "... (" + d.length + " bytes)" : "");
    }
}
