package io.aioduct.sample;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a dashboard load does: {@code concurrency} callers, each calling {@code endpoint} through {@code via} on
 * client {@code client} back to back, for {@code duration}.
 */
record LoadSpec(String client, Via via, Endpoint endpoint, int concurrency, Duration duration, long delayMs) {

    /**
     * Reads a load from request parameters, refusing a missing or bad value with a {@link BadRequestException}
     * naming the parameter: {@code client} (default {@code default}), {@code via} (default {@code rest-client}),
     * {@code endpoint} (default {@code small}), {@code concurrency} (1..max), {@code duration} in seconds
     * (1..max), {@code delayMs} for the slow endpoint.
     */
    static LoadSpec parse(Map<String, String> params, SampleProperties limits, ClientDirectory clients) {
        String client = params.getOrDefault("client", ClientDirectory.DEFAULT);
        clients.get("client", client);
        Via via = Via.parse("via", params.getOrDefault("via", Via.REST_CLIENT.id()));
        Endpoint endpoint = Endpoint.parse("endpoint", params.getOrDefault("endpoint", Endpoint.SMALL.id()));
        int concurrency = (int) number(params, "concurrency", 16, 1, limits.maxConcurrency());
        long seconds = number(params, "duration", 10, 1, limits.maxDuration().toSeconds());
        long delayMs = number(params, "delayMs", limits.slowDelay().toMillis(), 0, DownstreamController.MAX_DELAY_MS);
        return new LoadSpec(client, via, endpoint, concurrency, Duration.ofSeconds(seconds), delayMs);
    }

    private static long number(Map<String, String> params, String field, long fallback, long min, long max) {
        @Nullable String text = params.get(field);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new BadRequestException(field, field + " must be a whole number, was '" + text + "'");
        }
        if (value < min || value > max) {
            throw new BadRequestException(field, field + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }
}
