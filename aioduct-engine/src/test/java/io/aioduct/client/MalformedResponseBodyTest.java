package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.HttpProtocolException;
import io.aioduct.Response;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A response whose head is sound but whose chunked body is not: the caller gets the response, and
 * reading its body fails with {@link HttpProtocolException}, whether the bad bytes arrive with the head
 * or after it. The exchange never hangs and the connection is closed.
 */
class MalformedResponseBodyTest extends EngineTest {
    private static final String HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    private static final String BAD_CHUNKS = "5\r\nhello\r\nZZ-not-hex\r\nmore\r\n";

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBadChunkArrivingWithTheHeadFailsTheBody(RuntimeKind kind) throws Exception {
        server.route("/bad", (req, ex) -> ex.writeRaw(HEAD + BAD_CHUNKS));
        AioductClient client = client(kind);
        Response response = client.get(server.uri("/bad")).send().get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThatThrownBy(() -> response.body().bytes()).isInstanceOf(HttpProtocolException.class);
        awaitQuiet(client.engine());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBareCrInAChunkExtensionFailsTheBodyNamingIt(RuntimeKind kind) throws Exception {
        // A parser that skipped the CR would read "b" as more extension; one that took it as a line end
        // would read "b" as data: the framing is ambiguous, so it is refused.
        server.route("/bad", (req, ex) -> ex.writeRaw(HEAD + "5;a\rb\r\nhello\r\n0\r\n\r\n"));
        AioductClient client = client(kind);
        Response response = client.get(server.uri("/bad")).send().get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThatThrownBy(() -> response.body().bytes())
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageContaining("malformed chunked body")
                .hasMessageContaining("CR without LF");
        awaitQuiet(client.engine());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBadChunkArrivingAfterTheHeadFailsTheBody(RuntimeKind kind) throws Exception {
        server.route("/bad", (req, ex) -> {
            ex.writeRaw(HEAD);
            ex.schedule(java.time.Duration.ofMillis(50), () -> ex.writeRaw(BAD_CHUNKS));
        });
        AioductClient client = client(kind);
        Response response = client.get(server.uri("/bad")).send().get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThatThrownBy(() -> response.body().bytes()).isInstanceOf(HttpProtocolException.class);
        awaitQuiet(client.engine());
    }
}
