package io.aioduct.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process HTTP/1.1 server for the engine's tests, built on Netty. It records every request (see
 * {@link RecordedRequest}), answers through {@link Handler}s that have full control of the wire (see
 * {@link ServerExchange}), and exposes connection-level controls (count, close idle, idle timeout,
 * misbehave on accept) so tests can check pooling, retries and error handling of the client.
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start()) {
 *     server.route("/hello", (request, exchange) -> exchange.respond(200, "hi"));
 *     // ... drive the client against server.uri("/hello") ...
 *     assertThat(server.takeRequest().header("Host")).isEqualTo("127.0.0.1:" + server.port());
 * }
 * }</pre>
 *
 * <p>{@link #startTls} serves HTTP/1.1 over TLS (ALPN offering only {@code http/1.1}) with certificates
 * from {@link TlsMaterial}; {@link H2TestServer} hands it the connections that negotiate {@code http/1.1}.
 *
 * <p>One event loop thread (named {@code test-server-*}) serves the listening socket and all
 * connections; {@link #close()} waits until it has terminated. All query methods are safe to call from
 * any thread.
 */
public final class TestServer implements AutoCloseable {

    static final Logger LOG = LoggerFactory.getLogger(TestServer.class);

    private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(5);
    private static final Handler NO_ROUTE = (request, exchange) -> exchange.respond(404, "no route");

    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final InetSocketAddress address;
    private final @Nullable SslContext sslContext;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final AtomicInteger connectionIds = new AtomicInteger();
    private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private volatile Handler defaultHandler = NO_ROUTE;
    private volatile ConnectionAction connectAction = ConnectionAction.NORMAL;
    private final ConcurrentLinkedQueue<ConnectionAction> nextConnectActions = new ConcurrentLinkedQueue<>();
    private volatile @Nullable Duration idleTimeout;
    private volatile @Nullable Handler expectContinueHandler;

    private TestServer(InetAddress bindAddress, @Nullable SslContext sslContext) {
        this.sslContext = sslContext;
        ThreadFactory names = new DefaultThreadFactory("test-server", true);
        ThreadFactory recording = runnable -> {
            Thread thread = names.newThread(runnable);
            threads.add(thread);
            return thread;
        };
        group = new MultiThreadIoEventLoopGroup(1, recording, NioIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (sslContext != null) {
                                ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc()));
                            }
                            accept(ch);
                        }
                    });
            serverChannel = bootstrap
                    .bind(new InetSocketAddress(bindAddress, 0))
                    .syncUninterruptibly()
                    .channel();
            address = (InetSocketAddress) serverChannel.localAddress();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    /** Starts a server on 127.0.0.1 and an ephemeral port. */
    public static TestServer start() {
        return start(InetAddress.getLoopbackAddress());
    }

    /** Starts a server on {@code bindAddress} (e.g. {@code ::1}) and an ephemeral port. */
    public static TestServer start(InetAddress bindAddress) {
        return new TestServer(bindAddress, null);
    }

    /**
     * Starts an HTTP/1.1-over-TLS server on 127.0.0.1 presenting {@link TlsMaterial#localhost()}, ALPN
     * offering only {@code http/1.1}; its {@link #uri} is {@code https://localhost:port/...}.
     */
    public static TestServer startTls(TlsMaterial tls) {
        return startTls(InetAddress.getLoopbackAddress(), tls.serverContext(ApplicationProtocolNames.HTTP_1_1));
    }

    /** Starts an HTTP/1.1-over-TLS server on {@code bindAddress} with any server context (other certificates, mTLS). */
    public static TestServer startTls(InetAddress bindAddress, SslContext sslContext) {
        return new TestServer(bindAddress, sslContext);
    }

    // ---- addresses ----

    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    /**
     * The host as it goes in a URI: {@code 127.0.0.1}, or {@code [::1]} for IPv6; with TLS on 127.0.0.1,
     * {@code localhost} (the name the test certificate is for).
     */
    public String host() {
        return uriHost(address, sslContext != null);
    }

    /** Whether this server speaks TLS. */
    public boolean isTls() {
        return sslContext != null;
    }

    /** {@code http://host:port} + {@code path}, e.g. {@code http://127.0.0.1:5123/a?b=1} ({@code https://} with TLS). */
    public String uri(String path) {
        return (isTls() ? "https://" : "http://") + host() + ":" + port()
                + (path.startsWith("/") || path.isEmpty() ? "" : "/") + path;
    }

    /** {@link #uri(String)} as a {@link URI}. */
    public URI toUri(String path) {
        return URI.create(uri(path));
    }

    // ---- routing ----

    /** Sets the handler for every request no {@link #route} matches (by default: 404 "no route"). */
    public TestServer handle(Handler handler) {
        defaultHandler = handler;
        return this;
    }

    /** Sets the handler for paths starting with {@code pathPrefix}; the longest matching prefix wins. */
    public TestServer route(String pathPrefix, Handler handler) {
        routes.put(pathPrefix, handler);
        return this;
    }

    /**
     * Runs {@code handler} with the head (empty body) of each request carrying {@code Expect: 100-continue},
     * before its body is read, instead of answering 100 (Continue) at once as the server does by default.
     * The handler may write interim responses ({@link ServerExchange#writeRaw}), answer at once (the body is
     * then not needed) or stay silent; {@link ServerExchange#bodyBytesReceived} says how much body arrived
     * so far. The whole request, if its body arrives, still goes to its route.
     */
    public TestServer onExpectContinue(Handler handler) {
        expectContinueHandler = handler;
        return this;
    }

    // ---- recorded requests ----

    /** The oldest request not yet taken; waits up to 5 s, then fails with an {@link AssertionError}. */
    public RecordedRequest takeRequest() {
        return takeRequest(TAKE_TIMEOUT);
    }

    /** The oldest request not yet taken; waits up to {@code timeout}, then fails. */
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

    /** Every request received so far, oldest first (taken or not). */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    /** Exceptions thrown by handlers or scheduled actions, and requests the server could not parse. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    // ---- connections ----

    /** How the next accepted connections are treated (until changed). */
    public TestServer onConnect(ConnectionAction action) {
        connectAction = action;
        return this;
    }

    /** Treats just the next accepted connection with {@code action} (queued; then back to {@link #onConnect}). */
    public TestServer onNextConnect(ConnectionAction action) {
        nextConnectActions.add(action);
        return this;
    }

    /** Connections accepted since start, whatever happened to them. */
    public int connectionsAccepted() {
        return connectionIds.get();
    }

    /** Connections currently open. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Closes every connection that is neither receiving a request nor answering one, like a server's
     * keep-alive timeout, and waits until they are closed. Returns how many it closed.
     */
    public int closeIdleConnections() {
        return closeEach(Connection::closeIfIdle);
    }

    /** Closes every open connection, busy or not, and waits until they are closed. Returns the count. */
    public int closeAllConnections() {
        return closeEach(c -> c.channel.isOpen() ? c.channel.close() : null);
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
     * Makes the server close a keep-alive connection by itself once it has been idle for {@code timeout};
     * {@code null} or zero turns that off (the default).
     */
    public TestServer setIdleTimeout(@Nullable Duration timeout) {
        idleTimeout = timeout == null || timeout.isZero() || timeout.isNegative() ? null : timeout;
        for (Connection connection : connections.values()) {
            connection.onLoop(connection::armIdleTimer);
        }
        return this;
    }

    /** Closes all connections and the listening socket, and waits for the event loop thread to end. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        for (Connection connection : connections.values()) {
            connection.channel.close();
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
    }

    @Override
    public String toString() {
        return "TestServer[" + uri("") + ", " + requestCount() + " requests, " + openConnections() + " open]";
    }

    // ---- package-private, called on the event loop ----

    static String uriHost(InetSocketAddress address, boolean tls) {
        InetAddress ip = address.getAddress();
        if (tls && ip.isLoopbackAddress() && !(ip instanceof Inet6Address)) {
            return "localhost";
        }
        String text = NetUtil.toAddressString(ip);
        return ip instanceof Inet6Address ? "[" + text + "]" : text;
    }

    /**
     * Serves HTTP/1.1 on a connection another server accepted (its TLS handshake, if any, done or under
     * way in the pipeline already), as if this server had accepted it. Call on the channel's event loop.
     */
    void adopt(SocketChannel ch) {
        accept(ch);
    }

    @Nullable
    Handler expectContinueHandler() {
        return expectContinueHandler;
    }

    @Nullable
    Duration idleTimeout() {
        return idleTimeout;
    }

    void record(RecordedRequest request) {
        requests.add(request);
        untaken.add(request);
    }

    void recordFailure(Throwable failure) {
        LOG.warn("test server failure", failure);
        failures.add(failure);
    }

    void dispatch(RecordedRequest request, ServerExchange exchange) {
        try {
            handlerFor(request.path()).handle(request, exchange);
        } catch (Throwable t) {
            recordFailure(t);
            exchange.failed(t);
        }
    }

    private Handler handlerFor(String path) {
        String best = null;
        for (String prefix : routes.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        Handler handler = best == null ? null : routes.get(best);
        return handler == null ? defaultHandler : handler;
    }

    private void accept(SocketChannel ch) {
        ConnectionAction next = nextConnectActions.poll();
        Connection connection =
                new Connection(this, ch, connectionIds.incrementAndGet(), next != null ? next : connectAction);
        connections.put(connection.id, connection);
        ch.closeFuture().addListener(f -> connections.remove(connection.id));
        connection.initPipeline();
    }

    /** Runs {@code close} for each connection on its loop, then waits for the closes it started. */
    private int closeEach(Function<Connection, @Nullable ChannelFuture> close) {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Connection connection : connections.values()) {
            ChannelFuture future;
            if (connection.channel.eventLoop().inEventLoop()) {
                future = close.apply(connection);
            } else {
                try {
                    future = connection
                            .channel
                            .eventLoop()
                            .submit(() -> close.apply(connection))
                            .get(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                } catch (ExecutionException | TimeoutException e) {
                    throw new AssertionError("could not close connection " + connection.id, e);
                }
            }
            if (future != null) {
                closing.add(future);
            }
        }
        if (!connectionsLoopIsCurrent()) {
            closing.forEach(f -> f.awaitUninterruptibly(5, TimeUnit.SECONDS));
        }
        return closing.size();
    }

    private boolean connectionsLoopIsCurrent() {
        return serverChannel.eventLoop().inEventLoop();
    }
}
