package io.aioduct.bench.load;

import io.aioduct.bench.BenchServer;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The load runner ({@code scripts/bench-load}): starts nginx pinned to the server CPU, then for each
 * scenario group starts one JVM per contender pinned to the client CPU, and runs each scenario in rounds,
 * contenders taking turns (the order rotates every round, so drift hits everyone alike); wrk / h2load
 * take their turn too. Every turn is a short warm-up then a timed window, one CSV row. The first turn of
 * a contender in a group warms up long, then runs untimed windows until its rate stops rising ({@link
 * Settle}: the JIT has settled), the first turn in a later scenario warms up shorter, the later rounds'
 * turns briefly. Finally {@link Report} writes docs/benchmarks.md and the chart.
 *
 * <p>Arguments, {@code key=value}: {@code groups=h1,h2c,spring,idle}, {@code scenarios=substring,...},
 * {@code contenders=name,...}, {@code rounds=3}, {@code window=1.5} (s), {@code group-warm=10},
 * {@code scenario-warm=1.5}, {@code turn-warm=0.5} (s), {@code settle=40} (s of settling at most, 0 = off), {@code idle-n=10000}, {@code report=true}, {@code
 * note=text_with_underscores} (conditions, into the report), {@code baseline=/other/checkout} (every aioduct
 * contender also runs from that build as {@code name@baseline}, taking turns with this one; see {@link
 * Compare}). {@code quick} = 1 round, 1 s windows, 1 s
 * warm-ups, no settling, 500 idle connections, no report (for trying the harness).
 */
public final class LoadMain {
    static final int CLIENT_CPU = 0;
    static final int SERVER_CPU = 1;
    static final List<String> CORE = List.of(
            "aioduct-pooled",
            "aioduct-io-uring",
            "aioduct-virtual",
            "reactor-netty",
            "jdk",
            "apache5-async",
            "jetty12",
            "helidon4",
            "okhttp4");
    static final List<String> SPRING = List.of(
            "spring-aioduct-virtual",
            "spring-aioduct-pooled",
            "spring-jdk",
            "spring-reactor",
            "spring-jetty",
            "spring-httpcomponents");
    static final List<String> WORKER_JVM = List.of(
            "--sun-misc-unsafe-memory-access=allow",
            "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC",
            "-Xms2g",
            "-Xmx2g");

    /** The untimed window {@link Settle} compares while a contender warms up. */
    static final long SETTLE_PROBE_MS = 2000;

    /** The name suffix of a contender run from the {@code baseline} build. */
    static final String BASELINE_SUFFIX = "@baseline";

    private LoadMain() {}

    /** The run's settings, from the command line. */
    record Settings(
            List<String> groups,
            List<String> scenarios,
            List<String> contenders,
            int rounds,
            long windowMs,
            long groupWarmMs,
            long scenarioWarmMs,
            long turnWarmMs,
            long settleMs,
            int idleN,
            boolean report,
            String note,
            String baseline) {

        static Settings parse(String... args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (String arg : args) {
                if (arg.equals("quick")) {
                    a.putIfAbsent("rounds", "1");
                    a.putIfAbsent("window", "1");
                    a.putIfAbsent("group-warm", "1");
                    a.putIfAbsent("scenario-warm", "1");
                    a.putIfAbsent("turn-warm", "1");
                    a.putIfAbsent("settle", "0");
                    a.putIfAbsent("idle-n", "500");
                    a.putIfAbsent("report", "false");
                    continue;
                }
                int eq = arg.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("arguments are key=value (or 'quick'), got '" + arg + "'");
                }
                a.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
            List<String> known = List.of(
                    "groups",
                    "scenarios",
                    "contenders",
                    "rounds",
                    "window",
                    "group-warm",
                    "scenario-warm",
                    "turn-warm",
                    "settle",
                    "idle-n",
                    "report",
                    "note",
                    "baseline");
            for (String k : a.keySet()) {
                if (!known.contains(k)) {
                    throw new IllegalArgumentException("unknown setting '" + k + "'; known: " + known);
                }
            }
            return new Settings(
                    list(a.getOrDefault("groups", "h1,h2c,spring,idle")),
                    list(a.getOrDefault("scenarios", "")),
                    list(a.getOrDefault("contenders", "")),
                    Integer.parseInt(a.getOrDefault("rounds", "3")),
                    seconds(a.getOrDefault("window", "1.5")),
                    seconds(a.getOrDefault("group-warm", "10")),
                    seconds(a.getOrDefault("scenario-warm", "1.5")),
                    seconds(a.getOrDefault("turn-warm", "0.5")),
                    seconds(a.getOrDefault("settle", "40")),
                    Integer.parseInt(a.getOrDefault("idle-n", "10000")),
                    Boolean.parseBoolean(a.getOrDefault("report", "true")),
                    a.getOrDefault("note", "").replace('_', ' '),
                    a.getOrDefault("baseline", ""));
        }

        private static List<String> list(String s) {
            return s.isBlank()
                    ? List.of()
                    : Arrays.stream(s.split(",")).map(String::trim).toList();
        }

        private static long seconds(String s) {
            return Math.round(Double.parseDouble(s) * 1000);
        }

        boolean wants(Scenario s) {
            return groups.contains(s.group())
                    && (scenarios.isEmpty() || scenarios.stream().anyMatch(f -> s.id().contains(f)));
        }

        boolean wants(String contender) {
            return contenders.isEmpty() || contenders.contains(contender);
        }

        String describe() {
            return String.format(
                            Locale.ROOT,
                            "rounds=%d window=%.1fs group-warm=%.1fs scenario-warm=%.1fs turn-warm=%.1fs settle=%.0fs idle-n=%d",
                            rounds,
                            windowMs / 1e3,
                            groupWarmMs / 1e3,
                            scenarioWarmMs / 1e3,
                            turnWarmMs / 1e3,
                            settleMs / 1e3,
                            idleN)
                    + (baseline.isEmpty() ? "" : " baseline=" + baseline);
        }

        /**
         * The class path of the baseline build (a checkout whose benchmarks module was packaged with
         * {@code dependency:build-classpath -Dmdep.outputFile=target/classpath.txt}, as this script does), or
         * empty when the run compares no builds.
         */
        String baselineClassPath() throws IOException {
            if (baseline.isEmpty()) return "";
            Path dir = Path.of(baseline, "benchmarks", "target");
            Path cp = dir.resolve("classpath.txt");
            if (!Files.isRegularFile(cp)) {
                throw new IllegalArgumentException("baseline=" + baseline + " has no " + cp
                        + ": package its benchmarks module first (scripts/bench-load does, in that checkout)");
            }
            return dir.resolve("classes") + ":" + Files.readString(cp).trim();
        }
    }

