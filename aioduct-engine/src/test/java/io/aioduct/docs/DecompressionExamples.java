package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.Decompression;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The code of docs/decompression.md, run. */
class DecompressionExamples extends EngineTest {

    @Test
    void configuringDecompression() throws IOException {
        ByteArrayOutputStream coded = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(coded)) {
            gz.write("hello, compressed world".getBytes(StandardCharsets.UTF_8));
        }
        server.route("/doc", (req, ex) -> ex.respond(200, coded.toByteArray(), "Content-Encoding", "gzip"));
        String url = server.uri("/doc");
        HttpEngine engine = engine(RuntimeKind.POOLED);

        // tag::default[]
        AioductClient client = AioductClient.builder(engine).build(); // decompression is on
        try (Response response = client.get(url).execute()) {
            String text = response.body().string(); // decoded while it streams
            assertThat(response.headers().contains("Content-Encoding")).isFalse();
            assertThat(text).isEqualTo("hello, compressed world");
        }
        // end::default[]

        // tag::settings[]
        AioductClient guarded = AioductClient.builder(engine)
                .decompression(Decompression.defaults()
                        .withCodings("gzip") // ask for gzip only
                        .withMaxDecodedBytes(64L * 1024 * 1024) // no decoded body over 64 MiB
                        .withMaxRatio(50)) // nor over 50 times its compressed size
                .build();
        AioductClient raw = AioductClient.builder(engine)
                .decompression(Decompression.off()) // no Accept-Encoding, bodies as they arrive
                .build();
        // end::settings[]
        try (Response response = guarded.get(url).execute()) {
            assertThat(response.body().string()).isEqualTo("hello, compressed world");
        }
        try (Response response = raw.get(url).execute()) {
            assertThat(response.body().bytes()).isEqualTo(coded.toByteArray());
        }

        // tag::own-header[]
        try (Response response =
                client.get(url).header("Accept-Encoding", "gzip").execute()) {
            byte[] gzipBytes = response.body().bytes(); // the caller asked: the body is left as sent
            assertThat(response.headers().first("Content-Encoding")).isEqualTo("gzip");
            assertThat(gzipBytes).isEqualTo(coded.toByteArray());
        }
        // end::own-header[]
    }
}
