package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PeerConnectionCore#carriesData(byte[])}: the busy-poll trigger (a packet the peer answers
 * with a SACK) reads the chunk types of our own SCTP packets (RFC 9260 §3), and never throws on a
 * packet whose lengths do not add up.
 */
class CarriesDataTest {

    /** A chunk: type, flags, length (header included, padding excluded), value, padded to 4. */
    private static byte[] chunk(int type, int valueBytes) {
        int len = 4 + valueBytes;
        byte[] c = new byte[(len + 3) & ~3];
        c[0] = (byte) type;
        c[2] = (byte) (len >> 8);
        c[3] = (byte) len;
        return c;
    }

    private static byte[] packet(byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[12]); // common header (ports, tag, checksum): not read
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    @Test
    void dataOrIDataAnywhereInThePacket() {
        assertTrue(PeerConnectionCore.carriesData(packet(chunk(0, 17))), "DATA");
        assertTrue(PeerConnectionCore.carriesData(packet(chunk(64, 1024))), "I-DATA");
        // a SACK bundled ahead of the reply's DATA (RFC 9260 §6), with odd lengths (padding)
        assertTrue(PeerConnectionCore.carriesData(packet(chunk(3, 13), chunk(0, 1))), "SACK + DATA");
        assertTrue(PeerConnectionCore.carriesData(packet(chunk(3, 12), chunk(130, 5), chunk(64, 3))),
                "SACK + RE-CONFIG + I-DATA");
    }

    @Test
    void controlOnlyPacketsAskForNothing() {
        assertFalse(PeerConnectionCore.carriesData(packet(chunk(3, 12))), "SACK");
        assertFalse(PeerConnectionCore.carriesData(packet(chunk(4, 16))), "HEARTBEAT");
        assertFalse(PeerConnectionCore.carriesData(packet(chunk(3, 12), chunk(192, 8))), "SACK + FORWARD-TSN");
        assertFalse(PeerConnectionCore.carriesData(packet()), "no chunk");
        assertFalse(PeerConnectionCore.carriesData(new byte[5]), "shorter than the common header");
    }

    @Test
    void lengthsThatDoNotAddUpStopTheWalk() {
        byte[] zero = packet(chunk(3, 12), chunk(0, 4));
        zero[12 + 2] = 0;
        zero[12 + 3] = 0; // the SACK's length 0: the walk stops before the DATA
        assertFalse(PeerConnectionCore.carriesData(zero));
        byte[] past = packet(chunk(3, 12));
        past[12 + 2] = (byte) 0xFF; // runs past the end
        assertFalse(PeerConnectionCore.carriesData(past));
        assertFalse(PeerConnectionCore.carriesData(new byte[0]));
    }

    @Test
    void randomBytesNeverThrow() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            byte[] p = new byte[r.nextInt(64)];
            r.nextBytes(p);
            try {
                PeerConnectionCore.carriesData(p);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", packet " + i, e);
            }
        }
    }
}
