package org.jdatachannel.sctp.tx;

/**
 * The retransmission timeout of RFC 9260 §6.3.1: SRTT and RTTVAR smoothed with RTO.Alpha = 1/8 and
 * RTO.Beta = 1/4, RTO = SRTT + 4 * RTTVAR clamped to [RTO.Min, RTO.Max], and the exponential
 * backoff of §6.3.3 E2.
 *
 * <p>Deviation (documented, as dcSCTP does with its {@code min_rtt_variance}): the RTTVAR term of
 * the RTO formula uses {@code max(RTTVAR, minRttVariance)}. Browsers' usrsctp delays a SACK up to
 * 200 ms, so a stable path measured at, say, 20 ms with RTTVAR near 0 would otherwise get an RTO of
 * RTO.Min only, and a large RTO.Min is the only thing preventing T3-rtx from firing spuriously
 * against a delayed SACK. With the floor (default 55 ms, so 4 * 55 = 220 ms, dcSCTP's value) the
 * RTO always exceeds SRTT by more than the peer's delayed-ack time. The stored RTTVAR itself follows
 * the RFC formulas exactly.
 *
 * <p>All values are milliseconds. Not thread-safe.
 */
public final class RetransmissionTimeout {
    private final long minRto;
    private final long maxRto;
    private final long minRttVariance;
    private double srtt;
    private double rttvar;
    private long rto;
    private boolean measured;

    /**
     * Without an RTTVAR floor (tests of the plain RFC formulas).
     *
     * @param initialRto RTO.Initial, ms, in [minRto, maxRto]
     * @param minRto RTO.Min, ms, &gt;= 1
     * @param maxRto RTO.Max, ms, &gt;= minRto
     * @throws IllegalArgumentException if the values are out of range
     */
    public RetransmissionTimeout(long initialRto, long minRto, long maxRto) {
        this(initialRto, minRto, maxRto, 0);
    }

    /**
     * @param initialRto RTO.Initial, ms, in [minRto, maxRto]
     * @param minRto RTO.Min, ms, &gt;= 1
     * @param maxRto RTO.Max, ms, &gt;= minRto
     * @param minRttVariance floor on RTTVAR in the RTO formula, ms, &gt;= 0
     * @throws IllegalArgumentException if the values are out of range
     */
    public RetransmissionTimeout(long initialRto, long minRto, long maxRto, long minRttVariance) {
        if (minRto < 1 || maxRto < minRto || initialRto < minRto || initialRto > maxRto || minRttVariance < 0) {
            throw new IllegalArgumentException("bad RTO parameters: initial " + initialRto + ", min " + minRto
                    + ", max " + maxRto + ", min RTT variance " + minRttVariance);
        }
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.minRttVariance = minRttVariance;
        // §6.3.1 C1: "Until an RTT measurement has been made ..., the sender MUST set RTO to the
        // protocol parameter 'RTO.Initial'."
        this.rto = initialRto;
    }

    /**
     * Adds one RTT measurement. Callers apply Karn's rule (§6.3.1 C5: "RTT measurements MUST NOT be
     * made using DATA chunks that were retransmitted"). Negative samples and samples above RTO.Max
     * are ignored (a corrupt measurement would take very long to smooth out).
     *
     * @param rttMs the measured round trip, ms
     */
    public void observe(long rttMs) {
        if (rttMs < 0 || rttMs > maxRto) {
            return;
        }
        double r = rttMs;
        if (!measured) {
            // §6.3.1 C2: "When the first RTT measurement R is made, set SRTT <- R, RTTVAR <- R/2,
            // and RTO <- SRTT + 4 * RTTVAR."
            srtt = r;
            rttvar = r / 2;
            measured = true;
        } else {
            // §6.3.1 C3: "RTTVAR <- (1 - RTO.Beta) * RTTVAR + RTO.Beta * |SRTT - R'|
            //             SRTT <- (1 - RTO.Alpha) * SRTT + RTO.Alpha * R'"
            // (RTTVAR first, with the old SRTT: "the value of SRTT used in the update to RTTVAR is
            // its value before updating SRTT itself")
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
            srtt = 0.875 * srtt + 0.125 * r;
        }
        // §6.3.1 C3: "After the computation, update RTO <- SRTT + 4 * RTTVAR."
        // G1 (clock granularity G = 1 ms): "... if RTTVAR = 0, ... RTTVAR is adjusted to be G".
        double var = Math.max(Math.max(rttvar, 1), minRttVariance);
        rto = clamp(Math.round(srtt + 4 * var));
    }

    /**
     * §6.3.3 E2: "For the destination address for which the timer expires, set RTO <- RTO * 2 ('back
     * off the timer'). The maximum value discussed in rule C7 above (RTO.max) MAY be used to
     * provide an upper bound to this doubling operation." The next measurement recomputes the RTO
     * from SRTT and RTTVAR (C3), which undoes the backoff.
     */
    public void backOff() {
        rto = clamp(rto * 2);
    }

    private long clamp(long v) {
        // §6.3.1 C6: "Whenever RTO is computed, if it is less than RTO.Min seconds, then it is rounded
        // up to RTO.Min seconds." C7: "A maximum value may be placed on RTO provided it is at least
        // RTO.max seconds."
        return Math.max(minRto, Math.min(maxRto, v));
    }

    /** @return the current RTO, ms, in [RTO.Min, RTO.Max] */
    public long rto() {
        return rto;
    }

    /** @return the smoothed RTT, ms (0 before the first measurement) */
    public long srtt() {
        return Math.round(srtt);
    }

    /** @return the RTT variation per the RFC formulas without the floor, ms (0 before the first measurement) */
    public double rttvar() {
        return rttvar;
    }

    /** @return true once a measurement was made */
    public boolean hasMeasurement() {
        return measured;
    }
}
