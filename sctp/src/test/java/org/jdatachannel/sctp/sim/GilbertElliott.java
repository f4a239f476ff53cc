package org.jdatachannel.sctp.sim;

/**
 * Parameters of the two-state Gilbert-Elliott bursty loss model. The channel is in a "good" or a
 * "bad" state; before each packet it moves from good to bad with probability {@code goodToBad} and
 * from bad to good with probability {@code badToGood}; the packet is then lost with the loss
 * probability of the state it is in. The mean burst (time in bad) lasts {@code 1 / badToGood}
 * packets.
 *
 * @param goodToBad probability 0..1 of entering the bad state, per packet
 * @param badToGood probability 0..1 of leaving the bad state, per packet (0 with goodToBad &gt; 0
 *     means the link ends up dead)
 * @param lossInGood loss probability 0..1 in the good state
 * @param lossInBad loss probability 0..1 in the bad state
 */
public record GilbertElliott(double goodToBad, double badToGood, double lossInGood, double lossInBad) {

    /** @throws IllegalArgumentException if a probability is outside 0..1 or NaN */
    public GilbertElliott {
        check("goodToBad", goodToBad);
        check("badToGood", badToGood);
        check("lossInGood", lossInGood);
        check("lossInBad", lossInBad);
    }

    static double check(String what, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " " + p + " is not a probability in 0..1");
        }
        return p;
    }

    /**
     * A burst model with the given long-run loss rate: lossless good state, bad state losing
     * {@code lossInBad} of its packets, bursts of {@code meanBurst} packets on average.
     *
     * @param meanLoss long-run loss rate, 0..lossInBad
     * @param meanBurst mean number of packets per bad period, &gt;= 1
     * @param lossInBad loss probability in the bad state, 0 &lt; lossInBad &lt;= 1
     * @return the model
     * @throws IllegalArgumentException if the arguments cannot be met
     */
    public static GilbertElliott ofMeanLoss(double meanLoss, double meanBurst, double lossInBad) {
        if (!(meanBurst >= 1) || !(lossInBad > 0 && lossInBad <= 1) || !(meanLoss >= 0 && meanLoss < lossInBad)) {
            throw new IllegalArgumentException("need meanBurst >= 1 and 0 <= meanLoss " + meanLoss + " < lossInBad "
                    + lossInBad + " <= 1 (meanBurst " + meanBurst + ")");
        }
        double r = 1 / meanBurst;
        // stationary share of bad = p / (p + r) = meanLoss / lossInBad
        double bad = meanLoss / lossInBad;
        double p = r * bad / (1 - bad);
        return new GilbertElliott(Math.min(1, p), r, 0, lossInBad);
    }

    /** @return the long-run loss rate: the stationary share of each state times its loss */
    public double meanLoss() {
        double sum = goodToBad + badToGood;
        if (sum == 0) {
            return lossInGood;
        }
        return (badToGood * lossInGood + goodToBad * lossInBad) / sum;
    }
}
