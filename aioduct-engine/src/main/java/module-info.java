import org.jspecify.annotations.NullMarked;

/**
 * The aioduct engine: the client API, the runtimes, connectors, TLS, events and the settings a user or a
 * third-party runtime or connector needs. Everything else (the engine/driver contract, body plumbing,
 * event dispatch, header syntax, the HTTP/1.1 and HTTP/2 drivers) stays inside the module; the layering
 * test ({@code io.aioduct.architecture}) keeps those packages out of the exported signatures.
 *
 * <p>Netty's transport types ({@code Channel}, {@code EventLoop}, {@code ChannelFactory}) appear in the
 * runtime and connector SPI ({@code ChannelRuntime}, {@code LoopTransport}), so {@code io.netty.transport}
 * is required transitively; JSpecify is needed only to compile against the annotations, and brotli4j and
 * zstd-jni only where an application adds them to have {@code br} and {@code zstd} responses decoded.
 */
@NullMarked
module io.aioduct {
    requires static transitive org.jspecify;
    requires transitive io.netty.transport;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.codec.http2;
    // Resolver.dns(): Netty's DNS resolver, A and AAAA queried separately (docs/connect.md).
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.unix.common;
    requires org.slf4j;
    // TCP keepalive idle, interval and count on JDK sockets (jdk.net.ExtendedSocketOptions).
    requires jdk.net;
    // The optional br and zstd decoders (docs/decompression.md): used only when present at run time.
    requires static com.aayushatharva.brotli4j;
    requires static com.github.luben.zstd_jni;

    // The client API: AioductClient, Request, Response, bodies, interceptors, the exception hierarchy.
    exports io.aioduct;
    // The runtime hierarchy, ChannelRuntime (the SPI a Netty-based runtime implements) and the ready runtimes.
    exports io.aioduct.runtime;
    exports io.aioduct.runtime.pooled;
    exports io.aioduct.runtime.virtual;
    exports io.aioduct.runtime.uring;
    exports io.aioduct.runtime.compat;
    // Connectors and the transports they hand the engine.
    exports io.aioduct.connect;
    exports io.aioduct.tls;
    exports io.aioduct.event;
    // The typed engine faces and EngineConfig.
    exports io.aioduct.engine;
    // Settings: PoolConfig/PoolStats, Http1Options/Http2Options.
    exports io.aioduct.pool;
    exports io.aioduct.protocol;
    // The built-in policies' settings and SPIs: redirects, retries, cookies, authentication, decompression.
    exports io.aioduct.policy;
    // Proxies: Proxy, ProxyRouting (explicit, ProxySelector, environment), ProxyConnectException.
    exports io.aioduct.proxy;
}
