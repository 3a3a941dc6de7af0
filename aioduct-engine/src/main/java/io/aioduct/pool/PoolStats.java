package io.aioduct.pool;

import io.aioduct.Origin;

/**
 * A snapshot of one origin's pool.
 *
 * @param origin where its connections go
 * @param protocol "http/1.1" (or "h2")
 * @param active connections carrying an exchange
 * @param idle connections waiting for reuse
 * @param connecting connections being opened
 * @param pending requests queued for a connection
 * @param max the connection limit
 * @param activeStreams exchanges in flight on multiplexed (HTTP/2) connections; 0 for HTTP/1.1
 */
public record PoolStats(
        Origin origin,
        String protocol,
        int active,
        int idle,
        int connecting,
        int pending,
        int max,
        int activeStreams) {}
