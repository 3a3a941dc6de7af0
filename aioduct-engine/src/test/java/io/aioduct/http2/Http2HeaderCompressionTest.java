package io.aioduct.http2;

import static io.aioduct.http2.H2Support.h2c;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our HPACK codec ({@link HpackEncoder}, {@link HpackDecoder}) against Netty's on the server, over many
 * requests on one connection so both dynamic tables fill, evict and are referred to: what each side
 * decodes is what the other sent, in both directions, with the server's table at the default size, a
 * small one (constant eviction) and none at all (the encoder must announce the smaller table before its
 * first block, or Netty's decoder fails the connection).
 */
class Http2HeaderCompressionTest extends EngineTest {

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void headersSurviveManyRequestsWithTheDefaultTable(RuntimeKind kind) {
        exchangeHeaders(kind, -1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void headersSurviveManyRequestsWithASmallServerTable(RuntimeKind kind) {
        exchangeHeaders(kind, 150);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void headersSurviveManyRequestsWithNoServerTable(RuntimeKind kind) {
        exchangeHeaders(kind, 0);
    }

    private void exchangeHeaders(RuntimeKind kind, long serverTableSize) {
        H2TestServer.Builder builder = H2TestServer.builder();
        if (serverTableSize >= 0) builder.headerTableSize(serverTableSize);
        try (H2TestServer h2 = builder.start()) {
            List<RecordedRequest> received = new CopyOnWriteArrayList<>();
            h2.route("/echo", (req, ex) -> {
                received.add(req);
                String n = req.header("x-n");
                ex.respond(
                        200,
                        "ok".getBytes(StandardCharsets.US_ASCII),
                        "x-same",
                        "the same value every time",
                        "x-echo",
                        "n=" + n,
                        "x-long",
                        "l".repeat(300 + Integer.parseInt(n)),
                        "set-cookie",
                        "id=" + n + "; Path=/");
            });
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            for (int i = 0; i < 40; i++) {
                try (Response r = client.get(h2.uri("/echo?i=" + i))
                        .header("X-N", Integer.toString(i))
                        .header("x-constant", "always this")
                        .header("Authorization", "Bearer token-" + (i % 3))
                        .header("cookie", "a=" + i)
                        .execute()) {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.headers().first("x-same")).isEqualTo("the same value every time");
                    assertThat(r.headers().first("x-echo")).isEqualTo("n=" + i);
                    assertThat(r.headers().first("x-long")).hasSize(300 + i);
                    assertThat(r.headers().first("set-cookie")).isEqualTo("id=" + i + "; Path=/");
                    assertThat(r.body().string()).isEqualTo("ok");
                }
                RecordedRequest req = received.get(i);
                assertThat(req.path()).isEqualTo("/echo");
                assertThat(req.header("x-n")).isEqualTo(Integer.toString(i));
                assertThat(req.header("x-constant")).isEqualTo("always this");
                assertThat(req.header("authorization")).isEqualTo("Bearer token-" + (i % 3));
                assertThat(req.header("cookie")).isEqualTo("a=" + i);
            }
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(h2.goAwaysReceived()).isEmpty();
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRequestHeadOverTheServersHeaderListLimitFailsBeforeItIsSent(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.builder().maxHeaderListSize(2000).start()) {
            List<RecordedRequest> received = new CopyOnWriteArrayList<>();
            h2.route("/", (req, ex) -> {
                received.add(req);
                ex.respond(200, "ok");
            });
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);
            // The first exchange brings the server's SETTINGS.
            assertThat(client.get(h2.uri("/first")).execute().body().string()).isEqualTo("ok");

            assertThatThrownBy(() -> client.get(h2.uri("/big"))
                            .header("x-big", "b".repeat(3000))
                            .execute())
                    .hasStackTraceContaining("exceeds the server's SETTINGS_MAX_HEADER_LIST_SIZE of 2000");

            assertThat(client.get(h2.uri("/after")).execute().body().string()).isEqualTo("ok");
            assertThat(received).extracting(RecordedRequest::path).containsExactly("/first", "/after");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }
}
