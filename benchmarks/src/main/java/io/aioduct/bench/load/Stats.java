package io.aioduct.bench.load;

import java.util.Arrays;

/** The small amount of statistics the report needs. */
public final class Stats {
    private Stats() {}

    /** The median of the values that are not NaN (mean of the middle two for an even count); NaN if none. */
    public static double median(double... values) {
        double[] v =
                Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** {@code a / b}, NaN when either is NaN or {@code b} is zero. */
    public static double ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
    }
}
