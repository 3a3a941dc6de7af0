package io.aioduct.bench.load;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.Decompression;
import io.aioduct.policy.RedirectPolicy;
import io.aioduct.pool.PoolConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.spring.http.AioductClientHttpRequestFactory;
import io.netty.buffer.Unpooled;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.resources.ConnectionProvider;

/**
 * Every contender by name, each configured the same way where the client allows: up to {@code
 * maxConnections} connections to the one origin (one for h2c, where all streams share a connection),
 * unlimited waiting requests, otherwise the client's defaults (threads as its defaults give on one CPU).
 */
public final class Contenders {
    /** A contender factory: protocol and connection limit in, a started client out. */
    public interface Factory {
        Contender create(Protocol protocol, int maxConnections) throws Exception;
    }

    private record Entry(Factory factory, List<Protocol> protocols) {}

    /**
     * The HTTP/2 stream window given to contenders whose default is the protocol's 64 KiB (Reactor Netty,
     * Helidon, Apache): aioduct's default, so that no client is measured waiting for WINDOW_UPDATEs its
     * configuration could have avoided. OkHttp (16 MiB) and Jetty (8 MiB) keep their larger defaults.
     */
    static final int H2_STREAM_WINDOW = 2 * 1024 * 1024;

    private static final Map<String, Entry> ALL = new LinkedHashMap<>();

    static {
        ALL.put(
                "aioduct-pooled",
                new Entry(
                        (p, max) -> new AioductAsync(Aioduct.pooled(aioduct(p, max)), max),
                        List.of(Protocol.H1, Protocol.H2C)));
        ALL.put(
                "aioduct-io-uring",
                new Entry(
                        (p, max) -> new AioductAsync(Aioduct.ioUring(aioduct(p, max)), max),
                        List.of(Protocol.H1, Protocol.H2C)));
        ALL.put(
                "aioduct-virtual",
                new Entry(
                        (p, max) -> new AioductBlocking(Aioduct.virtualThreads(aioduct(p, max))),
                        List.of(Protocol.H1, Protocol.H2C)));
        ALL.put("reactor-netty", new Entry(ReactorNetty::new, List.of(Protocol.H1, Protocol.H2C)));
        ALL.put("jdk", new Entry(Jdk::new, List.of(Protocol.H1)));
        ALL.put("apache5-async", new Entry(Apache::new, List.of(Protocol.H1, Protocol.H2C)));
        ALL.put("jetty12", new Entry(Jetty::new, List.of(Protocol.H1, Protocol.H2C)));
        ALL.put("helidon4", new Entry(Helidon::new, List.of(Protocol.H1, Protocol.H2C)));
        ALL.put("okhttp4", new Entry(OkHttp::new, List.of(Protocol.H1, Protocol.H2C)));
        // Spring's RestClient on each request factory (blocking, HTTP/1.1).
        ALL.put(
                "spring-aioduct-virtual",
                new Entry((p, max) -> spring(p, "aioduct-virtual", max), List.of(Protocol.H1)));
        ALL.put("spring-aioduct-pooled", new Entry((p, max) -> spring(p, "aioduct-pooled", max), List.of(Protocol.H1)));
        ALL.put("spring-jdk", new Entry((p, max) -> spring(p, "jdk", max), List.of(Protocol.H1)));
        ALL.put("spring-reactor", new Entry((p, max) -> spring(p, "reactor", max), List.of(Protocol.H1)));
        ALL.put("spring-jetty", new Entry((p, max) -> spring(p, "jetty", max), List.of(Protocol.H1)));
        ALL.put("spring-httpcomponents", new Entry((p, max) -> spring(p, "httpcomponents", max), List.of(Protocol.H1)));
    }

    private Contenders() {}

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    public static boolean supports(String name, Protocol protocol) {
        Entry e = ALL.get(name);
        return e != null && e.protocols().contains(protocol);
    }

