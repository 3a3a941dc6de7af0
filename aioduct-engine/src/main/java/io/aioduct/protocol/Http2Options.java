package io.aioduct.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * HTTP/2 settings of an engine. Immutable.
 *
 * @param enabled whether ALPN offers {@code h2} to https origins (default true)
 * @param priorKnowledge whether cleartext (http) origins are spoken to in HTTP/2 directly, h2c by
 *     prior knowledge (default false: HTTP/1.1)
 * @param maxConnectionsPerOrigin the most HTTP/2 connections to one origin; a new one opens only when
 *     the others carry as many streams as their servers allow (default 4)
 * @param maxConcurrentStreams our own cap on streams per connection, below the server's limit if lower
 *     (default 1000)
 * @param streamWindow the flow-control window we give each response stream (default 2 MiB)
 * @param connectionWindow the flow-control window for the whole connection (default 4 MiB)
 * @param maxFrameSize the largest frame payload we accept (16 KiB to 16 MiB; default 16 KiB)
 * @param maxHeaderListSize the largest response header list we accept (default 64 KiB)
 * @param pingInterval how long a connection may stay silent before we PING it; ZERO turns keep-alive
 *     PINGs off (default 30 s)
 * @param pingTimeout how long a PING may go unanswered before the connection is closed (default 10 s)
 */
public record Http2Options(
        boolean enabled,
        boolean priorKnowledge,
        int maxConnectionsPerOrigin,
        int maxConcurrentStreams,
        int streamWindow,
        int connectionWindow,
        int maxFrameSize,
        int maxHeaderListSize,
        Duration pingInterval,
        Duration pingTimeout) {

    public static final Http2Options DEFAULT = new Http2Options(
            true,
            false,
            4,
            1000,
            2 * 1024 * 1024,
            4 * 1024 * 1024,
            16 * 1024,
            64 * 1024,
            Duration.ofSeconds(30),
            Duration.ofSeconds(10));

    /** HTTP/2 never offered: every origin speaks HTTP/1.1. */
    public static final Http2Options DISABLED = DEFAULT.withEnabled(false);

    public Http2Options {
        positive("maxConnectionsPerOrigin", maxConnectionsPerOrigin);
        positive("maxConcurrentStreams", maxConcurrentStreams);
        if (streamWindow < 65_535) {
            throw new IllegalArgumentException("streamWindow must be >= 65535, was " + streamWindow);
        }
        if (connectionWindow < 65_535) {
            throw new IllegalArgumentException("connectionWindow must be >= 65535, was " + connectionWindow);
        }
        if (maxFrameSize < 16_384 || maxFrameSize > 16_777_215) {
            throw new IllegalArgumentException("maxFrameSize must be within 16384..16777215, was " + maxFrameSize);
        }
        positive("maxHeaderListSize", maxHeaderListSize);
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(pingTimeout, "pingTimeout");
        if (pingInterval.isNegative()) throw new IllegalArgumentException("pingInterval must not be negative");
        if (pingTimeout.isNegative() || pingTimeout.isZero()) {
            throw new IllegalArgumentException("pingTimeout must be positive, was " + pingTimeout);
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }

    public Http2Options withEnabled(boolean value) {
        return new Http2Options(
                value,
                priorKnowledge,
                maxConnectionsPerOrigin,
                maxConcurrentStreams,
                streamWindow,
                connectionWindow,
                maxFrameSize,
                maxHeaderListSize,
                pingInterval,
                pingTimeout);
    }

    public Http2Options withPriorKnowledge(boolean value) {
        return new Http2Options(
                enabled,
                value,
                maxConnectionsPerOrigin,
                maxConcurrentStreams,
                streamWindow,
                connectionWindow,
                maxFrameSize,
                maxHeaderListSize,
                pingInterval,
                pingTimeout);
    }

    public Http2Options withMaxConnectionsPerOrigin(int value) {
        return new Http2Options(
                enabled,
                priorKnowledge,
                value,
                maxConcurrentStreams,
                streamWindow,
                connectionWindow,
                maxFrameSize,
                maxHeaderListSize,
                pingInterval,
                pingTimeout);
    }

    public Http2Options withMaxConcurrentStreams(int value) {
        return new Http2Options(
                enabled,
                priorKnowledge,
                maxConnectionsPerOrigin,
                value,
                streamWindow,
                connectionWindow,
                maxFrameSize,
                maxHeaderListSize,
                pingInterval,
                pingTimeout);
    }

    public Http2Options withWindows(int stream, int connection) {
        return new Http2Options(
                enabled,
                priorKnowledge,
                maxConnectionsPerOrigin,
                maxConcurrentStreams,
                stream,
                connection,
                maxFrameSize,
                maxHeaderListSize,
                pingInterval,
                pingTimeout);
    }

    public Http2Options withMaxFrameSize(int value) {
        return new Http2Options(
                enabled,
                priorKnowledge,
                maxConnectionsPerOrigin,
                maxConcurrentStreams,
                streamWindow,
                connectionWindow,
                value,
                maxHeaderListSize,
                pingInterval,
                pingTimeout);
    }

    public Http2Options withMaxHeaderListSize(int value) {
        return new Http2Options(
                enabled,
                priorKnowledge,
                maxConnectionsPerOrigin,
                maxConcurrentStreams,
                streamWindow,
                connectionWindow,
                maxFrameSize,
                value,
                pingInterval,
                pingTimeout);
    }

    public Http2Options withPing(Duration interval, Duration timeout) {
        return new Http2Options(
                enabled,
                priorKnowledge,
                maxConnectionsPerOrigin,
                maxConcurrentStreams,
                streamWindow,
                connectionWindow,
                maxFrameSize,
                maxHeaderListSize,
                interval,
                timeout);
    }
}
