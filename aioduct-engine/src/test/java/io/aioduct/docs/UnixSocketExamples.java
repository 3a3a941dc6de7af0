package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.UnixSocketRelay;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The code of docs/unix-sockets.md, run. */
class UnixSocketExamples extends EngineTest {

    @Test
    void aClientForALocalSidecar() throws IOException {
        server.route("/v1/health", (req, ex) -> ex.respond(200, "ok from " + req.header("Host")));
        try (UnixSocketRelay relay = UnixSocketRelay.to(server.address())) {
            Path socketFile = relay.path();

            // tag::engine[]
            HttpEngine engine = Aioduct.pooled(
                    EngineConfig.builder().unixSocket(socketFile).build()); // every connection: this socket
            AioductClient client = AioductClient.builder(engine).build();
            try (Response response = client.get("http://sidecar/v1/health").execute()) {
                // Nothing was resolved; the Host header still comes from the URI.
                assertThat(response.body().string()).isEqualTo("ok from sidecar");
            }
            // end::engine[]
            track(engine);
        }
    }
}
