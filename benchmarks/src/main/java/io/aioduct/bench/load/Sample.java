package io.aioduct.bench.load;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one timed window measured: completed requests and failures, the window's length, latency
 * percentiles (µs), the process CPU time and the bytes allocated by all threads during the window.
 */
public record Sample(
        long requests,
        long errors,
        long nanos,
        double p50Us,
        double p99Us,
        double p999Us,
        long cpuNanos,
        long allocBytes) {

    public double requestsPerSecond() {
        return nanos == 0 ? 0 : requests * 1e9 / nanos;
    }

    /** CPU time of the client process per request, in µs (NaN with no requests). */
    public double cpuUsPerRequest() {
        return requests == 0 ? Double.NaN : cpuNanos / 1e3 / requests;
    }

    /** Bytes allocated per request (NaN with no requests, or when not measured). */
    public double allocBytesPerRequest() {
        return requests == 0 || allocBytes < 0 ? Double.NaN : (double) allocBytes / requests;
    }

    /** One line of {@code key=value} pairs, the worker's answer to the runner. */
    public String toLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests);
        m.put("errors", errors);
        m.put("nanos", nanos);
        m.put("p50", p50Us);
        m.put("p99", p99Us);
        m.put("p999", p999Us);
        m.put("cpu", cpuNanos);
        m.put("alloc", allocBytes);
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ")
                .append(k)
                .append('=')
                .append(v instanceof Double d ? String.format(Locale.ROOT, "%.1f", d) : v));
        return sb.toString();
    }

    /** Parses {@link #toLine()}. */
    public static Sample parse(String line) {
        Map<String, String> m = KeyValues.parse(line);
        return new Sample(
                Long.parseLong(m.get("requests")),
                Long.parseLong(m.get("errors")),
                Long.parseLong(m.get("nanos")),
                Double.parseDouble(m.get("p50")),
                Double.parseDouble(m.get("p99")),
                Double.parseDouble(m.get("p999")),
                Long.parseLong(m.get("cpu")),
                Long.parseLong(m.get("alloc")));
    }
}
