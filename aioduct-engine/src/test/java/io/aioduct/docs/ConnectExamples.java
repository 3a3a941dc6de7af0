package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.connect.AddressPreference;
import io.aioduct.connect.DnsResolver;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.DnsTestServer;
import io.aioduct.testing.EngineTest;
import io.netty.handler.codec.dns.DnsRecordType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The code of docs/connect.md, run. */
class ConnectExamples extends EngineTest {

    @Test
    void settings() throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        // api.example resolves to an address nothing answers on, then to the test server.
        Resolver resolver = Resolver.of(Map.of(
                "api.example",
                List.of(InetAddress.getByName("127.0.0.3"), server.address().getAddress())));
        String url = "http://api.example:" + server.port() + "/";
        // tag::settings[]
        EngineConfig config = EngineConfig.builder()
                .resolver(resolver)
                .addressPreference(AddressPreference.IPV6_FIRST) // which family goes first
                .happyEyeballsDelay(Duration.ofMillis(250)) // the default: RFC 8305's recommendation
                .keepAliveIdle(Duration.ofSeconds(60)) // first probe after a minute of silence
                .keepAliveInterval(Duration.ofSeconds(10))
                .keepAliveCount(5) // so a dead peer is noticed within about two minutes
                .build();
        try (HttpEngine engine = Aioduct.pooled(config)) {
            AioductClient client = AioductClient.builder(engine)
                    .connectTimeout(Duration.ofSeconds(10)) // bounds the whole race
                    .build();
            try (Response response = client.get(url).execute()) {
                assertThat(response.status()).isEqualTo(200);
            }
        }
        // end::settings[]
    }

    @Test
    void dns() throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        try (DnsTestServer names = new DnsTestServer()) {
            names.answer(
                    "api.example", DnsRecordType.A, List.of(server.address().getAddress()));
            InetSocketAddress nameServer = names.address();
            String url = "http://api.example:" + server.port() + "/";
            // tag::dns[]
            try (DnsResolver dns = DnsResolver.builder()
                    .nameServers(List.of(nameServer)) // default: the platform's, from /etc/resolv.conf
                    .queryTimeout(Duration.ofSeconds(2)) // per query and server; default 5 s
                    .build()) {
                EngineConfig config = EngineConfig.builder()
                        .resolver(dns) // A and AAAA asked at once; the race starts on the first answer
                        .resolutionDelay(Duration.ofMillis(50)) // the default: how long an A answer waits for AAAA
                        .build();
                try (HttpEngine engine = Aioduct.virtualThreads(config)) {
                    AioductClient client = AioductClient.builder(engine).build();
                    try (Response response = client.get(url).execute()) {
                        assertThat(response.status()).isEqualTo(200);
                    }
                }
            }
            // end::dns[]
        }
    }
}
