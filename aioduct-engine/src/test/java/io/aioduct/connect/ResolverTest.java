package io.aioduct.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectFailedException;
import io.aioduct.engine.EngineConfig;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Name resolution is pluggable, and connect failures name what failed, on every runtime. */
class ResolverTest extends EngineTest {

    private static EngineConfig fakeDns() {
        return EngineConfig.builder()
                .resolver(Resolver.of(Map.of("service.test", List.of(InetAddress.getLoopbackAddress()))))
                .build();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aCustomResolverMapsAFakeHostNameToLoopback(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "resolved"));
        AioductClient client = client(kind, fakeDns(), b -> {});

        String body = client.get("http://service.test:" + server.port() + "/")
                .execute()
                .body()
                .string();

        assertThat(body).isEqualTo("resolved");
        assertThat(server.takeRequest().header("Host")).isEqualTo("service.test:" + server.port());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anUnknownHostFailsWithConnectFailedNamingIt(RuntimeKind kind) {
        AioductClient client = client(kind, fakeDns(), b -> {});

        assertThatThrownBy(() -> client.get("http://nowhere.test:1/").execute())
                .isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("nowhere.test");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRefusedConnectionFailsWithConnectFailedNamingTheAddress(RuntimeKind kind) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        AioductClient client = client(kind);

        assertThatThrownBy(
                        () -> client.get("http://127.0.0.1:" + closedPort + "/").execute())
                .isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void ipv6LoopbackWorks(RuntimeKind kind) throws Exception {
        try (var v6 = io.aioduct.testing.TestServer.start(InetAddress.getByName("::1"))) {
            v6.route("/", (req, ex) -> ex.respond(200, "v6"));
            AioductClient client = client(kind);

            assertThat(client.get(v6.uri("/")).execute().body().string()).isEqualTo("v6");
            assertThat(v6.takeRequest().header("Host")).isEqualTo("[::1]:" + v6.port());
        }
    }
}
