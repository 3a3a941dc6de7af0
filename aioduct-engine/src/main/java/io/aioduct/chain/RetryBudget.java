package io.aioduct.chain;

import io.aioduct.Origin;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many retries a client may still send to each origin: a token bucket per origin that holds at most
 * {@code minRetries} tokens (one if that is 0) and starts with {@code minRetries}; every call adds {@code ratio} of a token, every retry takes a
 * whole one. Over any stretch of time the retries to an origin are thus at most {@code ratio} of its calls
 * plus {@code minRetries}: the shape of Finagle's {@code RetryBudget} and Envoy's retry budget, without a
 * clock (the reserve refills with calls, not with time). Thread-safe, lock-free.
 */
final class RetryBudget {
    /** Tokens are counted in millionths, so a ratio such as 0.2 adds exactly. */
    private static final long UNIT = 1_000_000;

    /**
     * Origins tracked before the table starts over: a client calling ever new hosts must not grow it
     * without bound. Starting over refills every bucket, which is as lenient as a new client.
     */
    static final int MAX_ORIGINS = 1024;

    private final long deposit;
    private final long capacity;
    private final long initial;
    private final ConcurrentHashMap<Origin, AtomicLong> buckets = new ConcurrentHashMap<>();

    RetryBudget(double ratio, int minRetries) {
        this.deposit = Math.round(Math.min(ratio, 1_000_000) * UNIT);
        // At least one whole token of room, so a ratio alone (minRetries 0) can ever pay for a retry.
        this.capacity = Math.max(1, minRetries) * UNIT;
        this.initial = minRetries * UNIT;
    }

    /** A call to {@code origin} was made: it earns its share of a retry. */
    void deposit(Origin origin) {
        bucket(origin).accumulateAndGet(deposit, (balance, add) -> Math.min(capacity, balance + add));
    }

    /** Takes a token for a retry to {@code origin}; false (taking nothing) when there is no whole token. */
    boolean withdraw(Origin origin) {
        AtomicLong bucket = bucket(origin);
        long balance;
        do {
            balance = bucket.get();
            if (balance < UNIT) return false;
        } while (!bucket.compareAndSet(balance, balance - UNIT));
        return true;
    }

    private AtomicLong bucket(Origin origin) {
        AtomicLong bucket = buckets.get(origin);
        if (bucket != null) return bucket;
        if (buckets.size() >= MAX_ORIGINS) buckets.clear();
        return buckets.computeIfAbsent(origin, o -> new AtomicLong(initial));
    }

    /** Whole retries {@code origin} may still have; for tests. */
    long available(Origin origin) {
        return bucket(origin).get() / UNIT;
    }
}
