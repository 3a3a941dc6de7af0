package io.aioduct.bench;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.tls.TlsConfig;
import io.aioduct.tls.TlsProvider;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JDK TLS against BoringSSL (netty-tcnative) on the event-loop runtime: a full handshake per request
 * (no connection reuse), and bulk download of 1 MiB over one connection. The result picks {@link
 * TlsConfig}'s default provider.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(1)
public class TlsProviderBenchmark {
    @Param({"JDK", "OPENSSL"})
    public String provider;

    private BenchServer server;
    private HttpEngine fresh;
    private HttpEngine reused;
    private AioductClient freshClient;
    private AioductClient reusedClient;
    private String small;
    private String large;

    @Setup(Level.Trial)
    public void setUp() {
        server = BenchServer.start(1);
        TlsConfig tls = TlsConfig.builder()
                .trustPem(server.certificate())
                .provider(TlsProvider.valueOf(provider))
                .build();
        EngineConfig.Builder base = EngineConfig.builder()
                .tls(tls)
                .http2(Http2Options.DISABLED)
                .resolver(Resolver.of(Map.of("localhost", List.of(InetAddress.getLoopbackAddress()))));
        // Keeping no idle connection makes every request connect and handshake anew.
        fresh = Aioduct.pooled(
                PooledRuntime.builder().ioThreads(1).workerThreads(1).build(),
                base.pool(PoolConfig.DEFAULT.withMaxIdlePerOrigin(0)).build());
        reused = Aioduct.pooled(
                PooledRuntime.builder().ioThreads(1).workerThreads(1).build(), base.build());
        freshClient = AioductClient.builder(fresh).build();
        reusedClient = AioductClient.builder(reused).build();
        small = "https://localhost:" + server.http1TlsPort() + "/small";
        large = "https://localhost:" + server.http1TlsPort() + "/1m";
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fresh.close();
        reused.close();
        server.close();
    }

    /** Connect, full TLS handshake, one small GET, close. */
    @Benchmark
    public int handshakeAndSmallGet() {
        return freshClient.get(small).execute().body().bytes().length;
    }

    /** 1 MiB over a kept-alive TLS connection: the cipher's cost per byte dominates. */
    @Benchmark
    public int bulkOneMegabyte() {
        return reusedClient.get(large).execute().body().bytes().length;
    }
}
