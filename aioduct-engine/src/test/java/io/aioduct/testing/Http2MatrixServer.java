package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** {@link MatrixServer} over {@link H2TestServer}: HTTP/2 by prior knowledge or over TLS with ALPN. */
final class Http2MatrixServer implements MatrixServer {
    private final H2TestServer server;

    Http2MatrixServer(H2TestServer server) {
        this.server = server;
    }

    @Override
    public String uri(String path) {
        return server.uri(path);
    }

    @Override
    public String host() {
        return server.host();
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public void route(String prefix, Responder responder) {
        server.route(prefix, (req, ex) -> responder.respond(req, new Http2Reply(ex)));
    }

    @Override
    public void routeExpectingContinue(String prefix, Responder onHead, Responder responder) {
        server.routeOnHeaders(prefix, (head, ex) -> {
            String expect = head.header("expect");
            if (expect != null && expect.equalsIgnoreCase("100-continue")) {
                onHead.respond(head, new Http2Reply(ex));
            }
            ex.requestComplete().thenAccept(req -> responder.respond(req, new Http2Reply(ex)));
        });
    }

    @Override
    public RecordedRequest takeRequest() {
        try {
            return server.takeRequest();
        } catch (AssertionError none) {
            if (server.isTls() && server.http1().requestCount() > 0) {
                throw new AssertionError(
                        "ALPN settled on http/1.1 instead of h2: the request went to the server's HTTP/1.1"
                                + " fallback: " + server.http1().requests(),
                        none);
            }
            throw none;
        }
    }

    @Override
    public int requestCount() {
        return server.requestCount();
    }

    @Override
    public int connectionsAccepted() {
        return server.connectionsAccepted();
    }

    @Override
    public void awaitAbandoned(int exchanges) {
        EngineTest.awaitTrue(
                () -> server.resetsReceived().size() >= exchanges
                        || !server.goAwaysReceived().isEmpty()
                        || server.openConnections() < server.connectionsAccepted(),
                () -> "expected " + exchanges + " RST_STREAM from the client, got " + server.resetsReceived());
        assertThat(server.goAwaysReceived())
                .as("GOAWAYs from the client: giving up on one stream must not end the connection")
                .isEmpty();
        assertThat(server.openConnections())
                .as("open connections: giving up on one stream must not close the connection")
                .isEqualTo(server.connectionsAccepted());
        assertThat(server.resetsReceived())
                .hasSize(exchanges)
                .allSatisfy(r -> assertThat(r.errorCode()).isEqualTo(Http2Error.CANCEL.code()));
    }

    @Override
    public void awaitAbandonedOrClosed(int exchanges) {
        EngineTest.awaitTrue(
                () -> server.resetsReceived().size() >= exchanges
                        || server.openConnections() < server.connectionsAccepted(),
                () -> "expected " + exchanges + " RST_STREAM or a closed connection, got resets "
                        + server.resetsReceived() + ", " + server.openConnections() + " of "
                        + server.connectionsAccepted() + " connections open");
        assertThat(server.resetsReceived())
                .allSatisfy(r -> assertThat(r.errorCode()).isEqualTo(Http2Error.CANCEL.code()));
    }

    @Override
    public void awaitSkipped(int exchanges) {
        EngineTest.awaitTrue(
                () -> server.resetsReceived().size() >= exchanges,
                () -> "expected " + exchanges + " RST_STREAM, got " + server.resetsReceived());
        assertThat(server.resetsReceived())
                .hasSize(exchanges)
                .allSatisfy(r ->
                        assertThat(r.errorCode()).as("RST_STREAM error code").isZero());
        assertThat(server.goAwaysReceived()).isEmpty();
        assertThat(server.connectionsAccepted()).isEqualTo(1);
        assertThat(server.openConnections()).isEqualTo(1);
    }

    @Override
    public List<Throwable> failures() {
        return server.failures();
    }

    @Override
    public void close() {
        server.close();
    }

    private record Http2Reply(H2ServerExchange exchange) implements Reply {
        @Override
        public void respond(int status, byte[] body, String... headerNameValuePairs) {
            if (status == 204 || status == 304) {
                exchange.respond(fields(Integer.toString(status), headerNameValuePairs), body, null);
            } else {
                exchange.respond(status, body, headerNameValuePairs);
            }
        }

        @Override
        public void respondChunked(int status, List<byte[]> pieces, String... headerNameValuePairs) {
            H2StreamingResponse out = exchange.respondStreaming(status, headerNameValuePairs);
            pieces.forEach(out::write);
            out.end();
        }

        @Override
        public Writer respondStreaming(int status, long length, String... headerNameValuePairs) {
            String[] headers = headerNameValuePairs;
            if (length >= 0) {
                headers = Arrays.copyOf(headerNameValuePairs, headerNameValuePairs.length + 2);
                headers[headers.length - 2] = "content-length";
                headers[headers.length - 1] = Long.toString(length);
            }
            H2StreamingResponse out = exchange.respondStreaming(status, headers);
            return new Writer() {
                @Override
                public CompletableFuture<Void> write(byte[] piece) {
                    return out.write(piece);
                }

                @Override
                public void end() {
                    out.end();
                }
            };
        }

        @Override
        public void noContent(String... headerNameValuePairs) {
            exchange.respond(fields("204", headerNameValuePairs), new byte[0], null);
        }

        @Override
        public void respondWithReason(int status, @Nullable String reason, String body) {
            exchange.respond(status, body.getBytes(StandardCharsets.ISO_8859_1));
        }

        @Override
        public void interim(int status, String... headerNameValuePairs) {
            String[] lower = headerNameValuePairs.clone();
            for (int i = 0; i < lower.length; i += 2) {
                lower[i] = lower[i].toLowerCase(Locale.ROOT);
            }
            exchange.informational(status, lower);
        }

        @Override
        public int bodyBytesReceived() {
            return exchange.bodyBytesReceived();
        }

        @Override
        public void later(Duration delay, Runnable action) {
            exchange.schedule(delay, action);
        }

        @Override
        public void stall() {
            exchange.stall();
        }

        /** Exactly these fields, names lower-cased, nothing added. */
        private static Http2Headers fields(String status, String... headerNameValuePairs) {
            Http2Headers headers = new DefaultHttp2Headers(false).status(status);
            for (int i = 0; i < headerNameValuePairs.length; i += 2) {
                headers.add(headerNameValuePairs[i].toLowerCase(Locale.ROOT), headerNameValuePairs[i + 1]);
            }
            return headers;
        }
    }
}
