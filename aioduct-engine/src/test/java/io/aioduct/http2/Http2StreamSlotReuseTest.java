package io.aioduct.http2;

import static io.aioduct.http2.H2Support.h2c;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.StreamResetException;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RuntimeKind;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server that allows one stream per connection, and a caller that sends one request after another: each
 * outcome (a body read to its end, a response without a body, a stream the server reset before or after
 * its head) reaches the caller only once the stream's slot is free again, so the next request takes that
 * slot on the same connection instead of opening a second one. On the virtual runtime the reader thread
 * used to wake the caller before it gave the stream's lease back: under load the next request found the
 * only stream still counted and dialled a new connection.
 */
class Http2StreamSlotReuseTest extends EngineTest {

    private static final int ROUNDS = 60;

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void oneRequestAfterAnotherKeepsToTheOneConnection(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(1).start()) {
            h2.route("/body", (req, ex) -> ex.respond(200, "ok"));
            h2.route("/empty", (req, ex) -> ex.respond(204, ""));
            h2.route("/refused", (req, ex) -> ex.reset(Http2Error.INTERNAL_ERROR));
            h2.route("/cut", (req, ex) -> {
                ex.respondStreaming(200).write("part");
                ex.reset(Http2Error.INTERNAL_ERROR);
            });
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            for (int i = 0; i < ROUNDS; i++) {
                assertThat(client.get(h2.uri("/body")).execute().body().string())
                        .isEqualTo("ok");
                assertThat(client.get(h2.uri("/empty")).execute().status()).isEqualTo(204);
                assertThatThrownBy(() -> client.get(h2.uri("/refused")).execute())
                        .isInstanceOf(StreamResetException.class);
                assertThatThrownBy(() ->
                                client.get(h2.uri("/cut")).execute().body().string())
                        .isInstanceOf(StreamResetException.class);
            }
            assertThat(h2.connectionsAccepted())
                    .as("every request on the one connection, after " + ROUNDS * 4 + " requests")
                    .isEqualTo(1);
            awaitQuiet(engine);
        }
    }
}
