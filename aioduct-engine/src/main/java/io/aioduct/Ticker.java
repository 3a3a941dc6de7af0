package io.aioduct;

/** A source of monotonic nanoseconds, injectable so eviction and timeouts can be tested without sleeping. */
@FunctionalInterface
public interface Ticker {
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
