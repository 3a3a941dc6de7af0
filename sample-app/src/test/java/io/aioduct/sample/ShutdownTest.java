package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.testing.Quiet;
import io.aioduct.sample.testing.SampleApp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Stopping the app while a dashboard load runs (Ctrl-C during a demo): the load stops first, so neither the
 * web server's graceful drain nor the aioduct engines' wait for their requests in flight is kept busy by it,
 * and none of its calls fails. Before, the load stopped only as its bean was destroyed, after both: the app
 * waited out the whole shutdown budget and then cancelled the load's last calls.
 */
class ShutdownTest {

    @Test
    void aRunningLoadStopsBeforeTheServerAndTheEnginesDrain() throws InterruptedException {
        SampleApp app = SampleApp.start("--spring.lifecycle.timeout-per-shutdown-phase=5s");
        Timer success;
        Timer errors;
        try {
            HttpResponse<String> started =
                    SampleApp.post(app.url("/api/load?concurrency=4&duration=120&via=rest-client&endpoint=small"));
            assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
            MeterRegistry registry = app.context().getBean(MeterRegistry.class);
            success = registry.get(LoadRunner.TIMER)
                    .tags("name", "default", "outcome", "success")
                    .timer();
            errors = registry.get(LoadRunner.TIMER)
                    .tags("name", "default", "outcome", "error")
                    .timer();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (success.count() < 50 && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
        } finally {
            app.close();
        }
        assertThat(success.count()).isGreaterThanOrEqualTo(50);
        assertThat(errors.count())
                .as("load calls that failed during shutdown (cut off by the server's drain or the engines' close)")
                .isZero();
        Quiet.assertNothingLeft();
    }
}
