package io.aioduct.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** What tests in other packages use of {@link AioductMetricsTest}: its context and its scrape. */
public final class AioductMetricsTestSupport {
    private AioductMetricsTestSupport() {}

    /** A context with Spring Boot's metrics, observation and RestClient auto-configuration and the starter's, on {@code kind}. */
    public static ApplicationContextRunner runner(String kind) {
        return AioductMetricsTest.RUNNER.withPropertyValues("aioduct.runtime.kind=" + kind);
    }

    /** Reads every meter as a scrape does. */
    public static void scrape(MeterRegistry registry) {
        AioductMetricsTest.scrape(registry);
    }
}
