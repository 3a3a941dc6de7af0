package io.aioduct.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.ManualTicker;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every duration an {@link EventListener} hears comes from the engine's injected {@link
 * io.aioduct.Ticker}, on every runtime and protocol. The clock here is a {@link ManualTicker} that stands
 * still except when the listener itself moves it on, by a different power of two in each phase, so each
 * reported duration is an exact sum a test can name without sleeping (the system clock would give a
 * different, never exact, number).
 */
class EventClockTest extends EngineTest {
    private static final long MS = Duration.ofMillis(1).toNanos();

    enum Protocol {
        HTTP11(false, false),
        HTTP11_TLS(true, false),
        H2C(false, true),
        H2_TLS(true, true);

        final boolean tls;
        final boolean h2;

        Protocol(boolean tls, boolean h2) {
            this.tls = tls;
            this.h2 = h2;
        }
    }

    static Stream<Arguments> everyRuntimeAndProtocol() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Protocol protocol : Protocol.values()) {
                out.add(Arguments.of(kind, protocol));
            }
        }
        return out.stream();
    }

    /** Moves the clock on inside each phase it is told of, and keeps the durations the engine reports. */
    private static final class ClockStepper implements EventListener {
        final ManualTicker clock;
        final Map<String, Long> nanos = new ConcurrentHashMap<>();

        ClockStepper(ManualTicker clock) {
            this.clock = clock;
        }

        private void step(long by) {
            clock.advance(Duration.ofNanos(by));
        }

        @Override
        public void callStart(Request request) {
            step(MS);
        }

        @Override
        public void acquireStart(Request request, Origin origin) {
            step(2 * MS);
        }

        @Override
        public void dnsStart(Request request, String host) {
            step(4 * MS);
        }

        @Override
        public void connectStart(Request request, InetSocketAddress address) {
            step(8 * MS);
        }

        @Override
        public void tlsStart(Request request, Origin origin) {
            step(16 * MS);
        }

        @Override
        public void responseHeadersEnd(Request request, ConnectionInfo connection, int status, long bytes) {
            step(32 * MS);
        }

        @Override
        public void dnsEnd(Request request, String host, List<InetAddress> addresses, long nanos) {
            this.nanos.put("dnsEnd", nanos);
        }

        @Override
        public void connectEnd(Request request, InetSocketAddress address, long nanos) {
            this.nanos.put("connectEnd", nanos);
        }

        @Override
        public void tlsEnd(Request request, Origin origin, String tlsProtocol, String applicationProtocol, long nanos) {
            this.nanos.put("tlsEnd", nanos);
        }

        @Override
        public void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {
            this.nanos.put("acquireEnd", waitNanos);
        }

        @Override
        public void callEnd(Request request, int status, long nanos) {
            this.nanos.put("callEnd", nanos);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void durationsAreReadFromTheInjectedTicker(RuntimeKind kind, Protocol protocol) throws Exception {
        ManualTicker clock = new ManualTicker();
        ClockStepper stepper = new ClockStepper(clock);
        RecordingListener events = new RecordingListener();
        EngineConfig config = EngineConfig.builder()
                .ticker(clock)
                .eventListener(stepper.plus(events))
                .http2(Http2Options.DEFAULT.withPriorKnowledge(protocol == Protocol.H2C))
                .tls(TlsConfig.builder()
                        .trustPem(TlsMaterial.shared().caCertificatePem())
                        .build())
                .resolver(Resolver.of(Map.of(
                        "localhost", List.of(InetAddress.getLoopbackAddress()),
                        "127.0.0.1", List.of(InetAddress.getLoopbackAddress()))))
                .build();
        AioductClient client =
                AioductClient.builder(singlePoolEngine(kind, config)).build();
        try (AutoCloseable server = start(protocol)) {
            String url = uri(server);

            get(client, url);
            events.await("callEnd", 1);
            long tls = protocol.tls ? 16 * MS : 0;
            assertThat(stepper.nanos.get("dnsEnd")).isEqualTo(4 * MS);
            assertThat(stepper.nanos.get("connectEnd")).isEqualTo(8 * MS);
            if (protocol.tls) {
                assertThat(stepper.nanos.get("tlsEnd")).isEqualTo(16 * MS);
            } else {
                assertThat(stepper.nanos).doesNotContainKey("tlsEnd");
            }
            assertThat(stepper.nanos.get("acquireEnd")).isEqualTo(2 * MS + 4 * MS + 8 * MS + tls);
            assertThat(stepper.nanos.get("callEnd")).isEqualTo(MS + 2 * MS + 4 * MS + 8 * MS + tls + 32 * MS);

            if (!protocol.h2) {
                awaitTrue(() -> idleConnections(client.engine()) == 1, () -> "connection never went idle");
            }
            events.clear();
            get(client, url);
            events.await("callEnd", 1);
            // Reused: no DNS, connect or TLS in this call, so neither in its durations.
            assertThat(events.event("connectionAcquired").detail(1)).isEqualTo(true);
            assertThat(stepper.nanos.get("acquireEnd")).isEqualTo(2 * MS);
            assertThat(stepper.nanos.get("callEnd")).isEqualTo(MS + 2 * MS + 32 * MS);
        }
    }

    private static void get(AioductClient client, String url) throws Exception {
        try (Response r = client.get(url).execute()) {
            assertThat(r.body().string()).isEqualTo("timed");
        }
    }

    private static AutoCloseable start(Protocol protocol) {
        if (protocol.h2) {
            H2TestServer h2 = protocol.tls ? H2TestServer.startTls(TlsMaterial.shared()) : H2TestServer.start();
            return h2.route("/", (req, ex) -> ex.respond(200, "timed"));
        }
        TestServer h1 = protocol.tls ? TestServer.startTls(TlsMaterial.shared()) : TestServer.start();
        return h1.route("/", (req, ex) -> ex.respond(200, "timed"));
    }

    private static String uri(AutoCloseable server) {
        return server instanceof H2TestServer h2 ? h2.uri("/") : ((TestServer) server).uri("/");
    }
}
