package io.aioduct.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing what wrk, h2load and the shell's {@code times} print (outputs recorded from real runs). */
class LimitToolTest {
    static final String WRK = """
            Running 1s test @ http://127.0.0.1:40453/small
              1 threads and 4 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     8.81ms   17.93ms 108.08ms   89.64%
                Req/Sec     4.25k     2.71k    9.74k    70.00%
              4347 requests in 1.02s, 1.09MB read
            Requests/sec:   4244.08
            Transfer/sec:      1.06MB
            AIODUCT requests=4347 micros=1024251 errors=0 p50=289 p99=90162 p999=107083
            0m0.003s 0m0.000s
            0m0.006s 0m0.092s
            """;

    static final String H2LOAD = """
            starting benchmark...
            spawning thread #0: 1 total client(s). Timing-based test with 0s of warm-up time and 1s of main duration for measurements.
            Application protocol: h2c

            finished in 1.00s, 3769.00 req/s, 533.74KB/s
            requests: 3769 total, 3777 started, 3769 done, 3769 succeeded, 0 failed, 0 errored, 0 timeout
            status codes: 3769 2xx, 0 3xx, 0 4xx, 0 5xx
                                 min         max         mean         sd        +/- sd
            time for request:       63us    120.40ms      2.04ms      7.22ms    96.42%
            0m0.002s 0m0.000s
            0m0.048s 0m0.069s
            """;

    @Test
    void wrkSummaryLineAndChildCpuTime() {
        Sample s = LimitTool.parseWrk(WRK);
        assertThat(s.requests()).isEqualTo(4347);
        assertThat(s.nanos()).isEqualTo(1_024_251_000L);
        assertThat(s.p50Us()).isEqualTo(289);
        assertThat(s.p999Us()).isEqualTo(107083);
        // The children's line of `times`: 0.006 s user + 0.092 s system.
        assertThat(s.cpuNanos()).isEqualTo(98_000_000L);
        assertThat(s.cpuUsPerRequest()).isCloseTo(98_000.0 / 4347, within(1e-9));
        assertThat(s.allocBytesPerRequest()).isNaN();
    }

    @Test
    void h2loadSummary() {
        Sample s = LimitTool.parseH2load(H2LOAD);
        assertThat(s.requests()).isEqualTo(3769);
        assertThat(s.errors()).isZero();
        assertThat(s.requestsPerSecond()).isCloseTo(3769, within(0.5));
        assertThat(s.cpuNanos()).isEqualTo(117_000_000L);
        assertThat(s.p99Us()).isNaN();
    }

    @Test
    void missingSummariesAreErrorsNamingTheOutput() {
        assertThatThrownBy(() -> LimitTool.parseWrk("connection refused")).hasMessageContaining("no wrk summary");
        assertThatThrownBy(() -> LimitTool.parseH2load("connection refused")).hasMessageContaining("no h2load summary");
        assertThatThrownBy(() -> LimitTool.childCpuNanos("0m0.1s 0m0.2s")).hasMessageContaining("no 'times' output");
    }

    @Test
    void wrkScriptCarriesMethodBodyAndConnectionHeader(@TempDir Path dir) throws Exception {
        LimitTool wrk = new LimitTool("wrk", 0, dir);
        String post =
                Files.readString(wrk.wrkScript(new Scenario("p", "h1", Protocol.H1, "/echo", "POST", 4096, 64, false)));
        assertThat(post)
                .contains("wrk.method = \"POST\"", "string.rep(\"a\", 4096)")
                .doesNotContain("Connection");
        String close =
                Files.readString(wrk.wrkScript(new Scenario("c", "h1", Protocol.H1, "/small", "GET", 0, 16, true)));
        assertThat(close).contains("wrk.headers[\"Connection\"] = \"close\"").doesNotContain("POST");
        assertThatThrownBy(() -> new LimitTool("ab", 0, dir)).hasMessageContaining("unknown limit tool ab");
    }

    @Test
    void settingsParseAndRejectUnknownKeys() {
        LoadMain.Settings s = LoadMain.Settings.parse("quick", "groups=h1", "scenarios=small-c64", "window=0.5");
        assertThat(s.rounds()).isEqualTo(1);
        assertThat(s.windowMs()).isEqualTo(500);
        assertThat(s.report()).isFalse();
        assertThat(s.settleMs()).as("quick does not settle").isZero();
        assertThat(LoadMain.Settings.parse().settleMs()).isEqualTo(40_000);
        assertThat(s.wants(Scenario.all().getFirst())).isTrue();
        assertThat(s.wants(new Scenario("h2c-get-small-s64", "h2c", Protocol.H2C, "/small", "GET", 0, 64, false)))
                .isFalse();
        assertThatThrownBy(() -> LoadMain.Settings.parse("windw=2")).hasMessageContaining("unknown setting 'windw'");
        assertThatThrownBy(() -> LoadMain.Settings.parse("fast")).hasMessageContaining("key=value");
    }
}
