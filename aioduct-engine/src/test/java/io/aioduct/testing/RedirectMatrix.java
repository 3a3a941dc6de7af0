package io.aioduct.testing;

import io.aioduct.HttpVersion;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The runtime x protocol matrix for the redirect tests, the minimum of {@code ProtocolMatrixTest}'s: a
 * {@link Protocol} starts {@link TestServer} or {@link H2TestServer} in cleartext or TLS behind one small
 * {@link Server} interface, and gives the engine settings that reach it.
 */
public final class RedirectMatrix {
    private RedirectMatrix() {}

    /** How the client speaks to the server. */
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

        /** Starts a fresh server speaking this protocol on 127.0.0.1 (TLS servers present {@code localhost}). */
        public Server start() {
            return switch (this) {
                case HTTP11 -> new H1(TestServer.start());
                case HTTP11_TLS -> new H1(TestServer.startTls(TlsMaterial.shared()));
                case H2C -> new H2(H2TestServer.start());
                case H2_TLS -> new H2(H2TestServer.startTls(TlsMaterial.shared()));
            };
        }

        /** Prior knowledge for h2c, trust in the test CA, {@code localhost} resolved to loopback. */
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
    public static Stream<Arguments> everyRuntimeAndProtocol() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Protocol protocol : Protocol.values()) {
                out.add(Arguments.of(kind, protocol));
            }
        }
        return out.stream();
    }

    /** A test server of one protocol. */
    public interface Server extends AutoCloseable {
        String uri(String path);

        int port();

        /** Answers requests whose path starts with {@code prefix}, once the whole request has arrived. */
        void route(String prefix, Responder responder);

        RecordedRequest takeRequest();

        int requestCount();

        /** TCP connections accepted since start. */
        int connectionsAccepted();

        List<Throwable> failures();

        @Override
        void close();
    }

    @FunctionalInterface
    public interface Responder {
        void respond(RecordedRequest request, Reply reply);
    }

    /** One request's answer. */
    public interface Reply {
        /** A complete response with a Content-Length ({@code name, value, ...} headers first). */
        void respond(int status, byte[] body, String... headerNameValuePairs);

        /** Never answers. */
        void stall();
    }

    private record H1(TestServer server) implements Server {
        @Override
        public String uri(String path) {
            return server.uri(path);
        }

        @Override
        public int port() {
            return server.port();
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
                        public void stall() {
                            ex.stall();
                        }
                    }));
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
        public List<Throwable> failures() {
            return server.failures();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private record H2(H2TestServer server) implements Server {
        @Override
        public String uri(String path) {
            return server.uri(path);
        }

        @Override
        public int port() {
            return server.port();
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
                        public void stall() {
                            ex.stall();
                        }
                    }));
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
        public List<Throwable> failures() {
            return server.failures();
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
