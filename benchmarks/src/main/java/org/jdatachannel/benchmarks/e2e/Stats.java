package org.jdatachannel.benchmarks.e2e;

import java.util.Arrays;

/** Percentiles and medians of samples. Stateless. */
final class Stats {
    private Stats() {
    }

    /**
     * Latency distribution.
     *
     * @param n samples
     * @param p50 median
     * @param p99 99th percentile (nearest rank)
     * @param max maximum
     */
    record Dist(int n, double p50, double p99, double max) {
        static final Dist EMPTY = new Dist(0, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * Median of repeated measurements with its spread.
     *
     * @param median the median value
     * @param min smallest value
     * @param max largest value
     * @param values all values, in the order measured
     */
    record Median(double median, double min, double max, double[] values) {
        /** @return (max - min) / 2, the "±" printed next to the median */
        double halfSpread() {
            return (max - min) / 2;
        }
    }

    /** @return the distribution of the first {@code n} values (they are not modified) */
    static Dist dist(double[] values, int n) {
        if (n <= 0) {
            return Dist.EMPTY;
        }
        double[] v = Arrays.copyOf(values, n);
        Arrays.sort(v);
        return new Dist(n, rank(v, 0.50), rank(v, 0.99), v[n - 1]);
    }

    /** Nearest-rank percentile of sorted values. */
    static double rank(double[] sorted, double q) {
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }

    /** @return the median (mean of the middle two for an even count) with min and max; NaN when empty */
    static Median median(double[] values) {
        if (values.length == 0) {
            return new Median(Double.NaN, Double.NaN, Double.NaN, values);
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double m = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Median(m, v[0], v[n - 1], values.clone());
    }
}