    public static void main(String[] args) throws Exception {
        Settings st = Settings.parse(args);
        Path results = Path.of("benchmarks/results");
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now());
        String runId = "load-" + stamp;
        Path logs = Files.createDirectories(Path.of("benchmarks/target/load-logs", runId));
        Files.createDirectories(results);
        Path csv = results.resolve(runId + ".csv");
        Path meta = results.resolve(runId + ".properties");
        writeMeta(meta, st, Instant.now());
        long started = System.nanoTime();
        try (BenchServer server = BenchServer.start(SERVER_CPU);
                Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            out.write(Row.HEADER + "\n");
            for (String group : List.of(Scenario.H1, Scenario.H2C, Scenario.SPRING, Scenario.IDLE)) {
                List<Scenario> scenarios = Scenario.all().stream()
                        .filter(s -> s.group().equals(group) && st.wants(s))
                        .toList();
                if (scenarios.isEmpty()) continue;
                if (group.equals(Scenario.IDLE)) {
                    runIdle(server, scenarios.getFirst(), st, logs, out);
                } else {
                    runGroup(server, group, scenarios, st, logs, out);
                }
            }
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(meta)) {
            p.load(r);
        }
        p.setProperty("elapsed.seconds", Long.toString((System.nanoTime() - started) / 1_000_000_000L));
        try (var w = Files.newBufferedWriter(meta)) {
            p.store(w, "aioduct load benchmark run");
        }
        System.out.printf("done in %d s: %s%n", (System.nanoTime() - started) / 1_000_000_000L, csv);
        if (st.report()) {
            Report.main(new String[] {csv.toString()});
        }
    }

    private static void writeMeta(Path meta, Settings st, Instant now) throws IOException {
        Properties p = new Properties();
        p.setProperty("date", DateTimeFormatter.ISO_INSTANT.format(now));
        p.setProperty("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        p.setProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        p.setProperty("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " visible to the runner");
        p.setProperty("settings", st.describe());
        p.setProperty("worker.jvm", String.join(" ", WORKER_JVM));
        p.setProperty("note", st.note());
        p.setProperty(
                "runner.jvm",
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        try (var w = Files.newBufferedWriter(meta)) {
            p.store(w, "aioduct load benchmark run");
        }
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name"))
                    return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown CPU";
    }

    private static String url(BenchServer server, Scenario s) {
        int port = s.protocol() == Protocol.H2C ? server.h2cPort() : server.http1Port();
        return "http://127.0.0.1:" + port + s.path();
    }

    private static void runGroup(
            BenchServer server, String group, List<Scenario> scenarios, Settings st, Path logs, Writer out)
            throws IOException {
        Protocol protocol = scenarios.getFirst().protocol();
        List<String> names = (group.equals(Scenario.SPRING) ? SPRING : CORE)
                .stream()
                        .filter(n -> Contenders.supports(n, protocol) && st.wants(n))
                        .toList();
        List<Runner> runners = new ArrayList<>();
        try {
            String baseline = st.baselineClassPath();
            for (String n : names) {
                try {
                    runners.add(new WorkerProcess(
                            n, protocol, 512, CLIENT_CPU, WORKER_JVM, logs.resolve(group + "-" + n + ".log")));
                } catch (IOException e) {
                    System.out.println("SKIP " + n + ": " + e.getMessage());
                }
                if (!baseline.isEmpty() && n.startsWith("aioduct-")) {
                    String b = n + BASELINE_SUFFIX;
                    try {
                        runners.add(new WorkerProcess(
                                b,
                                n,
                                baseline,
                                protocol,
                                512,
                                CLIENT_CPU,
                                WORKER_JVM,
                                logs.resolve(group + "-" + b + ".log")));
                    } catch (IOException e) {
                        System.out.println("SKIP " + b + ": " + e.getMessage());
                    }
                }
            }
            if (!group.equals(Scenario.SPRING)) {
                String tool = protocol == Protocol.H2C ? "h2load" : "wrk";
                if (st.wants(tool)) runners.add(new LimitTool(tool, CLIENT_CPU, logs));
            }
            // RestClient over a peer is a deep stack (Spring, the bridge, the client) that the JIT compiles on
            // the same one core the load runs on: after 10 s the Spring peers of the 2026-11-22 run still
            // doubled their req/s from round to round, while RestClient on aioduct was flat. Their first
            // turn warms three times as long.
            long firstWarmMs = group.equals(Scenario.SPRING) ? 3 * st.groupWarmMs() : st.groupWarmMs();
            boolean firstScenario = true;
            for (Scenario s : scenarios) {
                for (int round = 0; round < st.rounds(); round++) {
                    for (int i = 0; i < runners.size(); i++) {
                        Runner r = runners.get((i + round) % runners.size());
                        boolean first = round == 0 && firstScenario && r instanceof WorkerProcess;
                        long warm = round > 0 ? st.turnWarmMs() : first ? firstWarmMs : st.scenarioWarmMs();
                        try {
                            if (first && st.settleMs() > 0) {
                                // The fixed warm-up, then untimed windows until the rate stops rising.
                                System.out.println(
                                        Settle.warm(r, s, url(server, s), warm, SETTLE_PROBE_MS, st.settleMs()));
                                warm = st.scenarioWarmMs();
                            }
                            Sample x = r.run(s, url(server, s), warm, st.windowMs());
                            Row row = Row.of(s, r, round, x);
                            out.write(row.toCsv() + "\n");
                            out.flush();
                            System.out.printf(
                                    Locale.ROOT,
                                    "%-22s r%d %-24s %9.0f req/s  p50 %7.0f  p99 %7.0f  p99.9 %7.0f us  cpu %6.1f us/req  alloc %8.0f B/req  errors %d%n",
                                    s.id(),
                                    round,
                                    r.name(),
                                    row.rps(),
                                    row.p50Us(),
                                    row.p99Us(),
                                    row.p999Us(),
                                    row.cpuUsPerRequest(),
                                    row.allocBytesPerRequest(),
                                    row.errors());
                        } catch (Exception e) {
                            System.out.println("FAIL " + s.id() + " " + r.name() + ": " + e.getMessage());
                        }
                    }
                }
                firstScenario = false;
            }
        } finally {
            runners.forEach(Runner::close);
        }
    }

    private static void runIdle(BenchServer server, Scenario s, Settings st, Path logs, Writer out) throws IOException {
        for (String n : CORE) {
            if (!st.wants(n)) continue;
            try (WorkerProcess w = new WorkerProcess(
                    n, Protocol.H1, st.idleN() + 100, CLIENT_CPU, WORKER_JVM, logs.resolve("idle-" + n + ".log"))) {
                Map<String, String> m = KeyValues.parse(w.idle(url(server, s), st.idleN()));
                long conns = Long.parseLong(m.get("sockets"));
                double per = Math.max(1, conns);
                Row row = new Row(
                        s.id(),
                        s.protocol().name(),
                        n,
                        w.mode(),
                        0,
                        st.idleN(),
                        st.idleN(),
                        Long.parseLong(m.get("failed")),
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        conns,
                        Long.parseLong(m.get("heap")) / per,
                        Long.parseLong(m.get("rss")) / per);
                out.write(row.toCsv() + "\n");
                out.flush();
                System.out.printf(
                        Locale.ROOT,
                        "idle %-24s sockets %6d  heap %8.0f B/conn  rss %8.0f B/conn  failed %d%n",
                        n,
                        conns,
                        row.heapPerConn(),
                        row.rssPerConn(),
                        row.errors());
            } catch (IOException e) {
                System.out.println("FAIL idle " + n + ": " + e.getMessage());
            }
        }
    }
}
