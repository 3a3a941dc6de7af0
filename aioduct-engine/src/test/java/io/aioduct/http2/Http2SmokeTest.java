package io.aioduct.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.HttpVersion;
import io.aioduct.Response;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Http2SmokeTest extends EngineTest {

    @ParameterizedTest
    @EnumSource(
            value = RuntimeKind.class,
            names = {"POOLED", "IO_URING"})
    void h2cPriorKnowledge(RuntimeKind kind) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/", (req, ex) -> ex.respond(200, "over h2c"));
            AioductClient client = client(
                    kind,
                    EngineConfig.builder()
                            .http2(Http2Options.DEFAULT.withPriorKnowledge(true))
                            .build(),
                    b -> {});
            Response r = client.get(h2.uri("/")).execute();
            assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(r.body().string()).isEqualTo("over h2c");
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void h2OverTlsByAlpn(RuntimeKind kind) {
        TlsMaterial tls = TlsMaterial.shared();
        try (H2TestServer h2 = H2TestServer.startTls(tls)) {
            h2.route("/", (req, ex) -> ex.respond(200, "over h2"));
            AioductClient client = client(
                    kind,
                    EngineConfig.builder()
                            .resolver(Resolver.of(Map.of("localhost", List.of(InetAddress.getLoopbackAddress()))))
                            .tls(TlsConfig.builder()
                                    .trustPem(tls.caCertificatePem())
                                    .build())
                            .build(),
                    b -> {});
            for (int i = 0; i < 3; i++) {
                Response r = client.get(h2.uri("/")).execute();
                assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
                assertThat(r.body().string()).isEqualTo("over h2");
            }
        }
    }
}
