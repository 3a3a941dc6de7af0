package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * Spring's blocking {@link ClientHttpRequestFactory} on an {@link AioductClient}: what RestClient,
 * RestTemplate and HTTP service interfaces send through. Request bodies stream (nothing is buffered
 * whole); response bodies are read as the caller reads them.
 *
 * <p>Thread-safe; every request it creates runs on the client's engine and shares its pools. It holds
 * nothing to close: the engine is closed by whoever owns it (the Spring context, for the auto-configured
 * one). Failures surface as Spring's contract says: engine failures as {@link java.io.IOException}s
 * (timeouts as {@link java.net.SocketTimeoutException}, connect failures as {@link
 * java.net.ConnectException}) with the engine's exception as their cause.
 */
public final class AioductClientHttpRequestFactory implements ClientHttpRequestFactory {
    /**
     * The {@link io.aioduct.Request#attribute request attribute} (value {@code Boolean.TRUE}) on every request
     * sent by a Spring HTTP client through the starter's adapters (this factory and {@link
     * AioductClientHttpConnector}): Spring observes those itself ({@code http.client.requests}), so the
     * starter's engine request timer leaves them out. Redirect hops keep it.
     */
    public static final String SPRING_CLIENT_ATTRIBUTE = "io.aioduct.spring.client";

    private final AioductClient client;

    public AioductClientHttpRequestFactory(AioductClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** The client requests are sent with. */
    public AioductClient client() {
        return client;
    }

    /**
     * The client that sent {@code requestOrResponse}: a request this factory made, or the response to one;
     * {@code null} for any other object (a request another factory made, or a wrapper around one of ours,
     * such as RestClient's interceptor chain adds). Observation conventions use it to tag Spring's {@code
     * http.client.requests} with the aioduct client that carried the request.
     */
    public static @Nullable AioductClient clientOf(@Nullable Object requestOrResponse) {
        return switch (requestOrResponse) {
            case AioductClientHttpRequest request -> request.client();
            case AioductClientHttpResponse response -> response.client();
            case null, default -> null;
        };
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) {
        return new AioductClientHttpRequest(client, uri, httpMethod);
    }

    @Override
    public String toString() {
        return "AioductClientHttpRequestFactory[" + client.engine() + "]";
    }
}
