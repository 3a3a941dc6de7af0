package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBuffer;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One reactive request. Writing the body only records its publisher: the engine subscribes when it
 * sends, and pulls one buffer at a time as the connection takes it. Spring's base class runs the
 * commit actions (headers, cookies, attributes applied to the engine request) and makes headers
 * read-only after the commit.
 */
final class AioductReactiveRequest extends AbstractClientHttpRequest {
    private final AioductClient client;
    private final HttpMethod method;
    private final URI uri;
    private final DataBufferFactory bufferFactory;
    private final Request.Builder request;
    private @Nullable Publisher<? extends DataBuffer> body;

    AioductReactiveRequest(AioductClient client, HttpMethod method, URI uri, DataBufferFactory bufferFactory) {
        this.client = client;
        this.method = method;
        this.uri = uri;
        this.bufferFactory = bufferFactory;
        this.request = client.method(method.name(), uri)
                .attribute(AioductClientHttpRequestFactory.SPRING_CLIENT_ATTRIBUTE, Boolean.TRUE);
    }

    @Override
    public HttpMethod getMethod() {
        return method;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    public DataBufferFactory bufferFactory() {
        return bufferFactory;
    }

    /** The engine's request builder, complete once the request is committed. */
    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeRequest() {
        return (T) request;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return doCommit(() -> {
            this.body = body;
            return Mono.empty();
        });
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        // Each inner publisher in turn, in order: concatMap, never an interleaving flatMap.
        return writeWith(Flux.from(body).concatMap(inner -> inner));
    }

    @Override
    public Mono<Void> setComplete() {
        return doCommit();
    }

    /**
     * Copies the headers, adding {@code Accept: *}{@code /*} when neither they nor the client's default
     * headers name one, as every connector Spring ships does (JDK, Jetty, HttpComponents, Reactor Netty).
     */
    @Override
    protected void applyHeaders() {
        HttpHeaders headers = getHeaders();
        SpringHeaders.copyTo(headers, request);
        if (!headers.containsHeader(HttpHeaders.ACCEPT)
                && !client.defaultHeaders().contains(HttpHeaders.ACCEPT)) {
            request.header(HttpHeaders.ACCEPT, MediaType.ALL_VALUE);
        }
    }

    @Override
    protected void applyCookies() {
        Map<String, List<HttpCookie>> cookies = getCookies();
        if (!cookies.isEmpty()) {
            request.header(
                    HttpHeaders.COOKIE,
                    cookies.values().stream()
                            .flatMap(List::stream)
                            .map(HttpCookie::toString)
                            .collect(Collectors.joining("; ")));
        }
    }

    /** WebClient's request attributes, as {@link AioductRequestAttributes} says. */
    @Override
    protected void applyAttributes() {
        AioductRequestAttributes.applyTo(getAttributes(), request);
    }

    /** The request to send; called once the callback's Mono completed (the request is committed). */
    Request toEngineRequest() {
        Publisher<? extends DataBuffer> b = body;
        if (b != null) {
            Flux<ByteBuffer> bytes = Flux.from(b)
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    .map(AioductReactiveRequest::toByteBuffer);
            request.body(RequestBody.ofPublisher(
                    JdkFlowAdapter.publisherToFlowPublisher(bytes), getHeaders().getContentLength()));
        }
        return request.build();
    }

    /**
     * The bytes of a buffer for the engine, which copies them before asking for the next one. Heap
     * buffers are handed over as views (nothing to release); pooled ones are copied and released at once.
     */
    private static ByteBuffer toByteBuffer(DataBuffer buffer) {
        if (buffer instanceof DefaultDataBuffer) {
            ByteBuffer view = ByteBuffer.allocate(0);
            try (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers()) {
                if (it.hasNext()) view = it.next();
            }
            return view;
        }
        try {
            ByteBuffer copy = ByteBuffer.allocate(buffer.readableByteCount());
            buffer.toByteBuffer(copy);
            return copy;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
