package io.aioduct.engine;

import io.aioduct.Request;
import java.time.Duration;

/** Resolving a request's timeouts against its client's defaults, in nanoseconds (0 = no limit). */
final class Deadlines {
    private Deadlines() {}

    static long pick(Duration requestValue, Duration clientValue) {
        Duration d = requestValue != null ? requestValue : clientValue;
        return d.toNanos();
    }

    static long connect(Request r, ExchangeSettings s) {
        return pick(r.connectTimeout(), s.connectTimeout());
    }

    static long response(Request r, ExchangeSettings s) {
        return pick(r.responseTimeout(), s.responseTimeout());
    }

    static long read(Request r, ExchangeSettings s) {
        return pick(r.readTimeout(), s.readTimeout());
    }

    static long total(Request r, ExchangeSettings s) {
        return pick(r.totalTimeout(), s.totalTimeout());
    }

    static long expectContinue(Request r, ExchangeSettings s) {
        return pick(r.expectContinueTimeout(), s.expectContinueTimeout());
    }

    /** The deadline for {@code nanos} from {@code start}; 0 when there is no limit (never 0 otherwise). */
    static long deadline(long start, long nanos) {
        if (nanos == 0) return 0;
        long d = start + nanos;
        return d == 0 ? 1 : d;
    }

    /** The smaller positive limit of two, 0 meaning none. */
    static long min(long a, long b) {
        if (a == 0) return b;
        if (b == 0) return a;
        return Math.min(a, b);
    }
}