    public static Contender create(String name, Protocol protocol, int maxConnections) throws Exception {
        Entry e = ALL.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown contender '" + name + "'; known: " + ALL.keySet());
        }
        if (!e.protocols().contains(protocol)) {
            throw new IllegalArgumentException(name + " does not speak " + protocol + " here");
        }
        return e.factory().create(protocol, maxConnections);
    }

    static EngineConfig aioduct(Protocol p, int max) {
        return EngineConfig.builder()
                .http2(
                        p == Protocol.H2C
                                ? Http2Options.DEFAULT.withPriorKnowledge(true).withMaxConnectionsPerOrigin(1)
                                : Http2Options.DISABLED)
                .pool(PoolConfig.DEFAULT
                        .withMaxConnectionsPerOrigin(max)
                        .withMaxIdlePerOrigin(max)
                        .withMaxPendingAcquires(Math.max(65_536, max))
                        .withIdleTimeout(Duration.ofMinutes(10)))
                .build();
    }

    private static AioductClient aioductClient(HttpEngine engine) {
        // -Daioduct.bench.decompression=off measures the client without its default decompression.
        Decompression decompression =
                System.getProperty("aioduct.bench.decompression", "on").equals("off")
                        ? Decompression.off()
                        : Decompression.defaults();
        // -Daioduct.bench.redirects=never measures it without the policy chain a default client runs.
        RedirectPolicy redirects =
                System.getProperty("aioduct.bench.redirects", "normal").equals("never")
                        ? RedirectPolicy.never()
                        : RedirectPolicy.normal();
        return AioductClient.builder(engine)
                .maxBufferedBodyBytes(16L << 20)
                .decompression(decompression)
                .redirects(redirects)
                .build();
    }

    private static Request aioductRequest(AioductClient client, Call call) {
        Request.Builder b = call.method().equals("GET")
                ? client.get(call.uri())
                : client.method("POST", call.uri()).body(RequestBody.ofBytes(call.body()));
        if (call.closeConnection()) {
            b.header("Connection", "close");
        }
        return b.build();
    }

    /** aioduct's asynchronous API: send, then read the body without blocking. */
    static final class AioductAsync implements Contender {
        private final HttpEngine engine;
        private final AioductClient client;

        AioductAsync(HttpEngine engine, int max) {
            this.engine = engine;
            this.client = aioductClient(engine);
        }

        @Override
        public Mode mode() {
            return Mode.ASYNC;
        }

        @Override
        public void send(Call call, Done done) {
            client.send(aioductRequest(client, call))
                    .thenCompose(r -> r.body().bytesAsync())
                    .whenComplete((b, e) -> done.done(b == null ? 0 : b.length, e));
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    /** aioduct on its virtual-thread runtime, used as designed: blocking calls from virtual threads. */
    static final class AioductBlocking implements Contender {
        private final HttpEngine engine;
        private final AioductClient client;

        AioductBlocking(HttpEngine engine) {
            this.engine = engine;
            this.client = aioductClient(engine);
        }

        @Override
        public Mode mode() {
            return Mode.BLOCKING_VIRTUAL;
        }

        @Override
        public long call(Call call) {
            try (Response r = client.execute(aioductRequest(client, call))) {
                return r.body().bytes().length;
            }
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    static final class ReactorNetty implements Contender {
        private final ConnectionProvider provider;
        private final reactor.netty.http.client.HttpClient client;

        ReactorNetty(Protocol p, int max) {
            provider = ConnectionProvider.builder("bench")
                    .maxConnections(p == Protocol.H2C ? 1 : max)
                    .pendingAcquireMaxCount(-1)
                    .maxIdleTime(Duration.ofMinutes(10))
                    .build();
            client = reactor.netty.http.client.HttpClient.create(provider)
                    .protocol(p == Protocol.H2C ? HttpProtocol.H2C : HttpProtocol.HTTP11)
                    // The stream window every HTTP/2 contender is given (aioduct's default); Netty's codec
                    // widens the connection window to match. At Netty's 64 KiB default a 64 KiB response
                    // waits a round trip for a WINDOW_UPDATE and 64 streams share 64 KiB of connection window.
                    .http2Settings(h2 -> h2.initialWindowSize(H2_STREAM_WINDOW));
        }

        @Override
        public Mode mode() {
            return Mode.ASYNC;
        }

        @Override
        public void send(Call call, Done done) {
            reactor.netty.http.client.HttpClient c =
                    call.closeConnection() ? client.headers(h -> h.set("Connection", "close")) : client;
            Mono<byte[]> body;
            if (call.method().equals("GET")) {
                body = c.get().uri(call.uri()).responseSingle((res, content) -> content.asByteArray());
            } else {
                byte[] bytes = call.body();
                body = c.post()
                        .uri(call.uri())
                        .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(bytes)))
                        .responseSingle((res, content) -> content.asByteArray());
            }
            body.subscribe(b -> done.done(b.length, null), e -> done.done(0, e));
        }

        @Override
        public void close() {
            provider.disposeLater().block(Duration.ofSeconds(10));
        }
    }

    static final class Jdk implements Contender {
        private final HttpClient client;

        Jdk(Protocol p, int max) {
            client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        }

        @Override
        public Mode mode() {
            return Mode.ASYNC;
        }

        @Override
        public void send(Call call, Done done) {
            HttpRequest.Builder b = HttpRequest.newBuilder(call.uri());
            if (call.method().equals("POST")) {
                b.POST(HttpRequest.BodyPublishers.ofByteArray(call.body()));
            }
            if (call.closeConnection()) {
                b.header("Connection", "close");
            }
            client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
                    .whenComplete((r, e) -> done.done(r == null ? 0 : r.body().length, e));
        }

        @Override
        public void close() {
            client.close();
        }
    }

    static final class Apache implements Contender {
        private final CloseableHttpAsyncClient client;

        Apache(Protocol p, int max) {
            if (p == Protocol.H2C) {
                client = HttpAsyncClients.customHttp2()
                        .setH2Config(org.apache.hc.core5.http2.config.H2Config.custom()
                                .setInitialWindowSize(H2_STREAM_WINDOW)
                                .build())
                        .build();
            } else {
                client = HttpAsyncClients.custom()
                        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                                .setMaxConnTotal(max)
                                .setMaxConnPerRoute(max)
                                .build())
                        .build();
            }
            client.start();
        }

        @Override
        public Mode mode() {
            return Mode.ASYNC;
        }

        @Override
        public void send(Call call, Done done) {
            SimpleRequestBuilder b = call.method().equals("GET")
                    ? SimpleRequestBuilder.get(call.uri())
                    : SimpleRequestBuilder.post(call.uri()).setBody(call.body(), ContentType.APPLICATION_OCTET_STREAM);
            if (call.closeConnection()) {
                b.addHeader("Connection", "close");
            }
            SimpleHttpRequest request = b.build();
            client.execute(request, new FutureCallback<SimpleHttpResponse>() {
                @Override
                public void completed(SimpleHttpResponse result) {
                    byte[] body = result.getBodyBytes();
                    done.done(body == null ? 0 : body.length, null);
                }

                @Override
                public void failed(Exception ex) {
                    done.done(0, ex);
                }

                @Override
                public void cancelled() {
                    done.done(0, new IllegalStateException("cancelled"));
                }
            });
        }

        @Override
        public void close() throws Exception {
            client.close();
        }
    }

    static final class Jetty implements Contender {
        private final org.eclipse.jetty.client.HttpClient client;

        Jetty(Protocol p, int max) throws Exception {
            client = p == Protocol.H2C
                    ? new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()))
                    : new org.eclipse.jetty.client.HttpClient();
            client.setMaxConnectionsPerDestination(p == Protocol.H2C ? 1 : max);
            client.setMaxRequestsQueuedPerDestination(1 << 20);
            client.start();
        }

        @Override
        public Mode mode() {
            return Mode.ASYNC;
        }

        @Override
        public void send(Call call, Done done) {
            org.eclipse.jetty.client.Request r = client.newRequest(call.uri()).method(call.method());
            if (call.body() != null) {
                r.body(new BytesRequestContent(call.body()));
            }
            if (call.closeConnection()) {
                r.headers(h -> h.put("Connection", "close"));
            }
            r.send(new BufferingResponseListener(16 << 20) {
                @Override
                public void onComplete(Result result) {
                    if (result.isFailed()) {
                        done.done(0, result.getFailure());
                    } else {
                        done.done(getContent().length, null);
                    }
                }
            });
        }

        @Override
        public void close() throws Exception {
            client.stop();
        }
    }

    /**
     * Helidon's WebClient is blocking by design (made for virtual threads). For h2c its HTTP/2 client,
     * with prior knowledge (the general WebClient would try an upgrade, which nginx does not do).
     */
    static final class Helidon implements Contender {
        private final io.helidon.webclient.api.HttpClient<?> client;
        private final AutoCloseable closer;

        Helidon(Protocol p, int max) {
            if (p == Protocol.H2C) {
                var c = io.helidon.webclient.http2.Http2Client.builder()
                        .shareConnectionCache(false)
                        .protocolConfig(io.helidon.webclient.http2.Http2ClientProtocolConfig.builder()
                                .priorKnowledge(true)
                                // the same stream window as every other HTTP/2 contender (Helidon's default
                                // is 64 KiB, with a 100 ms wait whenever a stream's window runs out)
                                .initialWindowSize(H2_STREAM_WINDOW)
                                .build())
                        .build();
                client = c;
                closer = c::closeResource;
            } else {
                var c = io.helidon.webclient.api.WebClient.builder()
                        .shareConnectionCache(false)
                        .connectionCacheSize(max)
                        .addProtocolPreference(List.of("http/1.1"))
                        .build();
                client = c;
                closer = c::closeResource;
            }
        }

        @Override
        public Mode mode() {
            return Mode.BLOCKING_VIRTUAL;
        }

        @Override
        public long call(Call call) {
            var req = call.method().equals("GET") ? client.get() : client.post();
            req.uri(call.uri());
            if (call.closeConnection()) {
                req.header(io.helidon.http.HeaderNames.CONNECTION, "close");
            }
            byte[] body = call.method().equals("GET")
                    ? req.requestEntity(byte[].class)
                    : req.submit(call.body(), byte[].class).entity();
            return body.length;
        }

        @Override
        public void close() throws Exception {
            closer.close();
        }
    }

    /** OkHttp: blocking calls from virtual threads (its async API is a thread pool around the same). */
    static final class OkHttp implements Contender {
        private final okhttp3.OkHttpClient client;

        OkHttp(Protocol p, int max) {
            client = new okhttp3.OkHttpClient.Builder()
                    .connectionPool(new okhttp3.ConnectionPool(max, 10, TimeUnit.MINUTES))
                    .protocols(
                            p == Protocol.H2C
                                    ? List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE)
                                    : List.of(okhttp3.Protocol.HTTP_1_1))
                    .build();
        }

        @Override
        public Mode mode() {
            return Mode.BLOCKING_VIRTUAL;
        }

        @Override
        public long call(Call call) throws Exception {
            okhttp3.Request.Builder b =
                    new okhttp3.Request.Builder().url(call.uri().toString());
            if (call.body() != null) {
                b.post(okhttp3.RequestBody.create(call.body(), null));
            }
            if (call.closeConnection()) {
                b.header("Connection", "close");
            }
            try (okhttp3.Response r = client.newCall(b.build()).execute()) {
                return r.body().bytes().length;
            }
        }

        @Override
        public void close() {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    static Contender spring(Protocol p, String factoryName, int max) {
        AutoCloseable owned = () -> {};
        ClientHttpRequestFactory factory;
        switch (factoryName) {
            case "aioduct-virtual", "aioduct-pooled" -> {
                HttpEngine engine = factoryName.equals("aioduct-virtual")
                        ? Aioduct.virtualThreads(aioduct(p, max))
                        : Aioduct.pooled(aioduct(p, max));
                owned = engine;
                factory = new AioductClientHttpRequestFactory(aioductClient(engine));
            }
            case "jdk" -> factory = ClientHttpRequestFactoryBuilder.jdk().build();
            case "reactor" -> {
                // The same pool as the reactor-netty contender. Left to Boot's default, HttpClient.create()
                // takes Reactor Netty's global provider: max(CPUs, 8) * 2 = 16 connections on the one
                // client core, so 64 requests in flight queued for 16 connections while every other
                // contender had 64 (the 2026-11-22 run measured that).
                ConnectionProvider provider = ConnectionProvider.builder("bench-spring")
                        .maxConnections(max)
                        .pendingAcquireMaxCount(-1)
                        .maxIdleTime(Duration.ofMinutes(10))
                        .build();
                owned = () -> provider.disposeLater().block(Duration.ofSeconds(10));
                factory = ClientHttpRequestFactoryBuilder.reactor()
                        .withHttpClientFactory(() -> reactor.netty.http.client.HttpClient.create(provider))
                        .build();
            }
            case "jetty" ->
                factory = ClientHttpRequestFactoryBuilder.jetty()
                        .withHttpClientCustomizer(c -> c.setMaxConnectionsPerDestination(max))
                        .build();
            case "httpcomponents" ->
                factory = ClientHttpRequestFactoryBuilder.httpComponents()
                        .withConnectionManagerCustomizer(
                                m -> m.setMaxConnTotal(max).setMaxConnPerRoute(max))
                        .build();
            default -> throw new IllegalArgumentException("unknown Spring factory " + factoryName);
        }
        return new SpringRestClient(RestClient.builder().requestFactory(factory).build(), factory, owned);
    }

    /** Spring's RestClient, blocking, from virtual threads. */
    static final class SpringRestClient implements Contender {
        private final RestClient client;
        private final ClientHttpRequestFactory factory;
        private final AutoCloseable owned;

        SpringRestClient(RestClient client, ClientHttpRequestFactory factory, AutoCloseable owned) {
            this.client = client;
            this.factory = factory;
            this.owned = owned;
        }

        @Override
        public Mode mode() {
            return Mode.BLOCKING_VIRTUAL;
        }

        @Override
        public long call(Call call) {
            byte[] body = call.method().equals("GET")
                    ? client.get().uri(call.uri()).retrieve().body(byte[].class)
                    : client.post().uri(call.uri()).body(call.body()).retrieve().body(byte[].class);
            return body == null ? 0 : body.length;
        }

        @Override
        public void close() throws Exception {
            if (factory instanceof AutoCloseable c) {
                c.close();
            }
            owned.close();
        }
    }
}
