package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.policy.RetryPolicy.Failure;
import io.aioduct.policy.RetryPolicy.Jitter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The settings and the back-off arithmetic of {@link RetryPolicy}, with the randomness fixed. */
class RetryPolicyTest {

    private static RetryPolicy fixed(double random, Jitter jitter) {
        return RetryPolicy.defaults()
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .withJitter(jitter)
                .withRandom(() -> random);
    }

    @Test
    void noneRetriesNothingAndIsTheStartingPointOfDefaults() {
        assertThat(RetryPolicy.none().isNone()).isTrue();
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
        RetryPolicy d = RetryPolicy.defaults();
        assertThat(d.isNone()).isFalse();
        assertThat(d.maxAttempts()).isEqualTo(3);
        assertThat(d.statuses()).isEmpty();
        assertThat(d.failures()).containsExactlyInAnyOrder(Failure.values());
        assertThat(d.jitter()).isEqualTo(Jitter.FULL);
        assertThat(d.retriesNonIdempotent()).isFalse();
        assertThat(d.hasBudget()).isTrue();
        assertThat(d.withFailures().isNone()).as("no failure and no status").isTrue();
    }

    @Test
    void withersLeaveTheOriginalAlone() {
        RetryPolicy d = RetryPolicy.defaults();
        RetryPolicy s = d.withStatuses(503, 429, 503);
        assertThat(s.statuses()).containsExactly(429, 503);
        assertThat(d.statuses()).isEmpty();
        assertThat(s.withMaxAttempts(5).statuses()).containsExactly(429, 503);
        assertThat(s.withoutBudget().hasBudget()).isFalse();
    }

    @Test
    void exponentialBackoffDoublesUpToTheMaximumWithoutJitter() {
        RetryPolicy p = fixed(0.5, Jitter.NONE);
        assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.backoff(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(70)).as("no overflow of the doubling").isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void fullJitterSpreadsOverZeroToTheCeiling() {
        assertThat(fixed(0.0, Jitter.FULL).backoff(3)).isEqualTo(Duration.ZERO);
        assertThat(fixed(0.5, Jitter.FULL).backoff(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(fixed(0.999999, Jitter.FULL).backoff(3))
                .isLessThan(Duration.ofMillis(400))
                .isGreaterThan(Duration.ofMillis(399));
        assertThat(fixed(0.5, Jitter.FULL).backoff(9)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void equalJitterKeepsAtLeastHalfTheCeiling() {
        assertThat(fixed(0.0, Jitter.EQUAL).backoff(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(fixed(0.5, Jitter.EQUAL).backoff(3)).isEqualTo(Duration.ofMillis(300));
        assertThat(fixed(0.999999, Jitter.EQUAL).backoff(3)).isLessThan(Duration.ofMillis(400));
    }

    @Test
    void aRandomSourceOutOfRangeCannotLeaveTheBounds() {
        assertThat(fixed(7.0, Jitter.FULL).backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(fixed(-3.0, Jitter.FULL).backoff(1)).isEqualTo(Duration.ZERO);
        assertThat(fixed(Double.NaN, Jitter.EQUAL).backoff(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void badSettingsNameTheSetting() {
        RetryPolicy d = RetryPolicy.defaults();
        assertThatThrownBy(() -> d.withMaxAttempts(0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> d.withStatuses(200))
                .hasMessageContaining("400 to 599")
                .hasMessageContaining("200");
        assertThatThrownBy(() -> d.withStatuses(600)).hasMessageContaining("600");
        assertThatThrownBy(() -> d.withBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("baseBackoff");
        assertThatThrownBy(() -> d.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("must not exceed maxBackoff");
        assertThatThrownBy(() -> d.withMaxRetryAfter(Duration.ofSeconds(-1))).hasMessageContaining("maxRetryAfter");
        assertThatThrownBy(() -> d.withBudget(-0.1, 10)).hasMessageContaining("budget ratio");
        assertThatThrownBy(() -> d.withBudget(Double.NaN, 10)).hasMessageContaining("budget ratio");
        assertThatThrownBy(() -> d.withBudget(0.2, -1)).hasMessageContaining("minRetries");
        assertThatThrownBy(() -> d.withBudget(0, 0)).hasMessageContaining("allows no retry");
        assertThatThrownBy(() -> d.backoff(0)).hasMessageContaining("retry must be >= 1");
        assertThatThrownBy(() -> d.withJitter(null)).isInstanceOf(NullPointerException.class);
    }
}
