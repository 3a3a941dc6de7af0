package io.aioduct.bench;

import io.aioduct.bench.load.Call;
import io.aioduct.bench.load.Contender;
import io.aioduct.bench.load.Contenders;
import io.aioduct.bench.load.Protocol;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
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
 * The per-request cost of each client, one request at a time: a small HTTP/1.1 GET over a pooled
 * keep-alive connection to the local nginx, body read whole. The time per operation is the round trip
 * (client work + loopback + nginx); run with {@code -prof gc} for the bytes allocated per request, which
 * is the client's alone. Contenders are the load runner's ({@link Contenders}); asynchronous ones are
 * awaited per request.
 *
 * <pre>scripts/bench-jmh ClientCostBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC", "-Xms1g", "-Xmx1g"})
public class ClientCostBenchmark {
    @Param({
        "aioduct-pooled",
        "aioduct-io-uring",
        "aioduct-virtual",
        "reactor-netty",
        "jdk",
        "apache5-async",
        "jetty12",
        "okhttp4",
        "helidon4"
    })
    public String contender;

    private BenchServer server;
    private Contender client;
    private Call call;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = BenchServer.start(1);
        client = Contenders.create(contender, Protocol.H1, 4);
        call = new Call("GET", URI.create("http://127.0.0.1:" + server.http1Port() + "/small"), null, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        client.close();
        server.close();
    }

    @Benchmark
    public long smallGet() throws Exception {
        if (client.mode() != Contender.Mode.ASYNC) {
            return client.call(call);
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        client.send(call, (bytes, failure) -> {
            if (failure != null) {
                f.completeExceptionally(failure);
            } else {
                f.complete(bytes);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }
}
