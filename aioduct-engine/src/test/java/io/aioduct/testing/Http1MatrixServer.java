package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** {@link MatrixServer} over {@link TestServer}: HTTP/1.1 in cleartext or over TLS. */
final class Http1MatrixServer implements MatrixServer {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TestServer server;

    Http1MatrixServer(TestServer server) {
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
        server.route(prefix, (req, ex) -> responder.respond(req, new Http1Reply(ex)));
    }

    @Override
    public void routeExpectingContinue(String prefix, Responder onHead, Responder responder) {
        route(prefix, responder);
        server.onExpectContinue((head, ex) -> onHead.respond(head, new Http1Reply(ex)));
    }

    @Override
    public RecordedRequest takeRequest() {
        return server.takeRequest();
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
        server.awaitOpenConnections(server.connectionsAccepted() - exchanges, WAIT);
    }

    @Override
    public void awaitAbandonedOrClosed(int exchanges) {
        awaitAbandoned(exchanges);
    }

    @Override
    public void awaitSkipped(int exchanges) {
        server.awaitOpenConnections(0, WAIT);
        assertThat(server.connectionsAccepted()).isEqualTo(exchanges);
    }

    @Override
    public List<Throwable> failures() {
        return server.failures();
    }

    @Override
    public void close() {
        server.close();
    }

    private record Http1Reply(ServerExchange exchange) implements Reply {
        @Override
        public void respond(int status, byte[] body, String... headerNameValuePairs) {
            exchange.respond(status, body, headerNameValuePairs);
        }

        @Override
        public void respondChunked(int status, List<byte[]> pieces, String... headerNameValuePairs) {
            exchange.respondChunked(status, pieces, headerNameValuePairs);
        }

        @Override
        public Writer respondStreaming(int status, long length, String... headerNameValuePairs) {
            StreamingResponse out = exchange.respondStreaming(status, length, headerNameValuePairs);
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
            exchange.writeRaw(head("HTTP/1.1 204 No Content", headerNameValuePairs));
            exchange.complete();
        }

        @Override
        public void respondWithReason(int status, @Nullable String reason, String body) {
            exchange.writeRaw("HTTP/1.1 " + status + (reason == null ? "" : " " + reason) + "\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);
            exchange.complete();
        }

        @Override
        public void interim(int status, String... headerNameValuePairs) {
            exchange.writeRaw(head("HTTP/1.1 " + status + " Interim", headerNameValuePairs));
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

        /** A status line and fields, with the blank line that ends the head. */
        private static String head(String statusLine, String... headerNameValuePairs) {
            StringBuilder head = new StringBuilder(statusLine).append("\r\n");
            for (int i = 0; i < headerNameValuePairs.length; i += 2) {
                head.append(headerNameValuePairs[i])
                        .append(": ")
                        .append(headerNameValuePairs[i + 1])
                        .append("\r\n");
            }
            return head.append("\r\n").toString();
        }
    }
}
