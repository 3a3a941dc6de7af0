package io.aioduct.engine;

import io.aioduct.Ticker;
import java.time.Duration;

/** A clock that moves only when told to. */
final class FakeTicker implements Ticker {
    private volatile long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
        return now;
    }

    void advance(Duration d) {
        now += d.toNanos();
    }
}
