package io.aioduct.sample;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The sample app's own settings ({@code sample.*}).
 *
 * @param largeBytes size of the {@code /downstream/large} body
 * @param slowDelay default delay of {@code /downstream/slow} (a request may ask for another with {@code delayMs})
 * @param flakyFailRate default share of {@code /downstream/flaky} calls that fail: half answer 503, half
 *     close the connection mid-body
 * @param maxConcurrency the highest concurrency a dashboard load may ask for
 * @param maxDuration the longest a dashboard load may run
 */
@ConfigurationProperties("sample")
public record SampleProperties(
        int largeBytes, Duration slowDelay, double flakyFailRate, int maxConcurrency, Duration maxDuration) {

    public SampleProperties {
        if (largeBytes <= 0) {
            largeBytes = 1024 * 1024;
        }
        if (slowDelay == null) {
            slowDelay = Duration.ofMillis(200);
        }
        if (maxConcurrency <= 0) {
            maxConcurrency = 256;
        }
        if (maxDuration == null) {
            maxDuration = Duration.ofSeconds(120);
        }
        if (flakyFailRate < 0 || flakyFailRate > 1) {
            throw new IllegalArgumentException("sample.flaky-fail-rate must be between 0 and 1, was " + flakyFailRate);
        }
    }
}
