package io.aioduct.sample;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import java.net.URI;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Component;

/**
 * One downstream call through one of Spring's HTTP clients on one aioduct client: what a gateway endpoint and
 * every request of a dashboard load do. Blocking; failures (a 5xx, a connection closed mid-body) are thrown.
 */
@Component
class Gateway {

    private final DownstreamBase downstream;

    Gateway(DownstreamBase downstream) {
        this.downstream = downstream;
    }

    /** Calls {@code endpoint} and returns the number of body bytes received. */
    long call(ClientSet client, Via via, Endpoint endpoint, long delayMs) {
        URI uri = downstream.uri(endpoint, delayMs);
        return switch (via) {
            case REST_CLIENT ->
                length(client.restClient().get().uri(uri).retrieve().body(byte[].class));
            case REST_TEMPLATE -> length(client.restTemplate().getForObject(uri, byte[].class));
            case WEB_CLIENT -> {
                // Streams the body and counts it, so a large body is not limited by the codecs' in-memory cap.
                Long n = client.webClient()
                        .get()
                        .uri(uri)
                        .retrieve()
                        .bodyToFlux(DataBuffer.class)
                        .map(Gateway::release)
                        .reduce(0L, Long::sum)
                        .block();
                yield n == null ? 0 : n;
            }
            case HTTP_INTERFACE -> viaInterface(client.httpInterface(), endpoint, delayMs);
            case AIODUCT_CLIENT -> direct(client.aioduct(), uri, endpoint);
        };
    }

    private static long direct(AioductClient client, URI uri, Endpoint endpoint) {
        // The URI template keeps the engine's request timer's uri tag low-cardinality (no query string).
        try (Response response =
                client.get(uri).uriTemplate("/downstream/" + endpoint.id()).execute()) {
            if (response.status() >= 400) {
                throw new DownstreamStatusException(response.status(), uri);
            }
            return response.body().bytes().length;
        }
    }

    private long viaInterface(DownstreamApi api, Endpoint endpoint, long delayMs) {
        var base = downstream.uriBuilderFactory();
        return switch (endpoint) {
            case SMALL -> api.small(base).length();
            case LARGE -> length(api.large(base));
            case SLOW -> api.slow(base, delayMs).length();
            case FLAKY -> api.flaky(base).length();
            case TLS -> api.small(downstream.tlsUriBuilderFactory()).length();
        };
    }

    private static long release(DataBuffer buffer) {
        long n = buffer.readableByteCount();
        DataBufferUtils.release(buffer);
        return n;
    }

    private static long length(byte[] body) {
        return body == null ? 0 : body.length;
    }
}
