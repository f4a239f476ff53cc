package org.jdatachannel.sctp.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The FORWARD TSN repeat limit (RFC 3758 §3.5 C3 policy in {@link OutstandingData#forwardTsnDue})
 * holds before any RTT was measured: with SRTT 0 it used to allow a FORWARD TSN on every flush; the
 * RTO stands in for 1.25 SRTT until there is a measurement.
 */
class ForwardTsnRateTest {
    @Test
    void withoutRttMeasurementTheRtoLimitsRepeats() {
        RetransmissionTimeout rto = new RetransmissionTimeout(1000, 100, 60000);
        OutstandingData o = new OutstandingData(1000, 1 << 20, 1188, rto);
        SendQueue q = new SendQueue(1 << 24);
        SendQueue.Message m = q.add(1, 51, new byte[100], false, 0, Long.MAX_VALUE);
        o.add(q.next(1000, 0, id -> { }), 0, true);
        assertFalse(rto.hasMeasurement());
        o.abandon(m);
        assertTrue(o.forwardTsnDue(10), "a new Advanced.Peer.Ack.Point is announced at once");
        assertNotNull(o.createForwardTsn(10, false));
        for (long t = 11; t <= 1010; t += 7) {
            assertFalse(o.forwardTsnDue(t), "repeated at " + t + " ms, within one RTO of the last");
        }
        assertTrue(o.forwardTsnDue(1011), "not acknowledged after one RTO: presumed lost");
        o.createForwardTsn(1011, false);
        assertFalse(o.forwardTsnDue(1012));
        assertEquals(2, o.forwardTsnCount());
    }
}
