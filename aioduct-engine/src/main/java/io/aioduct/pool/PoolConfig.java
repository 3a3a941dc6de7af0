package io.aioduct.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timers for the connection pools, applied per origin. Immutable.
 *
 * @param maxConnectionsPerOrigin most open (or opening) connections to one origin
 * @param maxIdlePerOrigin most idle connections kept for reuse per origin
 * @param idleTimeout how long an idle connection is kept; {@link Duration#ZERO} keeps it forever
 * @param maxLifetime how long any connection lives before it is retired; ZERO means no limit
 * @param acquireTimeout how long a request waits for a connection when the pool is full; ZERO waits
 *     without limit
 * @param maxPendingAcquires how many requests may wait per origin; more are refused at once
 * @param evictionInterval how often idle and expired connections are swept
 */
public record PoolConfig(
        int maxConnectionsPerOrigin,
        int maxIdlePerOrigin,
        Duration idleTimeout,
        Duration maxLifetime,
        Duration acquireTimeout,
        int maxPendingAcquires,
        Duration evictionInterval) {

    /** 256 connections and 256 idle per origin, 30 s idle timeout, no lifetime limit, 30 s acquire timeout, 1024 waiting. */
    public static final PoolConfig DEFAULT = new PoolConfig(
            256, 256, Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(30), 1024, Duration.ofSeconds(1));

    public PoolConfig {
        positive("maxConnectionsPerOrigin", maxConnectionsPerOrigin);
        if (maxIdlePerOrigin < 0) {
            throw new IllegalArgumentException("maxIdlePerOrigin must be >= 0, was " + maxIdlePerOrigin);
        }
        notNegative("idleTimeout", idleTimeout);
        notNegative("maxLifetime", maxLifetime);
        notNegative("acquireTimeout", acquireTimeout);
        if (maxPendingAcquires < 0) {
            throw new IllegalArgumentException("maxPendingAcquires must be >= 0, was " + maxPendingAcquires);
        }
        notNegative("evictionInterval", evictionInterval);
        if (evictionInterval.isZero()) {
            throw new IllegalArgumentException("evictionInterval must be positive");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }

    private static void notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }

    public PoolConfig withMaxConnectionsPerOrigin(int value) {
        return new PoolConfig(
                value,
                Math.min(maxIdlePerOrigin, value),
                idleTimeout,
                maxLifetime,
                acquireTimeout,
                maxPendingAcquires,
                evictionInterval);
    }

    public PoolConfig withMaxIdlePerOrigin(int value) {
        return new PoolConfig(
                maxConnectionsPerOrigin,
                value,
                idleTimeout,
                maxLifetime,
                acquireTimeout,
                maxPendingAcquires,
                evictionInterval);
    }

    public PoolConfig withIdleTimeout(Duration value) {
        return new PoolConfig(
                maxConnectionsPerOrigin,
                maxIdlePerOrigin,
                value,
                maxLifetime,
                acquireTimeout,
                maxPendingAcquires,
                evictionInterval);
    }

    public PoolConfig withMaxLifetime(Duration value) {
        return new PoolConfig(
                maxConnectionsPerOrigin,
                maxIdlePerOrigin,
                idleTimeout,
                value,
                acquireTimeout,
                maxPendingAcquires,
                evictionInterval);
    }

    public PoolConfig withAcquireTimeout(Duration value) {
        return new PoolConfig(
                maxConnectionsPerOrigin,
                maxIdlePerOrigin,
                idleTimeout,
                maxLifetime,
                value,
                maxPendingAcquires,
                evictionInterval);
    }

    public PoolConfig withMaxPendingAcquires(int value) {
        return new PoolConfig(
                maxConnectionsPerOrigin,
                maxIdlePerOrigin,
                idleTimeout,
                maxLifetime,
                acquireTimeout,
                value,
                evictionInterval);
    }

    public PoolConfig withEvictionInterval(Duration value) {
        return new PoolConfig(
                maxConnectionsPerOrigin,
                maxIdlePerOrigin,
                idleTimeout,
                maxLifetime,
                acquireTimeout,
                maxPendingAcquires,
                value);
    }
}
