package io.aioduct.spring.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Turns on percentile histograms (Prometheus {@code _bucket} series, what {@code histogram_quantile} reads)
 * for aioduct's latency timers, with expected ranges that keep the bucket count bounded: {@code
 * aioduct.client.requests}, {@code aioduct.pool.acquire}, {@code aioduct.connect}, {@code
 * aioduct.tls.handshake}, {@code aioduct.dns}, and Spring's {@code http.client.requests} timer, which holds
 * the requests a Spring client sent through aioduct (all of it: one meter name cannot be exposed to Prometheus
 * partly as histograms, partly as summaries). Other meters are left as they are.
 *
 * <p>The settings here are defaults: the starter orders this filter before Spring Boot's {@code
 * management.metrics.distribution.*} filter, which overrides any of them a property sets for a meter
 * ({@code percentiles-histogram.aioduct.connect=false}, {@code minimum-expected-value...}). Thread-safe.
 */
public final class AioductHistograms implements MeterFilter {
    /** Whole requests: from 1 ms (a request on loopback) to 30 s (a slow response), 68 buckets. */
    private static final DistributionStatisticConfig REQUESTS = histogram(Duration.ofMillis(1), Duration.ofSeconds(30));

    /** Pool waits, connects, DNS: a reused connection waits microseconds; 100 us to 10 s, 76 buckets. */
    private static final DistributionStatisticConfig FAST =
            histogram(Duration.ofNanos(100_000), Duration.ofSeconds(10));

    /** TLS handshakes take a round trip or two and the crypto, proxy tunnels a round trip or two: 1 ms to 10 s, 60 buckets. */
    private static final DistributionStatisticConfig HANDSHAKES =
            histogram(Duration.ofMillis(1), Duration.ofSeconds(10));

    private static final Map<String, DistributionStatisticConfig> TIMERS = Map.of(
            MetricsEventListener.CLIENT_REQUESTS,
            REQUESTS,
            "aioduct.pool.acquire",
            FAST,
            "aioduct.connect",
            FAST,
            "aioduct.dns",
            FAST,
            "aioduct.tls.handshake",
            HANDSHAKES,
            "aioduct.tunnel",
            HANDSHAKES);

    private final String springRequests;

    /**
     * @param springRequests the name of Spring's client request timer ({@code
     *     management.observations.http.client.requests.name}, by default {@code http.client.requests})
     */
    public AioductHistograms(String springRequests) {
        this.springRequests = Objects.requireNonNull(springRequests, "springRequests");
    }

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        DistributionStatisticConfig defaults = TIMERS.get(id.getName());
        if (defaults == null && id.getType() == Meter.Type.TIMER && id.getName().equals(springRequests)) {
            // All of Spring's request timers, not only those of requests aioduct carried: Prometheus cannot
            // expose one name as histograms and summaries both (the whole scrape fails).
            defaults = REQUESTS;
        }
        // Ours over the timer builder's (Micrometer's 1 ms..30 s range); Boot's property filter, run next, over ours.
        return defaults == null ? config : defaults.merge(config);
    }

    private static DistributionStatisticConfig histogram(Duration min, Duration max) {
        return DistributionStatisticConfig.builder()
                .percentilesHistogram(true)
                .minimumExpectedValue((double) min.toNanos())
                .maximumExpectedValue((double) max.toNanos())
                .build();
    }
}
