package io.aioduct.engine;

import io.aioduct.policy.Decompression;
import io.aioduct.tls.TlsConfig;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A client's defaults for each exchange: timeouts, the buffered-body limit, the User-Agent,
 * decompression and the TLS settings of its https connections. Each
 * timeout is {@link Duration#ZERO} for "no limit"; a request may override any of them. Immutable.
 *
 * @param connectTimeout establishing a connection (default 10 s)
 * @param responseTimeout from sending the request until the response head arrives (default 30 s)
 * @param readTimeout longest silence while waiting for bytes (default 30 s)
 * @param totalTimeout the whole exchange, body included (default none)
 * @param maxBufferedBody largest body {@code bytes()} and {@code string()} will buffer (default 16 MiB)
 * @param userAgent the User-Agent sent unless a request sets one; null sends none
 * @param decompression the Accept-Encoding sent unless a request sets one, and how compressed responses
 *     are decoded (default {@link Decompression#defaults()}: on)
 * @param expectContinueTimeout how long a request carrying {@code Expect: 100-continue} holds its body back
 *     waiting for the server's 100 (Continue) before sending it anyway (default 1 s, as curl); ZERO sends it
 *     at once (docs/expect-continue.md)
 * @param tls the TLS settings of https connections (and of https through a proxy's tunnel), or null for the
 *     engine's ({@link EngineConfig#tls()}). Part of the route a pool is keyed by: connections made with one
 *     {@link TlsConfig} are reused only by exchanges naming the same instance (docs/tls.md, "TLS per client")
 */
public record ExchangeSettings(
        Duration connectTimeout,
        Duration responseTimeout,
        Duration readTimeout,
        Duration totalTimeout,
        long maxBufferedBody,
        @Nullable String userAgent,
        Decompression decompression,
        Duration expectContinueTimeout,
        @Nullable TlsConfig tls) {

    public static final String DEFAULT_USER_AGENT = "aioduct-java/" + Version.VALUE;

    public static final ExchangeSettings DEFAULT = new ExchangeSettings(
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ZERO,
            16L * 1024 * 1024,
            DEFAULT_USER_AGENT,
            Decompression.defaults(),
            Duration.ofSeconds(1),
            null);

    /** Settings with the engine's TLS settings. */
    public ExchangeSettings(
            Duration connectTimeout,
            Duration responseTimeout,
            Duration readTimeout,
            Duration totalTimeout,
            long maxBufferedBody,
            @Nullable String userAgent,
            Decompression decompression,
            Duration expectContinueTimeout) {
        this(
                connectTimeout,
                responseTimeout,
                readTimeout,
                totalTimeout,
                maxBufferedBody,
                userAgent,
                decompression,
                expectContinueTimeout,
                null);
    }

    /** Settings with the default decompression and Expect: 100-continue wait. */
    public ExchangeSettings(
            Duration connectTimeout,
            Duration responseTimeout,
            Duration readTimeout,
            Duration totalTimeout,
            long maxBufferedBody,
            @Nullable String userAgent) {
        this(
                connectTimeout,
                responseTimeout,
                readTimeout,
                totalTimeout,
                maxBufferedBody,
                userAgent,
                Decompression.defaults(),
                Duration.ofSeconds(1),
                null);
    }

    public ExchangeSettings {
        check("connectTimeout", connectTimeout);
        check("responseTimeout", responseTimeout);
        check("readTimeout", readTimeout);
        check("totalTimeout", totalTimeout);
        check("expectContinueTimeout", expectContinueTimeout);
        if (maxBufferedBody < 0) {
            throw new IllegalArgumentException("maxBufferedBody must be >= 0, was " + maxBufferedBody);
        }
        Objects.requireNonNull(decompression, "decompression");
        if (userAgent != null) {
            io.aioduct.syntax.HeaderRules.checkValue("User-Agent", userAgent);
        }
    }

    private static void check(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
    }
}
