package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import io.aioduct.AioductException;
import io.aioduct.Response;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A blocking response: any status code comes through (555 and 929 as well as 200), headers with all
 * their values, the body as the engine's stream. A body that breaks (malformed framing, the connection
 * closed early, a read timeout) fails its reads with an {@link IOException} whose cause is the
 * engine's exception. Closing it before the body ends closes the connection; after the end the
 * connection is already back in the pool. Used by one thread at a time.
 */
final class AioductClientHttpResponse implements ClientHttpResponse {
    private final AioductClient client;
    private final Response response;
    private @Nullable HttpHeaders headers;
    private @Nullable InputStream body;

    AioductClientHttpResponse(AioductClient client, Response response) {
        this.client = client;
        this.response = response;
    }

    /** The client the response came from. */
    AioductClient client() {
        return client;
    }

    @Override
    public HttpStatusCode getStatusCode() {
        return HttpStatusCode.valueOf(response.status());
    }

    /**
     * The reason phrase of the status line as the server sent it ("" when it sent none, and over HTTP/2,
     * which has none), as Spring's Jetty, HttpComponents and Reactor Netty factories report it; never one
     * looked up from the code.
     */
    @Override
    public String getStatusText() {
        return response.reason();
    }

    @Override
    public HttpHeaders getHeaders() {
        HttpHeaders h = headers;
        if (h == null) {
            h = HttpHeaders.readOnlyHttpHeaders(SpringHeaders.fromEngine(response.headers()));
            headers = h;
        }
        return h;
    }

    @Override
    public InputStream getBody() {
        InputStream b = body;
        if (b == null) {
            b = new BodyStream(response.body().inputStream());
            body = b;
        }
        return b;
    }

    @Override
    public void close() {
        InputStream b = body;
        if (b != null) {
            try {
                b.close();
            } catch (IOException e) {
                // The engine's body stream does not throw on close; closing the response is the fallback.
                response.close();
            }
        } else {
            response.close();
        }
    }

    /**
     * The engine's body stream, failing with the same {@link IOException}s as the rest of the adapter: a
     * read timeout as a {@link java.net.SocketTimeoutException}, every engine failure as the cause.
     */
    private static final class BodyStream extends InputStream {
        private final InputStream in;

        BodyStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw fromEngine(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw fromEngine(e);
            }
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        /** The engine's stream wraps its failure in a plain IOException; this one says which it was. */
        private static IOException fromEngine(IOException e) {
            return e.getCause() instanceof AioductException engine ? ExchangeFailures.toIOException(engine) : e;
        }
    }
}
