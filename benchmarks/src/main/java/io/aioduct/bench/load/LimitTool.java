package io.aioduct.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The limit: {@code wrk} (HTTP/1.1, one thread, one connection per request in flight) or {@code h2load}
 * (h2c, one thread, one connection with N streams), pinned to the client CPU like the Java clients.
 * Each turn runs the tool once for the warm-up (discarded) and once for the window; CPU time is the
 * tool's user + system time as the shell's {@code times} reports it for its child.
 */
final class LimitTool implements Runner {
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s\\s+(\\d+)m([\\d.]+)s");
    private static final Pattern H2LOAD_RPS = Pattern.compile("finished in ([\\d.]+)s, ([\\d.]+) req/s");
    private static final Pattern H2LOAD_REQ = Pattern.compile(
            "requests: \\d+ total, \\d+ started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored");

    private final String tool;
    private final int cpu;
    private final Path dir;

    LimitTool(String tool, int cpu, Path dir) {
        if (!tool.equals("wrk") && !tool.equals("h2load")) {
            throw new IllegalArgumentException("unknown limit tool " + tool);
        }
        this.tool = tool;
        this.cpu = cpu;
        this.dir = dir;
    }

    @Override
    public String name() {
        return tool;
    }

    @Override
    public String mode() {
        return tool.equals("wrk") ? "C epoll 1 thread" : "C nghttp2 1 thread";
    }

    @Override
    public Sample run(Scenario s, String url, long warmMillis, long windowMillis)
            throws IOException, InterruptedException {
        long windowSeconds = Math.max(1, Math.round(windowMillis / 1000.0));
        if (tool.equals("wrk")) {
            Path script = wrkScript(s);
            if (warmMillis > 0) {
                shell(wrk(s, url, script, Math.max(1, Math.round(warmMillis / 1000.0))));
            }
            return parseWrk(shell(wrk(s, url, script, windowSeconds)));
        }
        if (warmMillis > 0) {
            shell(h2load(s, url, Math.max(1, Math.round(warmMillis / 1000.0))));
        }
        return parseH2load(shell(h2load(s, url, windowSeconds)));
    }

    private String h2load(Scenario s, String url, long seconds) {
        return "taskset -c " + cpu + " h2load -t1 -c1 -m" + s.concurrency() + " -D " + seconds + " " + url;
    }

    private String wrk(Scenario s, String url, Path script, long seconds) {
        return "taskset -c " + cpu + " wrk -t1 -c" + s.concurrency() + " -d" + seconds + "s --timeout 10s -s " + script
                + " " + url;
    }

    /** A Lua script: the method, body and headers of the scenario, and a summary line with p99.9. */
    Path wrkScript(Scenario s) throws IOException {
        StringBuilder lua = new StringBuilder();
        if (s.method().equals("POST")) {
            lua.append("wrk.method = \"POST\"\n")
                    .append("wrk.body = string.rep(\"a\", ")
                    .append(s.body())
                    .append(")\n")
                    .append("wrk.headers[\"Content-Type\"] = \"application/octet-stream\"\n");
        }
        if (s.close()) {
            lua.append("wrk.headers[\"Connection\"] = \"close\"\n");
        }
        lua.append("""
                done = function(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format("AIODUCT requests=%d micros=%d errors=%d p50=%d p99=%d p999=%d\\n",
                    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
                    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
                end
                """);
        Path file = dir.resolve("wrk-" + s.id() + ".lua");
        Files.writeString(file, lua.toString(), StandardCharsets.UTF_8);
        return file;
    }

    private static String shell(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("bash", "-c", command + "; times"))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("'" + command + "' failed: " + out);
        }
        return out;
    }

    /** CPU nanoseconds of the shell's children, from the second line {@code times} prints. */
    static long childCpuNanos(String output) {
        Matcher m = TIMES.matcher(output);
        long last = -1;
        int found = 0;
        while (m.find()) {
            found++;
            last = Math.round((Long.parseLong(m.group(1)) * 60
                            + Double.parseDouble(m.group(2))
                            + Long.parseLong(m.group(3)) * 60
                            + Double.parseDouble(m.group(4)))
                    * 1e9);
        }
        if (found < 2) {
            throw new IllegalArgumentException("no 'times' output in: " + output);
        }
        return last;
    }

    static Sample parseWrk(String output) {
        int at = output.indexOf("AIODUCT ");
        if (at < 0) {
            throw new IllegalArgumentException("no wrk summary in: " + output);
        }
        Map<String, String> m = KeyValues.parse(output.substring(at + 8, output.indexOf('\n', at)));
        return new Sample(
                Long.parseLong(m.get("requests")),
                Long.parseLong(m.get("errors")),
                Long.parseLong(m.get("micros")) * 1000,
                Double.parseDouble(m.get("p50")),
                Double.parseDouble(m.get("p99")),
                Double.parseDouble(m.get("p999")),
                childCpuNanos(output),
                -1);
    }

    static Sample parseH2load(String output) {
        Matcher rps = H2LOAD_RPS.matcher(output);
        Matcher req = H2LOAD_REQ.matcher(output);
        if (!rps.find() || !req.find()) {
            throw new IllegalArgumentException("no h2load summary in: " + output);
        }
        long done = Long.parseLong(req.group(1));
        long succeeded = Long.parseLong(req.group(2));
        long nanos = Math.round(Double.parseDouble(rps.group(1)) * 1e9);
        // h2load reports no latency percentiles (only min / max / mean).
        return new Sample(
                succeeded, done - succeeded, nanos, Double.NaN, Double.NaN, Double.NaN, childCpuNanos(output), -1);
    }

    @Override
    public void close() {}
}
