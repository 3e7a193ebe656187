package org.flocksy.core.testing;

import java.util.Arrays;

/** The statistics the traffic tests state their thresholds in. */
public final class Stats {
    private Stats() {}

    /** The two-sample Kolmogorov-Smirnov distance: the largest gap between the two empirical distributions. */
    public static double ksStatistic(double[] x, double[] y) {
        double[] a = x.clone();
        double[] b = y.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < a.length && j < b.length) {
            double v = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= v) {
                i++;
            }
            while (j < b.length && b[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
        }
        return d;
    }

    /** The KS critical distance at α = 0.001 for samples of {@code n} and {@code m}: c(α) = 1.95. */
    public static double ksCritical001(int n, int m) {
        return 1.95 * Math.sqrt((double) (n + m) / ((double) n * m));
    }
}
