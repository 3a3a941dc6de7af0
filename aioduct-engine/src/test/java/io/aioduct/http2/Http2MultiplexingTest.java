package io.aioduct.http2;

import static io.aioduct.http2.H2Support.activeStreams;
import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.h2c;
import static io.aioduct.http2.H2Support.pending;
import static io.aioduct.http2.H2Support.priorKnowledge;
import static io.aioduct.http2.H2Support.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.HttpVersion;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolStats;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TlsMaterial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/2 multiplexing on every runtime: concurrent requests to one origin share a connection up to the
 * server's SETTINGS_MAX_CONCURRENT_STREAMS, only then does another connection open, the per-origin cap on
 * HTTP/2 connections makes the rest wait, and sequential requests reuse the connection. Connections are
 * counted on the server. The io_uring engine runs one core so that every request shares one pool.
 */
class Http2MultiplexingTest extends EngineTest {

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void concurrentRequestsShareOneConnectionUpToTheServersStreamLimit(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(5).start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            List<CompletableFuture<Response>> responses = sendHeld(client, h2, 5);
            List<H2ServerExchange> exchanges = take(held, 5);

            assertThat(h2.connectionsAccepted()).as("connections for 5 streams").isEqualTo(1);
            assertThat(h2.peakConcurrentStreams()).isEqualTo(5);
            assertThat(exchanges).allSatisfy(ex -> assertThat(ex.connectionId()).isEqualTo(1));
            awaitTrue(() -> activeStreams(engine) == 5, () -> "pool: " + engine.poolStats());
            PoolStats stats = onlyPool(engine);
            assertThat(stats.protocol()).isEqualTo("h2");
            assertThat(stats.active()).as("connections carrying exchanges").isEqualTo(1);
            assertThat(stats.activeStreams()).isEqualTo(5);

            answerAndCheck(exchanges, responses);
            awaitQuiet(engine);
            assertThat(onlyPool(engine).idle()).isEqualTo(1);
            assertThat(onlyPool(engine).activeStreams()).isZero();
            assertThat(h2.streamsRefused()).isZero();
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void requestsBeyondTheServersStreamLimitOpenOneMoreConnection(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(5).start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/warm", (req, ex) -> ex.respond(200, "warm"));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);
            // The server's SETTINGS (limit 5) are known before the burst.
            assertThat(client.get(h2.uri("/warm")).execute().body().string()).isEqualTo("warm");

            List<CompletableFuture<Response>> responses = sendHeld(client, h2, 8);
            List<H2ServerExchange> exchanges = take(held, 8);

            Map<Integer, Long> perConnection = exchanges.stream()
                    .collect(Collectors.groupingBy(H2ServerExchange::connectionId, Collectors.counting()));
            assertThat(h2.connectionsAccepted())
                    .as(
                            "8 streams with a limit of 5 need exactly one more connection; per connection: %s",
                            perConnection)
                    .isEqualTo(2);
            assertThat(perConnection).containsEntry(1, 5L).containsEntry(2, 3L);
            assertThat(h2.peakConcurrentStreams()).isEqualTo(5);
            assertThat(h2.streamsRefused()).isZero();
            assertThat(onlyPool(engine).activeStreams()).isEqualTo(8);

            answerAndCheck(exchanges, responses);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aColdBurstBeyondTheStreamLimitCompletesEveryRequestExactlyOnce(RuntimeKind kind) {
        // Until the server's SETTINGS arrive its stream limit is unknown: the new connection carries one
        // stream and the rest wait for the limit (5), fill the connection up to it, and open one more
        // connection for the 3 left. Nothing goes beyond the limit, so nothing is refused; every request
        // is processed exactly once.
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(5).start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            List<CompletableFuture<Response>> responses = sendHeld(client, h2, 8);
            List<H2ServerExchange> exchanges = take(held, 8);

            assertThat(exchanges.stream().map(ex -> ex.request().path()).distinct())
                    .as("each request reached a handler once")
                    .hasSize(8);
            assertThat(h2.peakConcurrentStreams()).isEqualTo(5);
            assertThat(h2.connectionsAccepted())
                    .as("connections (refused streams: %s)", h2.streamsRefused())
                    .isEqualTo(2);
            assertThat(h2.streamsRefused())
                    .as("streams opened beyond the limit the server's SETTINGS were about to tell")
                    .isZero();
            answerAndCheck(exchanges, responses);
            assertThat(h2.requests().stream().map(RecordedRequest::path).distinct())
                    .hasSize(8);
            assertThat(h2.requestCount()).as("requests processed").isEqualTo(8);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theCapOnHttp2ConnectionsPerOriginMakesTheRestWaitForFreeStreams(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(5).start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/warm", (req, ex) -> ex.respond(200, "warm"));
            HttpEngine engine = singlePoolEngine(kind, h2c(priorKnowledge().withMaxConnectionsPerOrigin(1)));
            AioductClient client = H2Support.client(engine);
            assertThat(client.get(h2.uri("/warm")).execute().body().string()).isEqualTo("warm");

            List<CompletableFuture<Response>> responses = sendHeld(client, h2, 8);
            List<H2ServerExchange> first = take(held, 5);
            awaitTrue(
                    () -> pending(engine) == 3,
                    () -> "3 requests should wait in the pool: " + engine.poolStats() + ", responses: " + responses);
            assertThat(held).as("no 6th stream while 5 are open").isEmpty();
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(onlyPool(engine).max()).as("the HTTP/2 connection limit").isEqualTo(1);
            assertThat(responses).filteredOn(CompletableFuture::isDone).isEmpty();

            for (H2ServerExchange ex : first) {
                ex.respond(200, ex.request().path());
            }
            // The waiters go out as streams free up; none may fail for want of a stream.
            awaitTrue(
                    () -> held.size() == 3 || responses.stream().anyMatch(CompletableFuture::isCompletedExceptionally),
                    () -> "the waiting requests were never sent: " + engine.poolStats());
            assertThat(responses)
                    .as("no request fails while it waits for a free stream")
                    .noneSatisfy(f -> assertThat(f).isCompletedExceptionally());
            List<H2ServerExchange> rest = take(held, 3);
            assertThat(rest).allSatisfy(ex -> assertThat(ex.connectionId()).isEqualTo(1));
            for (H2ServerExchange ex : rest) {
                ex.respond(200, ex.request().path());
            }
            for (int i = 0; i < responses.size(); i++) {
                assertThat(await(responses.get(i)).body().string()).isEqualTo("/held/" + i);
            }
            assertThat(h2.connectionsAccepted()).as("still one connection").isEqualTo(1);
            assertThat(h2.streamsRefused()).isZero();
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void sequentialRequestsReuseTheConnection(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/", (req, ex) -> ex.respond(200, "stream " + ex.streamId()));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            for (int i = 0; i < 5; i++) {
                Response r = client.get(h2.uri("/" + i)).execute();
                assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
                assertThat(r.body().string()).isEqualTo("stream " + (2 * i + 1));
            }

            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(h2.requests()).extracting(RecordedRequest::streamId).containsExactly(1, 3, 5, 7, 9);
            assertThat(h2.requests())
                    .allSatisfy(r -> assertThat(r.connectionId()).isEqualTo(1));
            awaitQuiet(engine);
            PoolStats stats = onlyPool(engine);
            assertThat(stats.protocol()).isEqualTo("h2");
            assertThat(stats.idle()).isEqualTo(1);
            assertThat(stats.activeStreams()).isZero();
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void h2IsNegotiatedOverTlsByAlpnAndMultiplexed(RuntimeKind kind) {
        TlsMaterial tls = TlsMaterial.shared();
        try (H2TestServer h2 = H2TestServer.startTls(tls)) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/first", (req, ex) -> ex.respond(200, "over h2"));
            HttpEngine engine = singlePoolEngine(kind, H2Support.tls(tls, Http2Options.DEFAULT));
            AioductClient client = H2Support.client(engine);

            Response first = client.get(h2.uri("/first")).execute();
            assertThat(first.version()).as("protocol ALPN chose").isEqualTo(HttpVersion.HTTP_2);
            assertThat(first.body().string()).isEqualTo("over h2");

            List<CompletableFuture<Response>> responses = sendHeld(client, h2, 3);
            List<H2ServerExchange> exchanges = take(held, 3);
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(h2.peakConcurrentStreams()).isEqualTo(3);
            answerAndCheck(exchanges, responses);
            assertThat(onlyPool(engine).protocol()).isEqualTo("h2");
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    // ---- helpers ----

    private static List<CompletableFuture<Response>> sendHeld(AioductClient client, H2TestServer h2, int n) {
        List<CompletableFuture<Response>> responses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            responses.add(client.get(h2.uri("/held/" + i)).send());
        }
        return responses;
    }

    /** Answers each held exchange with its path, then checks every response got its own path back over h2. */
    private static void answerAndCheck(List<H2ServerExchange> exchanges, List<CompletableFuture<Response>> responses) {
        for (H2ServerExchange ex : exchanges) {
            ex.respond(200, ex.request().path());
        }
        for (int i = 0; i < responses.size(); i++) {
            Response r = await(responses.get(i));
            assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(r.body().string()).isEqualTo("/held/" + i);
        }
    }

    private static PoolStats onlyPool(HttpEngine engine) {
        List<PoolStats> stats = engine.poolStats();
        assertThat(stats).as("pools").hasSize(1);
        return stats.get(0);
    }
}
