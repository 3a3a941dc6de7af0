package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.tls.TlsConfig;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The decompression tests' server: HTTP/1.1 ({@link TestServer}) or HTTP/2 ({@link H2TestServer}), in
 * cleartext or over TLS, behind one small interface that serves coded bodies with a length, chunked
 * (HTTP/2: without a length, in several DATA frames) or streamed piece by piece. A trimmed copy of
 * {@code ProtocolMatrixTest}'s server abstraction.
 */
public abstract class CodingServer implements AutoCloseable {

    /** How the client reaches the server. */
    public enum Protocol {
        HTTP11(false, false),
        HTTP11_TLS(true, false),
        H2C(false, true),
        H2_TLS(true, true);

        public final boolean tls;
        public final boolean h2;

        Protocol(boolean tls, boolean h2) {
            this.tls = tls;
            this.h2 = h2;
        }

        public CodingServer start() {
            return switch (this) {
                case HTTP11 -> new H1(TestServer.start());
                case HTTP11_TLS -> new H1(TestServer.startTls(TlsMaterial.shared()));
                case H2C -> new H2(H2TestServer.start());
                case H2_TLS -> new H2(H2TestServer.startTls(TlsMaterial.shared()));
            };
        }

        /** Engine settings that reach this protocol's server (h2c by prior knowledge, the test CA trusted). */
        public EngineConfig config() {
            return EngineConfig.builder()
                    .http2(Http2Options.DEFAULT.withPriorKnowledge(this == H2C))
                    .tls(TlsConfig.builder()
                            .trustPem(TlsMaterial.shared().caCertificatePem())
                            .build())
                    .resolver(Resolver.of(Map.of(
                            "localhost", List.of(InetAddress.getLoopbackAddress()),
                            "127.0.0.1", List.of(InetAddress.getLoopbackAddress()))))
                    .build();
        }
    }

    /** One request's answer. */
    public interface Reply {
        /** A complete response with a Content-Length (unless {@code headers} name one). */
        void respond(int status, byte[] body, String... headers);

        /** A complete response without a length: HTTP/1.1 chunked, HTTP/2 DATA frames, one per piece. */
        void respondChunked(int status, List<byte[]> pieces, String... headers);

        /** The head now (no length), the body later through the writer. */
        Writer stream(int status, String... headers);
    }

    /** A body sent piece by piece. */
    public interface Writer {
        /** Completes once the piece reached the socket (HTTP/2: once the client's window let it go). */
        CompletableFuture<Void> write(byte[] piece);

        void end();
    }

    @FunctionalInterface
    public interface Responder {
        void respond(RecordedRequest request, Reply reply);
    }

    public abstract String uri(String path);

    public abstract void route(String prefix, Responder responder);

    public abstract RecordedRequest takeRequest();

    /** Waits until the client gave up on one more exchange: its HTTP/1.1 connection closed, its h2 stream reset. */
    public abstract void awaitAbandoned(int exchanges);

    public abstract List<Throwable> failures();

    @Override
    public abstract void close();

    private static void awaitTrue(BooleanSupplier condition, String message) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError(message);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private static final class H1 extends CodingServer {
        private final TestServer server;

        H1(TestServer server) {
            this.server = server;
        }

        @Override
        public String uri(String path) {
            return server.uri(path);
        }

        @Override
        public void route(String prefix, Responder responder) {
            server.route(
                    prefix,
                    (req, ex) -> responder.respond(req, new Reply() {
                        @Override
                        public void respond(int status, byte[] body, String... headers) {
                            ex.respond(status, body, headers);
                        }

                        @Override
                        public void respondChunked(int status, List<byte[]> pieces, String... headers) {
                            ex.respondChunked(status, pieces, headers);
                        }

                        @Override
                        public Writer stream(int status, String... headers) {
                            StreamingResponse out = ex.respondStreaming(status, -1, headers);
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
                    }));
        }

        @Override
        public RecordedRequest takeRequest() {
            return server.takeRequest();
        }

        @Override
        public void awaitAbandoned(int exchanges) {
            server.awaitOpenConnections(server.connectionsAccepted() - exchanges, Duration.ofSeconds(10));
        }

        @Override
        public List<Throwable> failures() {
            return server.failures();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static final class H2 extends CodingServer {
        private final H2TestServer server;

        H2(H2TestServer server) {
            this.server = server;
        }

        @Override
        public String uri(String path) {
            return server.uri(path);
        }

        @Override
        public void route(String prefix, Responder responder) {
            server.route(
                    prefix,
                    (req, ex) -> responder.respond(req, new Reply() {
                        @Override
                        public void respond(int status, byte[] body, String... headers) {
                            boolean hasLength = false;
                            for (int i = 0; i < headers.length; i += 2) {
                                hasLength |= headers[i].equalsIgnoreCase("content-length");
                            }
                            if (status == 204 || status == 304 || hasLength) {
                                Http2Headers h = new DefaultHttp2Headers(false).status(Integer.toString(status));
                                for (int i = 0; i < headers.length; i += 2) {
                                    h.add(headers[i].toLowerCase(Locale.ROOT), headers[i + 1]);
                                }
                                ex.respond(h, body, null);
                            } else {
                                ex.respond(status, body, headers);
                            }
                        }

                        @Override
                        public void respondChunked(int status, List<byte[]> pieces, String... headers) {
                            H2StreamingResponse out = ex.respondStreaming(status, headers);
                            pieces.forEach(out::write);
                            out.end();
                        }

                        @Override
                        public Writer stream(int status, String... headers) {
                            H2StreamingResponse out = ex.respondStreaming(status, headers);
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
                    }));
        }

        @Override
        public RecordedRequest takeRequest() {
            return server.takeRequest();
        }

        @Override
        public void awaitAbandoned(int exchanges) {
            awaitTrue(
                    () -> server.resetsReceived().size() >= exchanges
                            || server.openConnections() < server.connectionsAccepted(),
                    "expected " + exchanges + " RST_STREAM or a closed connection, got " + server.resetsReceived());
            assertThat(server.resetsReceived())
                    .allSatisfy(r -> assertThat(r.errorCode()).isEqualTo(Http2Error.CANCEL.code()));
        }

        @Override
        public List<Throwable> failures() {
            return new ArrayList<>(server.failures());
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
