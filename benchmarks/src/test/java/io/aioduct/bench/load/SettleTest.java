package io.aioduct.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a warming contender counts as settled: its rate has stopped setting new highs. */
class SettleTest {

    @Test
    void aRateStillRisingIsNotSettled() {
        // Helidon's first windows at 64 in flight in the 2026-12-07 run, each well above the best before it.
        assertThat(Settle.settled(List.of(10_691.0, 5_318.0, 12_429.0, 37_112.0, 42_970.0)))
                .isFalse();
    }

    @Test
    void twoWindowsInARowWithoutANewHighAreSettled() {
        assertThat(Settle.settled(List.of(12_429.0, 37_112.0, 42_970.0, 43_500.0, 41_000.0)))
                .isTrue();
    }

    @Test
    void oneCalmWindowIsNotEnough() {
        assertThat(Settle.settled(List.of(12_429.0, 37_112.0, 42_970.0, 60_000.0, 59_000.0)))
                .as("the window before the last set a new high")
                .isFalse();
    }

    @Test
    void aDipAfterTheHighDoesNotHideALaterRise() {
        Settle s = new Settle();
        assertThat(s.add(20_000)).isFalse();
        assertThat(s.add(30_000)).isFalse();
        assertThat(s.add(25_000)).isFalse(); // one calm window
        assertThat(s.add(40_000)).isFalse(); // a new high: start over
        assertThat(s.add(41_000)).isFalse(); // within 5 % of 40k: calm
        assertThat(s.add(39_000)).isTrue();
    }

    @Test
    void tooFewWindowsAreNeverSettled() {
        assertThat(Settle.settled(List.of(40_000.0, 40_000.0))).isFalse();
    }
}
