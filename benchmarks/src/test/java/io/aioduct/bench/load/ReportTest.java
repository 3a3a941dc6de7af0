package io.aioduct.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static Row row(
            String scenario, String contender, int round, double rps, double p99, double cpu, double alloc) {
        return new Row(
                scenario,
                "H1",
                contender,
                "async",
                round,
                64,
                (long) (rps * 2),
                0,
                2.0,
                rps,
                100,
                p99,
                p99 * 2,
                cpu,
                alloc,
                Double.NaN,
                Double.NaN,
                Double.NaN);
    }

    @Test
    void medianIgnoresNaNAndAveragesTheMiddleTwo() {
        assertThat(Stats.median(3, 1, 2)).isEqualTo(2);
        assertThat(Stats.median(4, 1, 3, 2)).isEqualTo(2.5);
        assertThat(Stats.median(Double.NaN, 5, 7)).isEqualTo(6);
        assertThat(Stats.median()).isNaN();
        assertThat(Stats.ratio(1, 0)).isNaN();
        assertThat(Stats.ratio(3, 2)).isEqualTo(1.5);
    }

    @Test
    void rowsSurviveTheCsvRoundTrip() {
        Row r = new Row(
                "idle-10k",
                "H1",
                "jdk",
                "async",
                0,
                10000,
                10000,
                3,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                9990,
                4321.5,
                8765.25);
        assertThat(Row.parse(r.toCsv())).isEqualTo(r);
        Row m = row("h1-get-small-c64", "a,b", 2, 12345.678, 900, 12.5, 1500);
        assertThat(Row.parse(m.toCsv()).contender()).isEqualTo("a b");
        assertThat(Row.parse(m.toCsv()).rps()).isCloseTo(12345.678, within(0.001));
        assertThatThrownBy(() -> Row.parse("too,few")).hasMessageContaining("expected 18 fields");
    }

    @Test
    void summariesAreMediansOverRoundsAndTargetsUseTheFastestPeer() {
        List<Row> rows = new ArrayList<>();
        // aioduct-pooled: 40k, 42k, 50k -> 42k; CPU 20 -> 0.5x of the fastest peer's 40.
        rows.add(row("h1-get-small-c64", "aioduct-pooled", 0, 40_000, 900, 20, 1500));
        rows.add(row("h1-get-small-c64", "aioduct-pooled", 1, 50_000, 800, 21, 1600));
        rows.add(row("h1-get-small-c64", "aioduct-pooled", 2, 42_000, 700, 19, 1400));
        // io-uring a bit faster: 45k.
        rows.add(row("h1-get-small-c64", "aioduct-io-uring", 0, 45_000, 600, 18, 1900));
        // Peers: jdk 30k (the fastest), jetty 20k.
        rows.add(row("h1-get-small-c64", "jdk", 0, 30_000, 1000, 40, 8000));
        rows.add(row("h1-get-small-c64", "jetty12", 0, 20_000, 650, 50, 9000));
        rows.add(row("h1-get-small-c64", "wrk", 0, 90_000, 300, 10, Double.NaN));

        Map<String, List<Report.Summary>> by = Report.summarise(rows);
        Report.Summary pooled =
                Report.find(by.get("h1-get-small-c64"), "aioduct-pooled").orElseThrow();
        assertThat(pooled.rounds()).isEqualTo(3);
        assertThat(pooled.rps()).isEqualTo(42_000);
        assertThat(pooled.p99()).isEqualTo(800);
        assertThat(Report.fastestPeer(by.get("h1-get-small-c64")).orElseThrow().contender())
                .isEqualTo("jdk");
        assertThat(Report.bestAioduct(by.get("h1-get-small-c64")).orElseThrow().contender())
                .isEqualTo("aioduct-io-uring");

        List<Report.Target> targets = Report.evaluate(by);
        // 45k / 30k = 1.5x req/s, 18 / 40 = 0.45x CPU: met.
        assertThat(targets.getFirst().met()).isTrue();
        assertThat(targets.getFirst().measured()).contains("1.50× req/s", "0.45× CPU/req");
        // aioduct-io-uring allocates 1900 B and pooled 1500 B: both <= 2 KB.
        Report.Target alloc = targets.stream()
                .filter(t -> t.target().startsWith("≤ 2 KB"))
                .findFirst()
                .orElseThrow();
        assertThat(alloc.met()).isTrue();
        // p99: io-uring 600 µs vs lowest peer (jetty) 650 µs: met.
        Report.Target p99 = targets.stream()
                .filter(t -> t.target().startsWith("p99"))
                .findFirst()
                .orElseThrow();
        assertThat(p99.met()).isTrue();
        assertThat(p99.measured()).contains("jetty12 650");
        // io-uring / pooled = 45 / 42 = 1.07: missed.
        Report.Target uring = targets.stream()
                .filter(t ->
                        t.target().contains("h1-get-small-c64") && t.target().startsWith("io-uring"))
                .findFirst()
                .orElseThrow();
        assertThat(uring.met()).isFalse();
        assertThat(uring.measured()).isEqualTo("1.07×");
        // Scenarios not in the run are reported as not measured, never as met.
        Report.Target h2c = targets.stream()
                .filter(t -> t.target().startsWith("h2c small"))
                .findFirst()
                .orElseThrow();
        assertThat(h2c.met()).isNull();
    }

    @Test
    void cpuTargetsCompareTheLeanestRuntimeWithTheLeanestPeerThatCompletedRequests() {
        List<Row> rows = new ArrayList<>();
        rows.add(row("h2c-get-64k-s64", "aioduct-pooled", 0, 11_000, 900, 50, 69_000));
        rows.add(row("h2c-get-64k-s64", "aioduct-io-uring", 0, 12_000, 900, 40, 69_000));
        // okhttp4 is the fastest peer, apache the leanest; a peer that completed nothing does not count.
        rows.add(row("h2c-get-64k-s64", "okhttp4", 0, 11_500, 900, 70, 130_000));
        rows.add(row("h2c-get-64k-s64", "apache5-async", 0, 9_000, 900, 52, 190_000));
        rows.add(row("h2c-get-64k-s64", "reactor-netty", 0, 0, 0, 5, 1_000));
        rows.add(row("h2c-get-small-s64", "aioduct-pooled", 0, 40_000, 900, 18, 1_900));
        rows.add(row("h2c-get-small-s64", "aioduct-virtual", 0, 36_000, 900, 25, 2_300));
        rows.add(row("h2c-get-small-s64", "apache5-async", 0, 35_000, 900, 21, 9_000));
        for (String sc : List.of("h1-get-small-c16", "h1-get-small-c64")) {
            rows.add(row(sc, "aioduct-virtual", 0, 60_000, 900, 15, 1_100));
            rows.add(row(sc, "helidon4", 0, 48_000, 900, 19, 65_000));
        }
        List<Report.Target> targets = Report.evaluate(Report.summarise(rows));

        Report.Target h2c64k = target(targets, "CPU/req ≤ 0.8× the leanest peer's, h2c 64 KiB");
        // 40 / 52 = 0.77: met by io-uring, the leanest runtime; pooled (0.96x) is listed too.
        assertThat(h2c64k.met()).isTrue();
        assertThat(h2c64k.measured())
                .contains("vs apache5-async 52.0 µs", "aioduct-io-uring 0.77×", "aioduct-pooled 0.96×");
        // 18 / 21 = 0.86: missed.
        Report.Target h2cSmall = target(targets, "CPU/req ≤ 0.8× the leanest peer's, h2c small");
        assertThat(h2cSmall.met()).isFalse();
        // virtual 2,300 B over 2 KB: missed.
        assertThat(target(targets, "Allocation per h2c small request").met()).isFalse();
        // 60k / 48k = 1.25x req/s and 15 / 19 = 0.79x CPU at 16 and 64 (256 not in the run): met.
        Report.Target helidon = target(targets, "Virtual runtime vs Helidon");
        assertThat(helidon.met()).isTrue();
        assertThat(helidon.measured()).contains("get-small-c16 1.25× req/s, 0.79× CPU");
        // A scenario not in the run is not measured, never met.
        assertThat(target(targets, "CPU/req ≤ 0.8× the leanest peer's, HTTP/1.1 64 KiB")
                        .met())
                .isNull();
    }

    private static Report.Target target(List<Report.Target> targets, String prefix) {
        return targets.stream()
                .filter(t -> t.target().startsWith(prefix))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void writesTablesBetweenTheMarkersAndAChart(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("load-1.csv");
        List<String> lines = new ArrayList<>(List.of(Row.HEADER));
        lines.add(row("h1-get-small-c64", "aioduct-pooled", 0, 40_000, 900, 20, 1500)
                .toCsv());
        lines.add(row("h1-get-small-c64", "jdk", 0, 30_000, 1000, 40, 8000).toCsv());
        lines.add(row("h1-get-small-c64", "wrk", 0, 80_000, 300, 10, Double.NaN).toCsv());
        Files.write(csv, lines);
        Properties meta = new Properties();
        meta.setProperty("jdk", "Test JDK 25");
        meta.setProperty("settings", "rounds=1");
        try (var w = Files.newBufferedWriter(dir.resolve("load-1.properties"))) {
            meta.store(w, null);
        }
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Files.writeString(
                docs.resolve("benchmarks.md"),
                "# Benchmarks\n\nhand-written\n\n" + Report.BEGIN + "\nold\n" + Report.END + "\n\ntail\n");

        Report.main(new String[] {csv.toString(), docs.toString()});

        String md = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(md)
                .startsWith("# Benchmarks\n\nhand-written\n")
                .endsWith(Report.END + "\n\ntail\n")
                .doesNotContain("\nold\n");
        assertThat(md).contains("| jdk | Test JDK 25 |", "| settings | rounds=1 |");
        // aioduct: 40k req/s = 0.50x wrk's 80k, 1.33x jdk's; CPU 20 = 0.50x jdk's 40.
        assertThat(md)
                .contains(
                        "| **aioduct-pooled** | async | 40,000 | 100 | 900 | 1,800 | 20.0 | 1,500 | 0.50 | 1.33 | 0.50 | 0 |");
        assertThat(md).contains("| jdk ★ |");
        assertThat(Files.size(docs.resolve("images/benchmarks.png"))).isGreaterThan(1000);
        assertThat(javax.imageio.ImageIO.read(
                                docs.resolve("images/benchmarks.png").toFile())
                        .getWidth())
                .isGreaterThan(500);
    }

    @Test
    void thePageNamesNoIssueAndTheChartSaysItRanOnOneClientCore() {
        Map<String, List<Report.Summary>> by = Report.summarise(List.of(
                row("h1-get-small-c64", "aioduct-pooled", 0, 40_000, 900, 20, 1500),
                row("h1-get-small-c64", "aioduct-pooled", 1, 41_000, 900, 20, 1500),
                row("h1-get-small-c64", "wrk", 0, 80_000, 300, 10, Double.NaN)));
        Properties meta = new Properties();
        meta.setProperty("date", "2026-11-22T13:42:38.468582928Z");

        String md = Report.markdown(by, meta, "load-1.csv", Path.of("load-1.csv"));
        // A reader of the docs cannot follow an issue number: the targets are introduced in words.
        assertThat(md).doesNotContainPattern("#\\d").contains("## Targets\n\nThe goals the project set");
        assertThat(String.join(" ", Report.chartNotes(by, meta)))
                .contains(
                        "one client core", "pinned to CPU 0", "Medians of 2 alternated rounds", "2026-11-22 13:42 UTC");
    }

    @Test
    void refusesADocumentWithoutMarkers() {
        assertThatThrownBy(() -> Report.splice("# no markers", "x")).hasMessageContaining("lacks the markers");
    }
}
