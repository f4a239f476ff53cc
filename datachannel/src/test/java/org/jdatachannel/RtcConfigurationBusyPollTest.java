package org.jdatachannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link RtcConfiguration.Builder#busyPollMicros(int)}: range, default, and toBuilder. */
class RtcConfigurationBusyPollTest {

    @Test
    void rangeDefaultAndCopy() {
        assertEquals(RtcConfiguration.DEFAULT_BUSY_POLL_MICROS, RtcConfiguration.defaults().busyPollMicros());
        assertEquals(0, RtcConfiguration.builder().busyPollMicros(0).build().busyPollMicros());
        RtcConfiguration c = RtcConfiguration.builder().busyPollMicros(RtcConfiguration.MAX_BUSY_POLL_MICROS).build();
        assertEquals(RtcConfiguration.MAX_BUSY_POLL_MICROS, c.busyPollMicros());
        assertEquals(RtcConfiguration.MAX_BUSY_POLL_MICROS, c.toBuilder().build().busyPollMicros());
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
                () -> RtcConfiguration.builder().busyPollMicros(-1));
        assertTrue(low.getMessage().contains("busyPollMicros"), low.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RtcConfiguration.builder().busyPollMicros(RtcConfiguration.MAX_BUSY_POLL_MICROS + 1));
    }
}
