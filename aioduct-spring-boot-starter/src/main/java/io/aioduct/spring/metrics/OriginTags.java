package io.aioduct.spring.metrics;

import io.aioduct.Origin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@code remote.address} tag of one client's origins, bounded: the first {@code maxOrigins} distinct
 * origins are tagged {@code host:port} (no scheme, no path: nothing a caller's URL could make unbounded),
 * every later one {@value #OTHER}. Each tag value comes with the per-origin meters the hot path uses, made
 * once. Thread-safe; a lookup of a known origin is one map read, without a lock.
 */
final class OriginTags {
    static final String OTHER = "OTHER";
    static final String REMOTE_ADDRESS = "remote.address";

    private final MeterRegistry registry;
    private final Tags common;
    private final int maxOrigins;
    private final ConcurrentHashMap<Origin, OriginMeters> known = new ConcurrentHashMap<>();
    private volatile @Nullable OriginMeters other;

    /** The meters of one tag value: pool acquire wait, bytes sent and received. */
    record OriginMeters(String address, Timer acquire, Counter sent, Counter received) {}

    OriginTags(MeterRegistry registry, Tags common, int maxOrigins) {
        this.registry = registry;
        this.common = common;
        this.maxOrigins = maxOrigins;
    }

    /** The tag value and meters of {@code origin}, admitting it while there is room. */
    OriginMeters of(Origin origin) {
        OriginMeters m = known.get(origin);
        return m != null ? m : admit(origin);
    }

    private OriginMeters admit(Origin origin) {
        if (known.size() < maxOrigins) {
            synchronized (this) {
                OriginMeters m = known.get(origin);
                if (m != null) return m;
                if (known.size() < maxOrigins) {
                    m = meters(address(origin));
                    known.put(origin, m);
                    return m;
                }
            }
        }
        OriginMeters o = other;
        if (o == null) {
            synchronized (this) {
                o = other;
                if (o == null) other = o = meters(OTHER);
            }
        }
        return o;
    }

    private OriginMeters meters(String address) {
        Tags tags = common.and(REMOTE_ADDRESS, address);
        return new OriginMeters(
                address,
                Timer.builder("aioduct.pool.acquire")
                        .description("Time a request waited for a connection (or HTTP/2 stream) from the pool")
                        .tags(tags)
                        .register(registry),
                Counter.builder("aioduct.bytes.sent")
                        .description("Request bytes sent: headers and body")
                        .baseUnit("bytes")
                        .tags(tags)
                        .register(registry),
                Counter.builder("aioduct.bytes.received")
                        .description("Response bytes received: headers and body")
                        .baseUnit("bytes")
                        .tags(tags)
                        .register(registry));
    }

    /** {@code host:port}, IPv6 hosts in brackets. */
    static String address(Origin origin) {
        String host = origin.host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + origin.port();
    }
}
