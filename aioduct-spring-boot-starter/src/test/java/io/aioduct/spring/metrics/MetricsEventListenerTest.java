package io.aioduct.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.BodyTooLargeException;
import io.aioduct.ConnectFailedException;
import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.Origin;
import io.aioduct.PoolExhaustedException;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.TimedOutException;
import io.aioduct.connect.ConnectAttemptAbandonedException;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.spring.http.AioductClientHttpRequestFactory;
import io.aioduct.tls.TlsHandshakeException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The metrics listener's logic, driven by calling its methods as an engine would: which meter each event
 * moves, with which tags; the request timer's exclusions; the origin cap.
 */
class MetricsEventListenerTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private EventListener listener(int maxOrigins, boolean clientRequests) {
        return new EngineMeters(registry, "default", "pooled", maxOrigins, clientRequests).listener();
    }

    private static Request get(String uri) {
        return Request.builder("GET", URI.create(uri)).build();
    }

    private record Connection(Origin origin, String protocol) implements ConnectionInfo {
        @Override
        public long id() {
            return 1;
        }

        @Override
        public @Nullable InetSocketAddress remoteAddress() {
            return null;
        }
    }

    @Test
    void aDirectRequestIsTimedWithItsTemplateStatusOutcomeAndOrigin() {
        EventListener l = listener(100, true);
        Request r = Request.builder("GET", URI.create("http://127.0.0.1:8080/users/42?x=1"))
                .uriTemplate("/users/{id}")
                .build();
        l.callStart(r);
        l.callEnd(r, 200, TimeUnit.MILLISECONDS.toNanos(3));
        Timer t = registry.get("aioduct.client.requests").timer();
        assertThat(t.count()).isEqualTo(1);
        assertThat(t.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3);
        assertThat(t.getId().getTags())
                .extracting(tag -> tag.getKey() + "=" + tag.getValue())
                .containsExactlyInAnyOrder(
                        "name=default",
                        "runtime=pooled",
                        "method=GET",
                        "uri=/users/{id}",
                        "status=200",
                        "outcome=SUCCESS",
                        "exception=none",
                        "remote.address=127.0.0.1:8080");
    }

    @Test
    void aRequestWithoutATemplateIsTaggedNoneNeverItsRawUri() {
        EventListener l = listener(100, true);
        l.callEnd(get("http://127.0.0.1:8080/secret?token=abc"), 404, 1);
        Timer t = registry.get("aioduct.client.requests").timer();
        assertThat(t.getId().getTag("uri")).isEqualTo("none");
        assertThat(t.getId().getTag("outcome")).isEqualTo("CLIENT_ERROR");
        assertThat(registry.getMeters())
                .flatExtracting(m -> m.getId().getTags())
                .noneMatch(tag ->
                        tag.getValue().contains("secret") || tag.getValue().contains("token"));
    }

    @Test
    void aRequestFromASpringClientIsNotTimedButItsFailureIsCounted() {
        EventListener l = listener(100, true);
        Request r = Request.builder("GET", URI.create("http://127.0.0.1:8080/x"))
                .attribute(AioductClientHttpRequestFactory.SPRING_CLIENT_ATTRIBUTE, Boolean.TRUE)
                .build();
        l.callEnd(r, 200, 1);
        l.callFailed(r, new TimedOutException(TimedOutException.Kind.RESPONSE, Duration.ofSeconds(1), "test"), 1);
        assertThat(registry.find("aioduct.client.requests").meters()).isEmpty();
        assertThat(registry.get("aioduct.errors")
                        .tag("kind", "timeout")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void clientRequestsFalseTimesNoRequest() {
        EventListener l = listener(100, false);
        l.callEnd(get("http://127.0.0.1:8080/x"), 200, 1);
        assertThat(registry.find("aioduct.client.requests").meters()).isEmpty();
    }

    @Test
    void aFailedDirectRequestIsTimedWithTheExceptionAndCountedByKind() {
        EventListener l = listener(100, true);
        Request r = get("http://127.0.0.1:8080/x");
        l.callFailed(r, new CompletionException(new ConnectFailedException("refused", null)), 5);
        Timer t = registry.get("aioduct.client.requests").timer();
        assertThat(t.getId().getTag("status")).isEqualTo("CLIENT_ERROR");
        assertThat(t.getId().getTag("outcome")).isEqualTo("UNKNOWN");
        assertThat(t.getId().getTag("exception")).isEqualTo("ConnectFailedException");
        assertThat(registry.get("aioduct.errors")
                        .tag("kind", "connect")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void everyEngineExceptionHasItsKind() {
        assertThat(ErrorKind.of(new TlsHandshakeException(
                        TlsHandshakeException.Reason.UNTRUSTED_CERTIFICATE, "bad cert", null)))
                .isEqualTo(ErrorKind.TLS);
        assertThat(ErrorKind.of(new ConnectFailedException("x", null))).isEqualTo(ErrorKind.CONNECT);
        assertThat(ErrorKind.of(new TimedOutException(TimedOutException.Kind.READ, Duration.ofSeconds(1), "x")))
                .isEqualTo(ErrorKind.TIMEOUT);
        assertThat(ErrorKind.of(new HttpProtocolException("x"))).isEqualTo(ErrorKind.PROTOCOL);
        assertThat(ErrorKind.of(new ConnectionClosedException("x", null))).isEqualTo(ErrorKind.CLOSED);
        assertThat(ErrorKind.of(new RequestCancelledException("x"))).isEqualTo(ErrorKind.CANCELLED);
        assertThat(ErrorKind.of(new BodyTooLargeException(10, "x"))).isEqualTo(ErrorKind.BODY_TOO_LARGE);
        assertThat(ErrorKind.of(new PoolExhaustedException("x"))).isEqualTo(ErrorKind.POOL_EXHAUSTED);
        assertThat(ErrorKind.of(new IllegalStateException("x"))).isEqualTo(ErrorKind.OTHER);
        assertThat(registry.getMeters()).isEmpty();
        listener(100, true);
        assertThat(registry.find("aioduct.errors").counters())
                .extracting(c -> c.getId().getTag("kind"))
                .containsExactlyInAnyOrder(
                        "connect",
                        "tls",
                        "timeout",
                        "protocol",
                        "closed",
                        "cancelled",
                        "body-too-large",
                        "pool-exhausted",
                        "other");
    }

    @Test
    void connectsThroughAProxyAreTaggedWithItsTypeAndTunnelsTimedWithoutAnyCredential() {
        EventListener l = listener(100, true);
        Request r = get("https://origin.example:8443/x");
        InetSocketAddress proxyAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3128);
        l.connectEnd(r, proxyAddress, Proxy.Type.HTTP, 20);
        l.connectEnd(r, proxyAddress, Proxy.Type.SOCKS5, 20);
        l.connectFailed(r, proxyAddress, Proxy.Type.SOCKS5, new ConnectFailedException("refused", null), 20);
        l.connectEnd(r, proxyAddress, null, 20);
        l.tunnelStart(r, "127.0.0.1:3128", Proxy.Type.HTTP);
        l.tunnelEnd(r, "127.0.0.1:3128", Proxy.Type.HTTP, 30);
        l.tunnelStart(r, "127.0.0.1:1080", Proxy.Type.SOCKS5);
        l.tunnelFailed(
                r,
                "127.0.0.1:1080",
                Proxy.Type.SOCKS5,
                new ProxyConnectException(
                        Proxy.socks5("127.0.0.1", 1080).withCredentials("user", "secret"),
                        ProxyConnectException.Reason.AUTHENTICATION_REQUIRED,
                        -1,
                        "refused",
                        null),
                40);

        String origin = "origin.example:8443";
        assertThat(timer("aioduct.connect", "proxy", "http", "outcome", "success", "remote.address", origin)
                        .count())
                .isEqualTo(1);
        assertThat(timer("aioduct.connect", "proxy", "socks5", "outcome", "success")
                        .count())
                .isEqualTo(1);
        assertThat(timer("aioduct.connect", "proxy", "socks5", "outcome", "failure")
                        .count())
                .isEqualTo(1);
        assertThat(timer("aioduct.connect", "proxy", "none", "outcome", "success")
                        .count())
                .isEqualTo(1);
        Timer tunnelled = timer("aioduct.tunnel", "proxy", "http", "outcome", "success", "remote.address", origin);
        assertThat(tunnelled.count()).isEqualTo(1);
        assertThat(tunnelled.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(30);
        assertThat(timer("aioduct.tunnel", "proxy", "socks5", "outcome", "failure")
                        .totalTime(TimeUnit.NANOSECONDS))
                .isEqualTo(40);
        // Bounded tags, and nothing of a proxy's credentials in any meter.
        for (Meter m : registry.getMeters()) {
            assertThat(m.getId().getTags().toString()).doesNotContain("secret").doesNotContain("user");
        }
    }

    private Timer timer(String name, String... tags) {
        return registry.get(name).tags(tags).timer();
    }

    @Test
    void connectionPhasesMoveTheirTimersAndBytesTheirCounters() {
        EventListener l = listener(100, true);
        Origin origin = new Origin("https", "::1", 8443);
        Request r = get("https://[::1]:8443/x");
        Connection c = new Connection(origin, "h2");
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8443);
        l.dnsEnd(r, "::1", List.of(InetAddress.getLoopbackAddress()), 10);
        l.dnsFailed(r, "nowhere", new ConnectFailedException("unknown host", null), 10);
        l.connectEnd(r, address, 20);
        l.connectFailed(r, address, new ConnectFailedException("refused", null), 20);
        l.connectFailed(r, address, new ConnectAttemptAbandonedException("another address connected first"), 25);
        l.tlsEnd(r, origin, "TLSv1.3", "h2", 30);
        l.tlsFailed(
                r,
                origin,
                new TlsHandshakeException(TlsHandshakeException.Reason.UNTRUSTED_CERTIFICATE, "bad", null),
                30);
        l.acquireEnd(r, c, 40);
        l.acquireFailed(r, origin, new PoolExhaustedException("full"), 40);
        l.requestHeadersEnd(r, c, 100);
        l.requestBodyEnd(r, c, 11);
        l.responseHeadersEnd(r, c, 200, 50);
        l.responseBodyEnd(r, c, 1000);
        l.retry(r, 1, new ConnectionClosedException("reset", null));
        l.retryOnStatus(r, 2, 503, Duration.ofMillis(100));
        l.redirect(r, 302, URI.create("https://[::1]:8443/y"));

        String address6 = "[::1]:8443";
        assertThat(registry.get("aioduct.dns").tag("outcome", "success").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("aioduct.dns").tag("outcome", "failure").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("aioduct.connect")
                        .tags("outcome", "success", "remote.address", address6)
                        .timer()
                        .count())
                .isEqualTo(1);
        // A Happy Eyeballs loser is counted apart from the host's failures.
        assertThat(registry.get("aioduct.connect")
                        .tags("outcome", "failure", "remote.address", address6)
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("aioduct.connect")
                        .tags("outcome", "abandoned", "remote.address", address6)
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("aioduct.connect")
                        .tag("outcome", "failure")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("aioduct.tls.handshake")
                        .tags("outcome", "success", "remote.address", address6)
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("aioduct.tls.handshake")
                        .tag("outcome", "failure")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("aioduct.pool.acquire")
                        .tag("remote.address", address6)
                        .timer()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("aioduct.bytes.sent").counter().count()).isEqualTo(111);
        assertThat(registry.get("aioduct.bytes.received").counter().count()).isEqualTo(1050);
        assertThat(registry.get("aioduct.bytes.sent").counter().getId().getBaseUnit())
                .isEqualTo("bytes");
        assertThat(registry.get("aioduct.retries").counter().count())
                .as("a retry after a failure and one after a status")
                .isEqualTo(2);
        assertThat(registry.get("aioduct.redirects").counter().count()).isEqualTo(1);
    }

    @Test
    void originsBeyondTheCapAreTaggedOther() {
        EventListener l = listener(2, true);
        for (int port = 9001; port <= 9005; port++) {
            Request r = get("http://127.0.0.1:" + port + "/x");
            l.acquireEnd(r, new Connection(r.origin(), "http/1.1"), 1);
            l.callEnd(r, 200, 1);
        }
        assertThat(registry.find("aioduct.pool.acquire").timers())
                .extracting(t -> t.getId().getTag("remote.address"))
                .containsExactlyInAnyOrder("127.0.0.1:9001", "127.0.0.1:9002", "OTHER");
        assertThat(registry.get("aioduct.pool.acquire")
                        .tag("remote.address", "OTHER")
                        .timer()
                        .count())
                .isEqualTo(3);
        assertThat(registry.find("aioduct.client.requests").timers())
                .extracting(t -> t.getId().getTag("remote.address"))
                .containsExactlyInAnyOrder("127.0.0.1:9001", "127.0.0.1:9002", "OTHER");
    }

    @Test
    void everyMeterCarriesTheNameAndRuntimeTags() {
        EventListener l = new EngineMeters(registry, "gateway", "io-uring", 100, true).listener();
        Request r = get("http://127.0.0.1:8080/x");
        l.acquireEnd(r, new Connection(r.origin(), "http/1.1"), 1);
        l.callEnd(r, 200, 1);
        assertThat(registry.getMeters()).isNotEmpty().allSatisfy(m -> {
            Meter.Id id = m.getId();
            assertThat(id.getName()).startsWith("aioduct.");
            assertThat(id.getTag("name")).isEqualTo("gateway");
            assertThat(id.getTag("runtime")).isEqualTo("io-uring");
        });
    }
}
