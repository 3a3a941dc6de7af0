package io.aioduct.spring.metrics;

import io.aioduct.Origin;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The pool gauges of one engine: {@code aioduct.connections} (state active / idle / pending / max) and, for
 * HTTP/2 pools, {@code aioduct.http2.streams} (state active / pending), per {@code remote.address} and
 * protocol. Origins collapsed into {@code OTHER} and the per-core pools of io-uring are summed.
 *
 * <p>Gauges appear for a pool the first time it is seen: when the engine reports a connection to it, or
 * when the pools are listed ({@link #discover}, on every read of {@code aioduct.runtime.threads}, i.e. on
 * every scrape). A scrape reads many gauges; they share one snapshot of the pools, taken at most every
 * {@link #SNAPSHOT_NANOS}, so a scrape costs one pass over the pools. Thread-safe.
 */
final class PoolGauges {
    /** How long one snapshot of the pools serves gauge reads: one scrape, not two. */
    static final long SNAPSHOT_NANOS = 50_000_000L;

    private static final int ACTIVE = 0, IDLE = 1, PENDING = 2, MAX = 3, STREAMS = 4;

    private final MeterRegistry registry;
    private final Tags common;
    private final OriginTags origins;
    private final LongSupplier nanoTime;
    private final Map<Origin, Set<String>> seen = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile @Nullable HttpEngine engine;
    private volatile @Nullable Snapshot snapshot;

    private record Snapshot(long takenAt, Map<String, int[]> totals) {}

    PoolGauges(MeterRegistry registry, Tags common, OriginTags origins, LongSupplier nanoTime) {
        this.registry = registry;
        this.common = common;
        this.origins = origins;
        this.nanoTime = nanoTime;
    }

    /** Starts reading {@code engine}'s pools. */
    void bind(HttpEngine engine) {
        this.engine = engine;
        discover();
    }

    /** Registers the gauges of pools not seen yet. */
    void discover() {
        HttpEngine e = engine;
        if (e != null) {
            for (PoolStats s : e.poolStats()) register(s.origin(), s.protocol());
        }
    }

    /** Registers the gauges of {@code origin}'s {@code protocol} pool unless done; no allocation once done. */
    void register(Origin origin, String protocol) {
        Set<String> protocols = seen.get(origin);
        if (protocols != null && protocols.contains(protocol)) {
            return;
        }
        seen.computeIfAbsent(origin, o -> ConcurrentHashMap.newKeySet()).add(protocol);
        String address = origins.of(origin).address();
        String key = key(address, protocol);
        if (!registered.add(key)) {
            return;
        }
        Tags tags = common.and(OriginTags.REMOTE_ADDRESS, address).and("protocol", protocol);
        gauge("aioduct.connections", tags, "active", key, ACTIVE, "Connections carrying an exchange");
        gauge("aioduct.connections", tags, "idle", key, IDLE, "Connections waiting for reuse");
        gauge("aioduct.connections", tags, "pending", key, PENDING, "Requests waiting for a connection");
        gauge("aioduct.connections", tags, "max", key, MAX, "The pool's connection limit");
        if (protocol.equals("h2")) {
            Tags streams = common.and(OriginTags.REMOTE_ADDRESS, address);
            gauge("aioduct.http2.streams", streams, "active", key, STREAMS, "HTTP/2 streams in flight");
            gauge("aioduct.http2.streams", streams, "pending", key, PENDING, "Requests waiting for an HTTP/2 stream");
        }
    }

    private void gauge(String name, Tags tags, String state, String key, int field, String description) {
        Gauge.builder(name, this, g -> g.value(key, field))
                .description(description)
                .tags(tags)
                .tag("state", state)
                .strongReference(true)
                .register(registry);
    }

    private double value(String key, int field) {
        int[] totals = snapshot().totals().get(key);
        return totals == null ? 0 : totals[field];
    }

    private Snapshot snapshot() {
        long now = nanoTime.getAsLong();
        Snapshot s = snapshot;
        if (s != null && now - s.takenAt() < SNAPSHOT_NANOS) {
            return s;
        }
        Map<String, int[]> totals = new HashMap<>();
        HttpEngine e = engine;
        if (e != null) {
            for (PoolStats p : e.poolStats()) {
                int[] t = totals.computeIfAbsent(key(origins.of(p.origin()).address(), p.protocol()), k -> new int[5]);
                t[ACTIVE] += p.active();
                t[IDLE] += p.idle();
                t[PENDING] += p.pending();
                t[MAX] += p.max();
                t[STREAMS] += p.activeStreams();
            }
        }
        s = new Snapshot(now, totals);
        snapshot = s;
        return s;
    }

    private static String key(String address, String protocol) {
        return address + ' ' + protocol;
    }
}
