package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.SubmissionPublisher;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A request whose body streams (from a writer, a stream or a publisher) leaves its connection reusable:
 * the server answers as soon as the last byte arrives, and that answer must not be mistaken for an early
 * one sent while the body was still going out.
 */
class StreamedBodyReuseTest extends EngineTest {
    private static final byte[] BODY = "streamed request body".getBytes(StandardCharsets.UTF_8);

    static Stream<Arguments> bodies() {
        List<Supplier<RequestBody>> kinds = List.of(
                () -> RequestBody.ofWriter(out -> out.write(BODY), BODY.length, true),
                () -> RequestBody.ofWriter(out -> out.write(BODY), -1, true),
                () -> RequestBody.ofInputStream(() -> new ByteArrayInputStream(BODY), BODY.length),
                () -> RequestBody.ofInputStream(() -> new ByteArrayInputStream(BODY), -1),
                () -> {
                    SubmissionPublisher<ByteBuffer> publisher = new SubmissionPublisher<>();
                    Thread.ofVirtual().start(() -> {
                        while (publisher.getNumberOfSubscribers() == 0) Thread.onSpinWait();
                        publisher.submit(ByteBuffer.wrap(BODY));
                        publisher.close();
                    });
                    return RequestBody.ofPublisher(publisher, BODY.length);
                });
        List<String> names =
                List.of("writer, sized", "writer, chunked", "stream, sized", "stream, chunked", "publisher, sized");
        return Stream.of(RuntimeKind.values())
                .flatMap(kind -> java.util.stream.IntStream.range(0, kinds.size())
                        .mapToObj(i -> Arguments.of(kind, names.get(i), kinds.get(i))));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("bodies")
    void everyRequestReusesTheOneConnection(RuntimeKind kind, String name, Supplier<RequestBody> body) {
        server.route("/upload", (req, ex) -> ex.respond(200, req.body()));
        AioductClient client = AioductClient.builder(singlePoolEngine(kind, EngineConfig.DEFAULT))
                .build();
        for (int i = 0; i < 20; i++) {
            try (Response response =
                    client.post(server.uri("/upload")).body(body.get()).execute()) {
                assertThat(response.body().bytes()).isEqualTo(BODY);
            }
            awaitQuiet(client.engine());
        }
        assertThat(server.requests())
                .extracting(RecordedRequest::connectionId)
                .containsOnly(server.requests().get(0).connectionId());
    }
}
