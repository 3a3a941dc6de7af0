package io.aioduct.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of the raw results CSV: one turn of one contender in one scenario (a timed window), or one
 * idle-connections measurement (then {@code sockets}, {@code heapPerConn} and {@code rssPerConn} are
 * set and the latency columns are NaN). NaN is written as an empty field.
 */
public record Row(
        String scenario,
        String protocol,
        String contender,
        String mode,
        int round,
        int concurrency,
        long requests,
        long errors,
        double seconds,
        double rps,
        double p50Us,
        double p99Us,
        double p999Us,
        double cpuUsPerRequest,
        double allocBytesPerRequest,
        double sockets,
        double heapPerConn,
        double rssPerConn) {

    public static final String HEADER = "scenario,protocol,contender,mode,round,concurrency,requests,errors,seconds,"
            + "rps,p50_us,p99_us,p999_us,cpu_us_per_req,alloc_bytes_per_req,sockets,heap_bytes_per_conn,rss_bytes_per_conn";

    static Row of(Scenario s, Runner r, int round, Sample x) {
        return new Row(
                s.id(),
                s.protocol().name(),
                r.name(),
                r.mode(),
                round,
                s.concurrency(),
                x.requests(),
                x.errors(),
                x.nanos() / 1e9,
                x.requestsPerSecond(),
                x.p50Us(),
                x.p99Us(),
                x.p999Us(),
                x.cpuUsPerRequest(),
                x.allocBytesPerRequest(),
                Double.NaN,
                Double.NaN,
                Double.NaN);
    }

    public String toCsv() {
        List<String> f = new ArrayList<>(List.of(
                clean(scenario),
                clean(protocol),
                clean(contender),
                clean(mode),
                Integer.toString(round),
                Integer.toString(concurrency),
                Long.toString(requests),
                Long.toString(errors)));
        for (double d : new double[] {
            seconds, rps, p50Us, p99Us, p999Us, cpuUsPerRequest, allocBytesPerRequest, sockets, heapPerConn, rssPerConn
        }) {
            f.add(Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.3f", d));
        }
        return String.join(",", f);
    }

    public static Row parse(String line) {
        String[] f = line.split(",", -1);
        if (f.length != 18) {
            throw new IllegalArgumentException("expected 18 fields, found " + f.length + ": " + line);
        }
        return new Row(
                f[0],
                f[1],
                f[2],
                f[3],
                Integer.parseInt(f[4]),
                Integer.parseInt(f[5]),
                Long.parseLong(f[6]),
                Long.parseLong(f[7]),
                num(f[8]),
                num(f[9]),
                num(f[10]),
                num(f[11]),
                num(f[12]),
                num(f[13]),
                num(f[14]),
                num(f[15]),
                num(f[16]),
                num(f[17]));
    }

    private static double num(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    private static String clean(String s) {
        return s.replace(',', ' ');
    }
}
