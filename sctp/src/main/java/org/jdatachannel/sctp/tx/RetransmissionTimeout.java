package org.jdatachannel.sctp.tx;

/**
 * The retransmission timeout computation of RFC 9260 §6.3.1 (SRTT, RTTVAR, RTO with
 * RTO.Alpha = 1/8 and RTO.Beta = 1/4), clamped to [min, max]. Not thread-safe.
 */
public final class RetransmissionTimeout {
    private final long minRto;
    private final long maxRto;
    private double srtt;
    private double rttvar;
    private long rto;
    private boolean measured;

    /**
     * @param initialRto RTO.Initial, ms
     * @param minRto RTO.Min, ms
     * @param maxRto RTO.Max, ms
     */
    public RetransmissionTimeout(long initialRto, long minRto, long maxRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.rto = initialRto;
    }

    /**
     * Adds one RTT measurement. Callers apply Karn's rule (§6.3.1 C5: "RTT measurements MUST NOT be
     * made using DATA chunks that were retransmitted").
     *
     * @param rttMs the measured round trip, ms, &gt;= 0
     */
    public void observe(long rttMs) {
        double r = Math.max(0, rttMs);
        if (!measured) {
            // C2: "SRTT <- R, RTTVAR <- R/2, RTO <- SRTT + 4 * RTTVAR"
            srtt = r;
            rttvar = r / 2;
            measured = true;
        } else {
            // C3: "RTTVAR <- (1 - RTO.Beta) * RTTVAR + RTO.Beta * |SRTT - R'|,
            //      SRTT <- (1 - RTO.Alpha) * SRTT + RTO.Alpha * R'"
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
            srtt = 0.875 * srtt + 0.125 * r;
        }
        // C4/G1: clock granularity G = 1 ms
        rto = clamp(Math.round(srtt + Math.max(1, 4 * rttvar)));
    }

    /** §6.3.3 E2: "RTO <- RTO * 2 ("back off the timer")", capped at RTO.Max. */
    public void backOff() {
        rto = clamp(rto * 2);
    }

    private long clamp(long v) {
        return Math.max(minRto, Math.min(maxRto, v));
    }

    /** @return the current RTO, ms */
    public long rto() {
        return rto;
    }

    /** @return the smoothed RTT, ms (0 before the first measurement) */
    public long srtt() {
        return Math.round(srtt);
    }
}
