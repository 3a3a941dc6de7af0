package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import io.aioduct.AioductException;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.runtime.compat.CompatRuntime;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.StreamUtils;

/**
 * One blocking request. Spring's base class enforces the contract: headers are read-only and the body
 * cannot be written once executed. The body streams through {@link RequestBody#ofWriter}: Spring's
 * writer is called as the connection takes the bytes, with the declared Content-Length or chunked.
 * The response body is then read as the caller reads it, blocking the calling thread (on a compat
 * runtime's pooled worker too, like any legacy {@code Future.get()}).
 */
final class AioductClientHttpRequest extends AbstractStreamingClientHttpRequest {
    private final AioductClient client;
    private final URI uri;
    private final HttpMethod method;

    AioductClientHttpRequest(AioductClient client, URI uri, HttpMethod method) {
        this.client = client;
        this.uri = uri;
        this.method = method;
    }

    /** The client this request is sent with. */
    AioductClient client() {
        return client;
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
    protected ClientHttpResponse executeInternal(HttpHeaders headers, @Nullable Body body) throws IOException {
        Request.Builder request = client.method(method.name(), uri)
                .attribute(AioductClientHttpRequestFactory.SPRING_CLIENT_ATTRIBUTE, Boolean.TRUE);
        SpringHeaders.copyTo(headers, request);
        AioductRequestAttributes.applyTo(getAttributes(), request);
        AtomicReference<Exception> writerFailure = new AtomicReference<>();
        if (body != null) {
            request.body(RequestBody.ofWriter(
                    out -> {
                        try {
                            body.writeTo(StreamUtils.nonClosing(out));
                        } catch (IOException | RuntimeException e) {
                            writerFailure.set(e);
                            throw e;
                        }
                    },
                    headers.getContentLength(),
                    body.repeatable()));
        }
        Response response;
        try {
            response = execute(request.build());
        } catch (RuntimeException e) {
            // A failure of Spring's own body writer comes back as that same exception, whatever wrapped it.
            Exception fromWriter = writerFailure.get();
            if (fromWriter instanceof IOException io) throw io;
            if (fromWriter instanceof RuntimeException re) throw re;
            if (e instanceof AioductException ae) throw ExchangeFailures.toIOException(ae);
            throw e;
        }
        return new AioductClientHttpResponse(client, response);
    }

    /**
     * Sends and waits for the response head. On a compat runtime the wait goes through {@code blockInPlace}:
     * legacy code on one of its pooled workers (an {@code @Async} method calling RestTemplate) may then block
     * while the pool starts a spare worker, where a bare wait would be refused; elsewhere it simply waits.
     */
    private Response execute(Request request) {
        if (client.engine().runtime() instanceof CompatRuntime compat) {
            return compat.blockInPlace(() -> client.execute(request));
        }
        return client.execute(request);
    }
}
