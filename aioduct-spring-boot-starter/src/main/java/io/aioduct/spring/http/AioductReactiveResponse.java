package io.aioduct.spring.http;

import io.aioduct.AioductException;
import io.aioduct.Response;
import java.time.Duration;
import java.time.Instant;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.AbstractClientHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

/**
 * A reactive response: any status code, all header values, the cookies its {@code Set-Cookie} headers
 * set (every attribute {@link ResponseCookie} models), and the body as a single-subscriber {@link Flux}
 * read from the connection only as far as the subscriber asks. Each buffer is the subscriber's to keep
 * (the engine hands over its own copies). A body that breaks (malformed framing, the connection closed
 * early, a read timeout) fails the Flux with an {@link java.io.IOException} whose cause is the engine's
 * exception.
 */
final class AioductReactiveResponse extends AbstractClientHttpResponse {

    AioductReactiveResponse(Response response, DataBufferFactory bufferFactory) {
        super(
                HttpStatusCode.valueOf(response.status()),
                HttpHeaders.readOnlyHttpHeaders(SpringHeaders.fromEngine(response.headers())),
                cookies(response),
                Flux.defer(() -> JdkFlowAdapter.flowPublisherToFlux(
                                response.body().publisher()))
                        .map(bufferFactory::wrap)
                        // A broken body is an IOException, as with Reactor Netty (PrematureCloseException).
                        .onErrorMap(AioductException.class, ExchangeFailures::toIOException));
    }

    private static MultiValueMap<String, ResponseCookie> cookies(Response response) {
        MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
        Instant now = Instant.now();
        for (String header : response.headers().all(HttpHeaders.SET_COOKIE)) {
            SetCookie c = SetCookie.parse(header, now);
            if (c == null) {
                continue;
            }
            ResponseCookie.ResponseCookieBuilder b = ResponseCookie.fromClientResponse(c.name(), c.value())
                    .maxAge(c.maxAge() != null ? c.maxAge() : Duration.ofSeconds(-1))
                    .secure(c.secure())
                    .httpOnly(c.httpOnly())
                    .partitioned(c.partitioned());
            if (c.domain() != null) b.domain(c.domain());
            if (c.path() != null) b.path(c.path());
            if (c.sameSite() != null) b.sameSite(c.sameSite());
            cookies.add(c.name(), b.build());
        }
        return cookies;
    }
}
