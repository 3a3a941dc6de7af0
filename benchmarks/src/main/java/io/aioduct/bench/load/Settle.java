package io.aioduct.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Warms a contender until its rate settles rather than for a fixed time. A client whose JIT is still
 * compiling rises from window to window (Helidon's first rounds at 64 in flight in the 2026-12-07 run: 10.7k,
 * 5.3k, 12.4k, 37.1k, 43.0k req/s after a 10 s warm-up), and its early rounds then count against it. After
 * the fixed warm-up, untimed probe windows run until two in a row set no new high (each within
 * {@link #RISE} of the best before it), or until the cap.
 */
final class Settle {
    /** A window more than this above the best before it means the client is still getting faster. */
    static final double RISE = 0.05;

    /** How many windows in a row must set no new high. */
    static final int CALM = 2;

    private final List<Double> rates = new ArrayList<>();

    /** Records a probe window's rate; returns whether the rate has settled. */
    boolean add(double rps) {
        rates.add(rps);
        return settled(rates);
    }

    /** Whether the last {@link #CALM} rates each stay within {@link #RISE} of the best rate before them. */
    static boolean settled(List<Double> rates) {
        int n = rates.size();
        if (n <= CALM) {
            return false;
        }
        for (int i = n - CALM; i < n; i++) {
            double best = 0;
            for (int j = 0; j < i; j++) {
                best = Math.max(best, rates.get(j));
            }
            if (rates.get(i) > best * (1 + RISE)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs {@code r} untimed on {@code s}: first {@code warmMillis} as before, then probe windows of
     * {@code probeMillis} until the rate settles or {@code maxMillis} of probing have run. Returns a line
     * for the log saying how it went.
     */
    static String warm(Runner r, Scenario s, String url, long warmMillis, long probeMillis, long maxMillis)
            throws Exception {
        Settle settle = new Settle();
        r.run(s, url, warmMillis, probeMillis);
        long spent = 0;
        boolean settled = false;
        while (!settled && spent < maxMillis) {
            Sample x = r.run(s, url, 0, probeMillis);
            spent += probeMillis;
            settled = settle.add(x.requestsPerSecond());
        }
        StringBuilder b = new StringBuilder();
        for (double v : settle.rates) {
            if (!b.isEmpty()) b.append(' ');
            b.append(String.format(Locale.ROOT, "%.0f", v));
        }
        return String.format(
                Locale.ROOT,
                "warm %-24s %s after %d s more (probe req/s: %s)",
                r.name(),
                settled ? "settled" : "NOT settled",
                spent / 1000,
                b);
    }
}
