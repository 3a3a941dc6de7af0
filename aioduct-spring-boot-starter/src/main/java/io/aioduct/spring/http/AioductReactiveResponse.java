package io.aioduct.spring.http;

import io.aioduct.AioductException;
import io.aioduct.Response;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import org.springframework.core.io.buffer.DataBuffer;
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
 * read from the connection only as far as the subscriber asks. The engine lends each buffer only for the
 * length of {@code onNext} (a view of its pooled memory), while a {@link DataBuffer} travels on through
 * WebClient's decoders after that: each one is copied into a buffer of the connector's factory, which the
 * consumer owns and releases as with any connector. A body that breaks (malformed framing, the connection closed
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
                        // Inside onNext, while the engine's buffer is still valid (map runs synchronously).
                        .map(lent -> copy(lent, bufferFactory))
                        // A broken body is an IOException, as with Reactor Netty (PrematureCloseException).
                        .onErrorMap(AioductException.class, ExchangeFailures::toIOException));
    }

    /** A buffer of {@code factory} holding a copy of {@code lent}'s bytes, which the engine reuses after onNext. */
    private static DataBuffer copy(ByteBuffer lent, DataBufferFactory factory) {
        DataBuffer copy = factory.allocateBuffer(lent.remaining());
        copy.write(lent);
        return copy;
    }

    /**
     * Every {@code Set-Cookie} as the server sent it, read by Netty's lax decoder as Spring's Reactor Netty
     * connector reads it: {@code Max-Age} wins, else {@code Expires} becomes a max-age from now; the domain
     * loses its leading dot and case. Which cookies a client keeps is the engine's cookie store's concern
     * (docs/cookies.md), not this view's.
     */
    private static MultiValueMap<String, ResponseCookie> cookies(Response response) {
        MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
        for (String header : response.headers().all(HttpHeaders.SET_COOKIE)) {
            Cookie c = ClientCookieDecoder.LAX.decode(header);
            if (c == null) {
                continue;
            }
            long maxAge = c.maxAge() == Cookie.UNDEFINED_MAX_AGE ? -1 : c.maxAge();
            ResponseCookie.ResponseCookieBuilder b = ResponseCookie.fromClientResponse(c.name(), c.value())
                    .maxAge(Duration.ofSeconds(maxAge))
                    .secure(c.isSecure())
                    .httpOnly(c.isHttpOnly());
            String domain = c.domain();
            if (domain != null) {
                domain = domain.startsWith(".") ? domain.substring(1) : domain;
                if (!domain.isEmpty()) b.domain(domain.toLowerCase(Locale.ROOT));
            }
            if (c.path() != null) b.path(c.path());
            if (c instanceof DefaultCookie d) {
                if (d.sameSite() != null) b.sameSite(d.sameSite().name());
                b.partitioned(d.isPartitioned());
            }
            cookies.add(c.name(), b.build());
        }
        return cookies;
    }
}
