package io.aioduct.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.HttpEngine;
import io.aioduct.proxy.Proxy;
import io.aioduct.spring.autoconfigure.AioductEngineConfigCustomizer;
import io.aioduct.spring.metrics.AioductMetricsTestSupport;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.testing.proxy.FaultProxy;
import io.aioduct.tls.TlsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

/**
 * Keeps the meter table of docs/metrics.md true: drives traffic on all three runtimes through every feature
 * that makes a meter (direct requests with a URI template, a host name to resolve, HTTP/1.1 and HTTP/2 over
 * TLS, a refused connect, a redirect through RestClient, a tunnel through a CONNECT proxy, the io-uring
 * cores), collects every registered
 * {@code aioduct.*} meter with its type and tag keys, and fails when they and the page's table disagree in
 * either direction.
 */
class MetricsReferenceTest extends NoLeaks {
    private static final Path PAGE = Path.of("../docs/metrics.md");
    private static final String BEGIN = "<!-- aioduct-meters";
    private static final String END = "<!-- /aioduct-meters -->";
    private static final Pattern ROW = Pattern.compile("^\\| `(aioduct\\.[a-z0-9.]+)` \\| (\\w+) \\| ([^|]*) \\|");

    /** name -> "Type: key, key, ..." as the page lists it. */
    static Map<String, String> documented() throws IOException {
        String page = Files.readString(PAGE);
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        assertThat(begin).as("%s marker in %s", BEGIN, PAGE).isNotNegative();
        assertThat(end).as("%s marker in %s", END, PAGE).isGreaterThan(begin);
        Map<String, String> out = new TreeMap<>();
        for (String line : page.substring(begin, end).split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                Set<String> tags = Arrays.stream(m.group(3).split(","))
                        .map(t -> t.trim().replace("`", ""))
                        .filter(t -> !t.isEmpty())
                        .collect(Collectors.toCollection(TreeSet::new));
                out.put(m.group(1), m.group(2) + ": " + String.join(", ", tags));
            }
        }
        return out;
    }

    static String type(Meter meter) {
        return switch (meter) {
            case Timer t -> "Timer";
            case Gauge g -> "Gauge";
            case Counter c -> "Counter";
            case FunctionCounter f -> "FunctionCounter";
            default -> meter.getClass().getSimpleName();
        };
    }

    @Test
    void theMeterTableListsExactlyTheMetersTheBindingRegisters() throws Exception {
        Map<String, Set<String>> tagKeys = new TreeMap<>();
        Map<String, String> types = new TreeMap<>();
        TlsMaterial tls = TlsMaterial.shared();
        try (TestServer http1 = TestServer.start();
                TestServer behindProxy = TestServer.start();
                FaultProxy proxy = FaultProxy.start(Proxy.Type.HTTP, FaultProxy.Fault.NONE);
                H2TestServer h2 = H2TestServer.startTls(tls)) {
            http1.route("/hello", (req, ex) -> ex.respond(200, "hello"));
            behindProxy.route("/tunnelled", (req, ex) -> ex.respond(200, "through the tunnel"));
            Proxy tunnelling = proxy.proxy().tunnellingAll();
            http1.route("/moved", (req, ex) -> ex.respond(302, new byte[0], "Location", "/hello"));
            h2.route("/h2", (req, ex) -> ex.respond(200, "over h2"));
            AioductEngineConfigCustomizer trustAndResolve = b -> b.resolver(Resolver.of(Map.of(
                            "localhost", List.of(InetAddress.getLoopbackAddress()),
                            "127.0.0.1", List.of(InetAddress.getLoopbackAddress()))))
                    .tls(TlsConfig.builder().trustPem(tls.caCertificatePem()).build())
                    // One origin through a CONNECT tunnel (aioduct.tunnel, the proxy tag of aioduct.connect).
                    .proxy(origin -> origin.port() == behindProxy.port() ? tunnelling : null);
            for (String kind : List.of("pooled", "virtual", "io-uring")) {
                AioductMetricsTestSupport.runner(kind)
                        .withBean(AioductEngineConfigCustomizer.class, () -> trustAndResolve)
                        .run(context -> {
                            assertThat(context).hasNotFailed();
                            AioductClient client = context.getBean(AioductClient.class);
                            URI hello = URI.create("http://localhost:" + http1.port() + "/hello");
                            try (Response r =
                                    client.get(hello).uriTemplate("/hello").execute()) {
                                assertThat(r.body().string()).isEqualTo("hello");
                            }
                            try (Response r = client.get(h2.uri("/h2")).execute()) {
                                assertThat(r.body().string()).isEqualTo("over h2");
                            }
                            try (Response r =
                                    client.get(behindProxy.uri("/tunnelled")).execute()) {
                                assertThat(r.body().string()).isEqualTo("through the tunnel");
                            }
                            TestServer closed = TestServer.start();
                            URI refused = closed.toUri("/x");
                            closed.close();
                            assertThat(client.get(refused).send()).failsWithin(Duration.ofSeconds(10));
                            RestClient rest =
                                    context.getBean(RestClient.Builder.class).build();
                            assertThat(rest.get()
                                            .uri(http1.uri("/moved"))
                                            .retrieve()
                                            .body(String.class))
                                    .isEqualTo("hello");
                            awaitQuiet(context.getBean(HttpEngine.class));
                            MeterRegistry registry = context.getBean(MeterRegistry.class);
                            AioductMetricsTestSupport.scrape(registry);
                            for (Meter m : registry.getMeters()) {
                                String name = m.getId().getName();
                                if (!name.startsWith("aioduct.")) continue;
                                types.put(name, type(m));
                                tagKeys.computeIfAbsent(name, n -> new TreeSet<>())
                                        .addAll(m.getId().getTags().stream()
                                                .map(Tag::getKey)
                                                .toList());
                            }
                        });
            }
        }
        Map<String, String> registered = new TreeMap<>();
        tagKeys.forEach((name, keys) -> registered.put(name, types.get(name) + ": " + String.join(", ", keys)));
        Map<String, String> documented = documented();
        assertThat(registered.keySet())
                .as("meters registered but not in docs/metrics.md")
                .isSubsetOf(documented.keySet());
        assertThat(documented.keySet())
                .as("meters in docs/metrics.md that no traffic registered")
                .isSubsetOf(registered.keySet());
        assertThat(registered)
                .as("type and tag keys of each meter, registered vs docs/metrics.md")
                .isEqualTo(documented);
    }
}
