package io.podnet.bench;

import java.util.Arrays;

/** Medians and percentiles of measured durations, printed the same way by every benchmark. */
final class Stats {
    private Stats() {
    }

    static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** "label  median  p90" in milliseconds. */
    static String row(String label, long[] nanos) {
        return String.format("%-48s %10.3f %10.3f", label, percentile(nanos, 50) / 1e6, percentile(nanos, 90) / 1e6);
    }

    static String header() {
        return String.format("%-48s %10s %10s", "operation", "median ms", "p90 ms");
    }
}
