package io.aioduct.testing;

import io.aioduct.HttpVersion;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The runtime x protocol matrix's server: {@link TestServer} (HTTP/1.1) or {@link H2TestServer} (HTTP/2), in
 * cleartext or over TLS, behind one interface, so a behaviour test is written once and runs on every
 * {@link Protocol}. {@link Protocol#start} starts the server, {@link Protocol#config} gives the engine settings
 * that reach it, {@link #everyRuntimeAndProtocol} is the JUnit parameter source. Where the protocols differ on
 * the wire (how an abandoned exchange ends, interim responses, reason phrases) the methods say so.
 *
 * <p>Threading: a {@link Responder} runs on the server's loop; the rest is called from the test thread. The
 * test closes the server and checks {@link #failures} afterwards.
 */
public interface MatrixServer extends AutoCloseable {

    /** How the client speaks to the server: which server, which engine settings, which version results. */
    enum Protocol {
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

        /** Starts a fresh server speaking this protocol on 127.0.0.1 (TLS servers present {@code localhost}). */
        public MatrixServer start() {
            return switch (this) {
                case HTTP11 -> new Http1MatrixServer(TestServer.start());
                case HTTP11_TLS -> new Http1MatrixServer(TestServer.startTls(TlsMaterial.shared()));
                case H2C -> new Http2MatrixServer(H2TestServer.start());
                case H2_TLS -> new Http2MatrixServer(H2TestServer.startTls(TlsMaterial.shared()));
            };
        }

        /**
         * Engine settings that reach this protocol's server: the defaults (h2 offered by ALPN over TLS, HTTP/1.1
         * in cleartext), prior knowledge for h2c, trust in the test CA, {@code localhost} resolved to loopback.
         * Tests add their own listener or resolver through {@link EngineConfig#toBuilder}.
         */
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

        public HttpVersion version() {
            return h2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1;
        }
    }

    /** Every runtime with every protocol, as JUnit arguments {@code (RuntimeKind, Protocol)}. */
    static Stream<Arguments> everyRuntimeAndProtocol() {
        return everyRuntimeAnd(Protocol.values());
    }

    /** Every runtime with each of {@code protocols}, as JUnit arguments {@code (RuntimeKind, Protocol)}. */
    static Stream<Arguments> everyRuntimeAnd(Protocol... protocols) {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Protocol protocol : protocols) {
                out.add(Arguments.of(kind, protocol));
            }
        }
        return out.stream();
    }

    String uri(String path);

    String host();

    int port();

    /** Answers requests whose path starts with {@code prefix}, once the whole request has arrived. */
    void route(String prefix, Responder responder);

    /**
     * Answers requests under {@code prefix} with {@code responder} once complete, and first hands the head of
     * one that expects 100-continue to {@code onHead}, before its body is read: it may send {@link
     * Reply#interim} responses, answer at once (the body is then not needed) or stay silent. (HTTP/1.1: the
     * server has one such head handler, whatever the path.)
     */
    void routeExpectingContinue(String prefix, Responder onHead, Responder responder);

    RecordedRequest takeRequest();

    int requestCount();

    /** TCP connections accepted since start. */
    int connectionsAccepted();

    /**
     * Waits until the client has given up on {@code exchanges} exchanges in the way its protocol requires:
     * HTTP/1.1 closes the exchange's connection, HTTP/2 resets the stream (RST_STREAM CANCEL) and keeps the
     * connection, which other streams may share (no GOAWAY, no close).
     */
    void awaitAbandoned(int exchanges);

    /** As {@link #awaitAbandoned}, or HTTP/2 may have closed the connection instead of resetting streams. */
    void awaitAbandonedOrClosed(int exchanges);

    /**
     * Waits until the client ended {@code exchanges} exchanges whose request body it skipped (a final response
     * came first), each the way its protocol does: HTTP/1.1 closes the connection (one connection each),
     * HTTP/2 resets the stream with NO_ERROR and keeps its one connection.
     */
    void awaitSkipped(int exchanges);

    List<Throwable> failures();

    @Override
    void close();

    @FunctionalInterface
    interface Responder {
        void respond(RecordedRequest request, Reply reply);
    }

    /** One request's answer. */
    interface Reply {
        /**
         * A complete response ({@code name, value, ...} headers first) with a Content-Length unless the headers
         * name one; over HTTP/2 a 204 or 304 goes without one (RFC 9110 sections 8.6 and 15.4.5).
         */
        void respond(int status, byte[] body, String... headerNameValuePairs);

        /** A complete UTF-8 {@code text/plain} response. */
        default void respond(int status, String body) {
            respond(status, body.getBytes(StandardCharsets.UTF_8), "Content-Type", "text/plain; charset=utf-8");
        }

        /** A complete response without a length: HTTP/1.1 chunked, HTTP/2 DATA frames, one per piece. */
        void respondChunked(int status, List<byte[]> pieces, String... headerNameValuePairs);

        /**
         * The head now, the body later through the writer: with a Content-Length of {@code length}, or with
         * none if it is negative (HTTP/1.1 chunked, HTTP/2 DATA frames until {@link Writer#end}).
         */
        Writer respondStreaming(int status, long length, String... headerNameValuePairs);

        /** A 204 with only the given headers (no Content-Length, no body). */
        void noContent(String... headerNameValuePairs);

        /**
         * A complete text response whose HTTP/1.1 status line carries {@code reason} as given ("" leaves the
         * phrase empty after the space, null leaves out the space too); HTTP/2 has no reason phrase to send.
         */
        void respondWithReason(int status, @Nullable String reason, String body);

        /** An interim (1xx) response ({@code name, value, ...} fields); the final one must follow. */
        void interim(int status, String... headerNameValuePairs);

        /** Request body bytes received so far. */
        int bodyBytesReceived();

        /** Runs {@code action} on the server's loop after {@code delay}. */
        void later(Duration delay, Runnable action);

        /** Never answers. */
        void stall();
    }

    /** A body sent piece by piece. */
    interface Writer {
        /** Completes once the piece reached the socket (HTTP/2: once the client's window let it go). */
        CompletableFuture<Void> write(byte[] piece);

        void end();
    }
}
