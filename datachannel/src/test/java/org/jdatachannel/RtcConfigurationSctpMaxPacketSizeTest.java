package org.jdatachannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link RtcConfiguration.Builder#sctpMaxPacketSize(int)}: range, default, message, toBuilder. */
class RtcConfigurationSctpMaxPacketSizeTest {

    @Test
    void rangeDefaultAndCopy() {
        assertEquals(0, RtcConfiguration.defaults().sctpMaxPacketSize(), "automatic by default");
        for (int ok : new int[] {0, 1191, 1192, 16384, 65535}) {
            RtcConfiguration c = RtcConfiguration.builder().sctpMaxPacketSize(ok).build();
            assertEquals(ok, c.sctpMaxPacketSize());
            assertEquals(ok, c.toBuilder().build().sctpMaxPacketSize());
        }
        for (int bad : new int[] {-1, 1, 1190, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RtcConfiguration.builder().sctpMaxPacketSize(bad));
            assertEquals("sctpMaxPacketSize must be 0 (automatic) or 1191..65535, got " + bad, e.getMessage());
        }
        assertEquals(1191, RtcConfiguration.SCTP_BASE_PACKET_SIZE);
        assertEquals(65535, RtcConfiguration.MAX_SCTP_PACKET_SIZE);
    }
}
