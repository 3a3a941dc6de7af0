package io.aioduct.spring.http;

import io.aioduct.Request;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The Spring request attributes the starter's adapters understand: set one on a WebClient request
 * ({@code .attribute(name, value)}, or from an {@code ExchangeFilterFunction} with {@code
 * ClientRequest.from(request).attribute(name, value)}) or on a RestClient request, and it applies to
 * that request alone, over the client's settings. Each value is a {@link Duration}; zero turns that
 * timeout off for the request.
 *
 * <p>Every other attribute with a value is handed to the engine request as an engine {@linkplain
 * Request#attribute attribute} of the same name (as Spring's Jetty and HttpComponents connectors hand
 * theirs to the native request), so engine interceptors and event listeners see it; none of them
 * reaches the wire.
 *
 * <p>A value of another type fails the request with an {@link IllegalArgumentException} naming the
 * attribute, rather than being ignored.
 */
public final class AioductRequestAttributes {
    /** The request's connect timeout (a {@link Duration}), as {@link Request.Builder#connectTimeout}. */
    public static final String CONNECT_TIMEOUT = "io.aioduct.spring.connect-timeout";

    /**
     * How long the request waits for the response head once sent (a {@link Duration}), as {@link
     * Request.Builder#responseTimeout}.
     */
    public static final String RESPONSE_TIMEOUT = "io.aioduct.spring.response-timeout";

    /** The longest silence while the response arrives (a {@link Duration}), as {@link Request.Builder#readTimeout}. */
    public static final String READ_TIMEOUT = "io.aioduct.spring.read-timeout";

    /**
     * A deadline for the whole exchange, from the send to the end of the body (a {@link Duration}), as
     * {@link Request.Builder#totalTimeout}.
     */
    public static final String TOTAL_TIMEOUT = "io.aioduct.spring.total-timeout";

    private AioductRequestAttributes() {}

    /** Applies Spring's request {@code attributes} to the engine {@code request} being built. */
    static void applyTo(Map<String, Object> attributes, Request.Builder request) {
        if (attributes.isEmpty()) {
            return;
        }
        attributes.forEach((name, value) -> {
            if (value == null || name.equals(AioductClientHttpRequestFactory.SPRING_CLIENT_ATTRIBUTE)) {
                return;
            }
            switch (name) {
                case CONNECT_TIMEOUT -> timeout(name, value, request, Request.Builder::connectTimeout);
                case RESPONSE_TIMEOUT -> timeout(name, value, request, Request.Builder::responseTimeout);
                case READ_TIMEOUT -> timeout(name, value, request, Request.Builder::readTimeout);
                case TOTAL_TIMEOUT -> timeout(name, value, request, Request.Builder::totalTimeout);
                default -> request.attribute(name, value);
            }
        });
    }

    private static void timeout(
            String name, Object value, Request.Builder request, BiConsumer<Request.Builder, Duration> setter) {
        if (!(value instanceof Duration timeout)) {
            throw new IllegalArgumentException("request attribute '" + name + "' must be a java.time.Duration, was "
                    + value.getClass().getName() + " (" + value + ")");
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("request attribute '" + name + "' must not be negative, was " + timeout);
        }
        setter.accept(request, timeout);
    }
}
