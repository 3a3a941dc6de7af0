package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The code of docs/expect-continue.md, run. */
class ExpectContinueExamples extends EngineTest {

    @Test
    void uploadThatAsksFirst() {
        // The test server answers 100 (Continue) to the head, then 200 once the body arrived.
        server.route("/upload", (req, ex) -> ex.respond(200, "stored " + req.body().length));
        HttpEngine engine = engine(RuntimeKind.POOLED);
        String url = server.uri("/upload");
        byte[] bigFile = new byte[256 * 1024];
        int[] status = new int[1];
        // tag::expect-continue[]
        AioductClient client = AioductClient.builder(engine)
                .expectContinueTimeout(Duration.ofSeconds(2)) // default 1 s; ZERO sends bodies at once
                .build();
        try (Response response = client.put(url)
                .header("Expect", "100-continue") // the head goes first; the body after the 100
                .body(RequestBody.ofBytes(bigFile))
                .expectContinueTimeout(Duration.ofMillis(500)) // this request only
                .execute()) {
            // 2xx: the body was sent. 417, 401, 413...: the server answered first and the body was not sent.
            status[0] = response.status();
        }
        // end::expect-continue[]
        assertThat(status[0]).isEqualTo(200);
        assertThat(server.takeRequest().body()).hasSize(bigFile.length);
    }
}
