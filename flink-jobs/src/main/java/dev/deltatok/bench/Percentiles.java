package dev.deltatok.bench;

import java.util.Arrays;

/** Nearest-rank percentiles and medians. */
final class Percentiles {

    private Percentiles() {}

    /** The p-th (0..100) nearest-rank percentile of {@code values}, NaN when empty. */
    static double of(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The median of {@code values} (mean of the middle two for an even count), NaN when empty. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
