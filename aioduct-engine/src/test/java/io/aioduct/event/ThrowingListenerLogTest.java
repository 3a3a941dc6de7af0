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
import org.junit.jupiter.api.Test;

/**
 * A listener that throws on every event is reported once per listener class at WARN (the test logger
 * prints to stderr), and the requests go on unaffected.
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
}
