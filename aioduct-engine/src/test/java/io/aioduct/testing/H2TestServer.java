package io.aioduct.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process HTTP/2 server for the engine's tests, built on Netty's HTTP/2 codec: h2c with prior
 * knowledge ({@link #start()}) or h2 over TLS with ALPN ({@link #startTls}), where a client that
 * negotiates {@code http/1.1} instead is served by {@link #http1()}, an ordinary {@link TestServer}.
 * It records every request (see {@link RecordedRequest#streamId()}), every RST_STREAM, GOAWAY and
 * SETTINGS the client sends, counts connections and concurrent streams, and answers through
 * {@link H2Handler}s that have full control of the stream and the wire (see {@link H2ServerExchange}).
 *
 * <pre>{@code
 * try (H2TestServer server = H2TestServer.builder().maxConcurrentStreams(2).start()) {
 *     server.route("/hello", (request, exchange) -> exchange.respond(200, "hi"));
 *     // ... drive an HTTP/2 client (prior knowledge) against server.uri("/hello") ...
 *     assertThat(server.takeRequest().header(":authority")).isEqualTo("127.0.0.1:" + server.port());
 * }
 * }</pre>
 *
 * <p>One event loop thread (named {@code test-server-*}) serves the listening socket and all
 * connections; {@link #close()} closes everything (and {@link #http1()}) and waits until that thread
 * has ended. All query methods are safe to call from any thread.
 */
public final class H2TestServer implements AutoCloseable {

    static final Logger LOG = LoggerFactory.getLogger(H2TestServer.class);

    private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(5);
    private static final H2Handler NO_ROUTE = (request, exchange) -> exchange.respond(404, "no route");

    /** An RST_STREAM the client sent. */
    public record ReceivedReset(int connectionId, int streamId, long errorCode) {}

    /** A GOAWAY the client sent, its debug data decoded as UTF-8. */
    public record ReceivedGoAway(int connectionId, int lastStreamId, long errorCode, String debugData) {}

    /** A SETTINGS frame (not an ACK) the client sent. */
    public record ReceivedSettings(int connectionId, Http2Settings settings) {}

    private record Route(H2Handler handler, boolean onHeaders) {}

    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final InetSocketAddress address;
    private final Http2Settings settings;
    private final @Nullable SslContext sslContext;
    private final @Nullable TestServer http1;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final AtomicInteger connectionIds = new AtomicInteger();
    private final Map<Integer, Channel> connections = new ConcurrentHashMap<>();
    private final AtomicInteger streamsOpened = new AtomicInteger();
    private final AtomicInteger streamsRefused = new AtomicInteger();
    private final AtomicInteger peakConcurrentStreams = new AtomicInteger();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();
    private final List<ReceivedReset> resets = new CopyOnWriteArrayList<>();
    private final List<ReceivedGoAway> goAways = new CopyOnWriteArrayList<>();
    private final List<ReceivedSettings> clientSettings = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private volatile H2Handler defaultHandler = NO_ROUTE;

    private H2TestServer(Builder builder) {
        this.settings = builder.settings();
        this.sslContext = builder.sslContext;
        this.http1 = sslContext != null && builder.http11OverTls ? TestServer.start(builder.bindAddress) : null;
        ThreadFactory names = new DefaultThreadFactory("test-server", true);
        ThreadFactory recording = runnable -> {
            Thread thread = names.newThread(runnable);
            threads.add(thread);
            return thread;
        };
        group = new MultiThreadIoEventLoopGroup(1, recording, NioIoHandler.newFactory());
        try {
            serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accept(ch);
                        }
                    })
                    .bind(new InetSocketAddress(builder.bindAddress, 0))
                    .syncUninterruptibly()
                    .channel();
            address = (InetSocketAddress) serverChannel.localAddress();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            if (http1 != null) {
                http1.close();
            }
            throw e;
        }
    }

    /** Starts an h2c (prior knowledge) server on 127.0.0.1 and an ephemeral port, default settings. */
    public static H2TestServer start() {
        return builder().start();
    }

    /**
     * Starts an h2 server over TLS on 127.0.0.1 presenting {@link TlsMaterial#localhost()}, ALPN offering
     * {@code h2} then {@code http/1.1} (served by {@link #http1()}).
     */
    public static H2TestServer startTls(TlsMaterial tls) {
        return builder().tls(tls).start();
    }

    /** A builder for a server with non-default SETTINGS, address or TLS. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- addresses ----

    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The host as it goes in a URI: {@code 127.0.0.1}, {@code [::1]}, or {@code localhost} for TLS on 127.0.0.1. */
    public String host() {
        return TestServer.uriHost(address, isTls());
    }

    /** Whether this server speaks TLS (h2 with ALPN) rather than h2c. */
    public boolean isTls() {
        return sslContext != null;
    }

    /** {@code http://127.0.0.1:port} or {@code https://localhost:port}, plus {@code path}. */
    public String uri(String path) {
        return (isTls() ? "https://" : "http://") + host() + ":" + port()
                + (path.startsWith("/") || path.isEmpty() ? "" : "/") + path;
    }

    /** {@link #uri(String)} as a {@link URI}. */
    public URI toUri(String path) {
        return URI.create(uri(path));
    }

    /** The SETTINGS this server sends first on every connection. */
    public Http2Settings settings() {
        Http2Settings copy = new Http2Settings();
        copy.putAll(settings);
        return copy;
    }

    /**
     * The HTTP/1.1 server answering connections that negotiate {@code http/1.1} over this server's TLS
     * port (its routes, requests and failures are its own; its own {@code uri()}s point at a separate
     * cleartext listener). Fails when this server has no TLS or was built without HTTP/1.1.
     */
    public TestServer http1() {
        if (http1 == null) {
            throw new IllegalStateException("this server offers no http/1.1 (it needs TLS with http11OverTls)");
        }
        return http1;
    }

    // ---- routing ----

    /** Sets the handler for every request no route matches (by default: 404 "no route"). */
    public H2TestServer handle(H2Handler handler) {
        defaultHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /** Sets the handler for paths starting with {@code pathPrefix}, run once the whole request arrived. */
    public H2TestServer route(String pathPrefix, H2Handler handler) {
        routes.put(pathPrefix, new Route(Objects.requireNonNull(handler, "handler"), false));
        return this;
    }

    /**
     * Sets the handler for paths starting with {@code pathPrefix}, run as soon as the request's HEADERS
     * arrived (to answer early, reset mid-upload or {@linkplain H2ServerExchange#stallWindow stall} it).
     * The longest matching prefix among all routes wins.
     */
    public H2TestServer routeOnHeaders(String pathPrefix, H2Handler handler) {
        routes.put(pathPrefix, new Route(Objects.requireNonNull(handler, "handler"), true));
        return this;
    }

    // ---- recorded traffic ----

    /** The oldest complete request not yet taken; waits up to 5 s, then fails with an {@link AssertionError}. */
    public RecordedRequest takeRequest() {
        return takeRequest(TAKE_TIMEOUT);
    }

    /** The oldest complete request not yet taken; waits up to {@code timeout}, then fails. */
    public RecordedRequest takeRequest(Duration timeout) {
        try {
            RecordedRequest request = untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (request == null) {
                throw new AssertionError("no request arrived within " + timeout + " (" + requestCount()
                        + " received in all, all taken)");
            }
            return request;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a request", e);
        }
    }

    /** Every complete request received so far, oldest first (taken or not). */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    /** Every RST_STREAM the client sent, oldest first. */
    public List<ReceivedReset> resetsReceived() {
        return List.copyOf(resets);
    }

    /** Every GOAWAY the client sent, oldest first. */
    public List<ReceivedGoAway> goAwaysReceived() {
        return List.copyOf(goAways);
    }

    /** Every SETTINGS frame the client sent (ACKs excluded), oldest first. */
    public List<ReceivedSettings> settingsReceived() {
        return List.copyOf(clientSettings);
    }

    /**
     * Exceptions thrown by handlers or scheduled actions, and connection errors the client caused
     * (a frame or header block the server had to answer with GOAWAY).
     */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    // ---- connections and streams ----

    /** TCP connections accepted since start, whatever protocol they ended up speaking. */
    public int connectionsAccepted() {
        return connectionIds.get();
    }

    /** TCP connections currently open. */
    public int openConnections() {
        return connections.size();
    }

    /** Request streams opened by clients since start, over all connections. */
    public int streamsOpened() {
        return streamsOpened.get();
    }

    /** Streams refused with REFUSED_STREAM because they exceeded {@code maxConcurrentStreams}. */
    public int streamsRefused() {
        return streamsRefused.get();
    }

    /** The most streams ever active at once on a single connection. */
    public int peakConcurrentStreams() {
        return peakConcurrentStreams.get();
    }

    /** Waits until exactly {@code expected} connections are open; fails with the actual count on timeout. */
    public void awaitOpenConnections(int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (openConnections() != expected) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected " + expected + " open connections within " + timeout + " but "
                        + openConnections() + " are open");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /**
     * Closes every open connection, busy or not (an HTTP/2 one with a GOAWAY NO_ERROR first), and waits
     * until they are closed. Returns how many it closed.
     */
    public int closeAllConnections() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel channel : connections.values()) {
            if (channel.isOpen()) {
                closing.add(channel.close());
            }
        }
        for (ChannelFuture future : closing) {
            try {
                future.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new AssertionError("could not close a connection", e);
            }
        }
        return closing.size();
    }

    /** Closes all connections and the listening socket, and waits for the event loop thread to end. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            serverChannel.close().syncUninterruptibly();
            // Wait for each close: Netty's HTTP/2 handler may defer it to a task that shutting the loop
            // down would cancel, leaving the socket open under a client still reading it.
            for (Channel channel : connections.values()) {
                channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            for (Thread thread : threads) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            if (http1 != null) {
                http1.close();
            }
        }
    }

    @Override
    public String toString() {
        return "H2TestServer[" + uri("") + ", " + requestCount() + " requests, " + openConnections() + " open]";
    }

    // ---- package-private, called on the event loop ----

    void recordFailure(Throwable failure) {
        LOG.warn("h2 test server failure", failure);
        failures.add(failure);
    }

    void recordReset(ReceivedReset reset) {
        resets.add(reset);
    }

    void recordGoAway(ReceivedGoAway goAway) {
        goAways.add(goAway);
    }

    void recordSettings(ReceivedSettings received) {
        clientSettings.add(received);
    }

    void streamActive(int activeOnConnection) {
        streamsOpened.incrementAndGet();
        peakConcurrentStreams.accumulateAndGet(activeOnConnection, Math::max);
    }

    void streamRefused() {
        streamsRefused.incrementAndGet();
    }

    /** A request's HEADERS arrived: an on-headers route runs now. */
    void requestStarted(RecordedRequest head, H2ServerExchange exchange) {
        Route route = routeFor(head.path());
        if (route.onHeaders()) {
            dispatch(route.handler(), head, exchange);
        }
    }

    /** A request's END_STREAM arrived: record it; a normal route runs now. */
    void requestCompleted(RecordedRequest request, H2ServerExchange exchange) {
        requests.add(request);
        untaken.add(request);
        exchange.requestCompleted(request);
        Route route = routeFor(request.path());
        if (!route.onHeaders()) {
            dispatch(route.handler(), request, exchange);
        }
    }

    private void dispatch(H2Handler handler, RecordedRequest request, H2ServerExchange exchange) {
        try {
            handler.handle(request, exchange);
        } catch (Throwable t) {
            recordFailure(t);
            exchange.failed(t);
        }
    }

    private Route routeFor(String path) {
        String best = null;
        for (String prefix : routes.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        Route route = best == null ? null : routes.get(best);
        return route == null ? new Route(defaultHandler, false) : route;
    }

    private void accept(SocketChannel ch) {
        int id = connectionIds.incrementAndGet();
        connections.put(id, ch);
        ch.closeFuture().addListener(f -> connections.remove(id));
        SslContext tls = sslContext;
        if (tls == null) {
            H2Connection.install(this, ch, id, settings);
            return;
        }
        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        ch.pipeline().addLast("alpn", new Negotiation(ch, id));
    }

    /** Picks the pipeline by the ALPN outcome; no ALPN at all counts as {@code http/1.1}. */
    private final class Negotiation extends ApplicationProtocolNegotiationHandler {
        private final SocketChannel channel;
        private final int id;

        Negotiation(SocketChannel channel, int id) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.channel = channel;
            this.id = id;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                H2Connection.install(H2TestServer.this, channel, id, settings);
            } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol) && http1 != null) {
                http1.adopt(channel);
            } else {
                LOG.debug("connection {} negotiated {}, which this server does not serve; closing", id, protocol);
                ctx.close();
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            // The client rejected our certificate or we rejected its: the test is about exactly that.
            LOG.debug("connection {} TLS handshake failed: {}", id, cause.toString());
            ctx.close();
        }
    }

    /**
     * Configures an {@link H2TestServer}: SETTINGS sent on every connection, bind address and TLS. Values
     * left unset keep Netty's defaults (no stream limit, 64 KiB - 1 windows, 16 KiB frames, 8 KiB header
     * lists).
     */
    public static final class Builder {
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private final Http2Settings overrides = new Http2Settings();
        private @Nullable SslContext sslContext;
        private boolean http11OverTls = true;

        private Builder() {}

        public Builder bindAddress(InetAddress address) {
            bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond it are refused with REFUSED_STREAM. */
        public Builder maxConcurrentStreams(long max) {
            overrides.maxConcurrentStreams(max);
            return this;
        }

        /** SETTINGS_INITIAL_WINDOW_SIZE: how much request body per stream the client may send unacknowledged. */
        public Builder initialWindowSize(int size) {
            overrides.initialWindowSize(size);
            return this;
        }

        /** SETTINGS_MAX_FRAME_SIZE: the largest frame payload the client may send (16384 to 2^24-1). */
        public Builder maxFrameSize(int size) {
            overrides.maxFrameSize(size);
            return this;
        }

        /** SETTINGS_MAX_HEADER_LIST_SIZE: larger request header lists are refused. */
        public Builder maxHeaderListSize(long size) {
            overrides.maxHeaderListSize(size);
            return this;
        }

        /** SETTINGS_HEADER_TABLE_SIZE: the HPACK dynamic table the client's encoder may use. */
        public Builder headerTableSize(long size) {
            overrides.headerTableSize(size);
            return this;
        }

        /** TLS presenting {@link TlsMaterial#localhost()}, ALPN {@code h2} then {@code http/1.1}. */
        public Builder tls(TlsMaterial tls) {
            return tls(tls.serverContext(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }

        /** TLS with any server context (other certificate, client auth, other ALPN list). */
        public Builder tls(SslContext context) {
            sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** Whether a TLS connection that negotiates {@code http/1.1} is served (by {@link #http1()}) or closed. */
        public Builder http11OverTls(boolean serve) {
            http11OverTls = serve;
            return this;
        }

        public H2TestServer start() {
            return new H2TestServer(this);
        }

        private Http2Settings settings() {
            Http2Settings settings = Http2Settings.defaultSettings();
            settings.putAll(overrides);
            return settings;
        }
    }
}
