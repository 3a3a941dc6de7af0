package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.policy.Authenticator;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.proxy.ProxyRouting;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.proxy.ForwardingProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The code of docs/proxies.md, run against an in-process proxy on loopback. */
class ProxiesExamples extends EngineTest {

    @Test
    void oneProxyForEverything() {
        server.route("/", (req, ex) -> ex.respond(200, "via " + req.header("Host")));
        String url = server.uri("/");
        try (ForwardingProxy p = ForwardingProxy.start().requireCredentials("alice", "s3cret")) {
            String proxyHost = p.host();
            int proxyPort = p.port();
            // tag::explicit[]
            Proxy corporate = Proxy.http(proxyHost, proxyPort).withCredentials("alice", "s3cret");
            EngineConfig config =
                    EngineConfig.builder().proxy(ProxyRouting.always(corporate)).build();
            try (HttpEngine engine = Aioduct.pooled(config)) {
                AioductClient client = AioductClient.builder(engine).build();
                try (Response r = client.get(url).execute()) {
                    // http://... went to the proxy as "GET http://host:port/ HTTP/1.1"
                    // with Proxy-Authorization: Basic YWxpY2U6czNjcmV0
                    System.out.println(r.status() + " " + r.body().string());
                }
            }
            // end::explicit[]
            assertThat(p.seen())
                    .singleElement()
                    .satisfies(s -> assertThat(s.proxyAuthorization()).isEqualTo("Basic YWxpY2U6czNjcmV0"));
        }
    }

    @Test
    void proxyForSomeOrigins() {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        String url = server.uri("/");
        try (ForwardingProxy p = ForwardingProxy.start()) {
            Proxy corporate = Proxy.http(p.host(), p.port());
            // tag::per-origin[]
            // Asked once per request; null means direct. Fast, thread-safe, never blocking.
            ProxyRouting routing = origin -> origin.host().endsWith(".internal") ? null : corporate;
            EngineConfig config = EngineConfig.builder().proxy(routing).build();
            // end::per-origin[]
            try (HttpEngine engine = Aioduct.virtualThreads(config)) {
                AioductClient client = AioductClient.builder(engine).build();
                try (Response r = client.get(url).execute()) {
                    assertThat(r.body().string()).isEqualTo("ok");
                }
            }
            assertThat(p.seen()).hasSize(1);
        }
    }

    @Test
    void answeringAProxyChallenge() {
        server.route("/", (req, ex) -> ex.respond(200, "in"));
        String url = server.uri("/");
        try (ForwardingProxy p = ForwardingProxy.start().requireCredentials("alice", "s3cret")) {
            ProxyRouting routing = ProxyRouting.always(Proxy.http(p.host(), p.port()));
            try (HttpEngine engine =
                    Aioduct.pooled(EngineConfig.builder().proxy(routing).build())) {
                // tag::challenge[]
                // The forwarding proxy answers 407 with Proxy-Authenticate; the authenticator
                // answers it once, in Proxy-Authorization, to the proxy only.
                AioductClient client = AioductClient.builder(engine)
                        .authenticator(Authenticator.basic("alice", "s3cret"))
                        .build();
                // end::challenge[]
                try (Response r = client.get(url).execute()) {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body().string()).isEqualTo("in");
                }
            }
        }
    }

    @Test
    void answeringAChallengeToATunnel() {
        server.route("/", (req, ex) -> ex.respond(200, "tunnelled"));
        String origin = server.uri("/");
        try (ForwardingProxy p = ForwardingProxy.start().requireDigest("alice", "s3cret")) {
            String proxyHost = p.host();
            int proxyPort = p.port();
            // tag::tunnelChallenge[]
            // The proxy answers CONNECT with 407 and a Digest challenge: the authenticator
            // answers it once, and the request goes again through a new tunnel.
            HttpEngine engine = Aioduct.pooled(EngineConfig.builder()
                    .proxy(ProxyRouting.always(Proxy.http(proxyHost, proxyPort).tunnellingAll()))
                    .build());
            AioductClient client = AioductClient.builder(engine)
                    .authenticator(Authenticator.digest("alice", "s3cret").onlyFor(origin))
                    .build();
            // end::tunnelChallenge[]
            try (engine;
                    Response r = client.get(origin).execute()) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body().string()).isEqualTo("tunnelled");
            }
            assertThat(p.seen()).hasSize(2);
            assertThat(p.seen().get(1).proxyAuthorization()).startsWith("Digest ");
        }
    }

    @Test
    void errorsAndEvents() throws IOException {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        String url = server.uri("/");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        List<String> log = new CopyOnWriteArrayList<>();
        ProxyRouting routing = ProxyRouting.always(Proxy.http("127.0.0.1", closedPort));
        // tag::events[]
        EventListener proxies = new EventListener() {
            @Override
            public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
                if (!reused && connection.proxy() != null) {
                    // "http://alice@proxy.example:3128", never the password
                    log.add(connection.origin() + " via " + connection.proxy()
                            + (connection.tunnelled() ? " (tunnel)" : " (forwarding)"));
                }
            }
        };
        // end::events[]
        try (HttpEngine engine = Aioduct.pooled(
                EngineConfig.builder().proxy(routing).eventListener(proxies).build())) {
            AioductClient client = AioductClient.builder(engine).build();
            assertThatThrownBy(() -> {
                        // tag::errors[]
                        try (Response r = client.get(url).execute()) {
                            System.out.println(r.body().string());
                        } catch (ProxyConnectException e) {
                            switch (e.reason()) {
                                case UNREACHABLE -> System.err.println("proxy down: " + e.getMessage());
                                case AUTHENTICATION_REQUIRED -> System.err.println("check the proxy credentials");
                                case REFUSED -> System.err.println("the proxy said " + e.status());
                                case PROTOCOL -> System.err.println("not a proxy? " + e.getMessage());
                            }
                            throw e;
                        }
                        // end::errors[]
                    })
                    .isInstanceOf(ProxyConnectException.class);
        }
        assertThat(log).isEmpty();
    }
}
