package io.aioduct.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine guards the listener it is given ({@link EventListener#guarded}): one that throws is reported
 * once per listener class at WARN (the test logger prints to stderr), the requests go on unaffected, and
 * in a {@link EventListener#composite} the listeners after it still hear every event.
 */
class ThrowingListenerLogTest extends EngineTest {

    /** Its own class: the engine logs the first failure of each listener class only. */
    private static final class AlwaysThrows implements EventListener {
        @Override
        public void callStart(Request request) {
            throw new IllegalStateException("broken listener: callStart");
        }

        @Override
        public void callEnd(Request request, int status, long nanos) {
            throw new IllegalStateException("broken listener: callEnd");
        }
    }

    @Test
    void theFirstFailureOfAListenerClassIsLoggedOnceAtWarn() throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "fine"));
        AioductClient client = AioductClient.builder(engine(
                        RuntimeKind.POOLED,
                        EngineConfig.builder().eventListener(new AlwaysThrows()).build()))
                .build();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 3; i++) {
                try (Response r = client.get(server.uri("/")).execute()) {
                    assertThat(r.body().string()).isEqualTo("fine");
                }
            }
            awaitQuiet(client.engine());
        } finally {
            System.setErr(original);
        }

        String log = captured.toString(StandardCharsets.UTF_8);
        String line = "event listener " + AlwaysThrows.class.getName() + " threw";
        assertThat(log.split(java.util.regex.Pattern.quote(line), -1)).hasSize(2);
        assertThat(log).contains("WARN").contains("broken listener: callStart");
    }

    /** Throws from every event of a call: nothing after it would hear the call without the guard. */
    private static final class ThrowsFromEveryCallEvent implements EventListener {
        @Override
        public void callStart(Request request) {
            throw new IllegalStateException("broken listener: callStart");
        }

        @Override
        public void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {
            throw new IllegalStateException("broken listener: acquireEnd");
        }

        @Override
        public void responseHeadersEnd(Request request, ConnectionInfo connection, int status, long bytes) {
            throw new IllegalStateException("broken listener: responseHeadersEnd");
        }

        @Override
        public void callEnd(Request request, int status, long nanos) {
            throw new IllegalStateException("broken listener: callEnd");
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aThrowingListenerInACompositeLeavesTheNextOnesSequenceWhole(RuntimeKind kind) throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "fine"));
        RecordingListener events = new RecordingListener();
        AioductClient client = AioductClient.builder(singlePoolEngine(
                        kind,
                        EngineConfig.builder()
                                .eventListener(EventListener.composite(new ThrowsFromEveryCallEvent(), events))
                                .build()))
                .build();

        try (Response r = client.get(server.uri("/")).execute()) {
            assertThat(r.body().string()).isEqualTo("fine");
        }
        events.await("callEnd", 1);

        assertThat(events.names())
                .containsExactlyElementsOf(List.of(
                        "callStart",
                        "acquireStart",
                        "dnsStart",
                        "dnsEnd",
                        "connectStart",
                        "connectEnd",
                        "acquireEnd",
                        "connectionAcquired",
                        "requestHeadersStart",
                        "requestHeadersEnd",
                        "responseHeadersStart",
                        "responseHeadersEnd",
                        "responseBodyStart",
                        "responseBodyEnd",
                        "connectionReleased",
                        "callEnd"));
        assertThat(events.event("callEnd").detail(0)).isEqualTo(200);
    }
}
