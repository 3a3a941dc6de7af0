package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.body.BodySource;
import io.aioduct.syntax.ReasonPhrase;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The body's charset comes from Content-Type, read only when asked for (not for every response). */
class ResponseCharsetTest {
    private static Response response(HttpHeaders headers) {
        return new Response(
                Request.builder("GET", "http://charset.example/").build(),
                200,
                ReasonPhrase.NONE,
                HttpVersion.HTTP_1_1,
                headers,
                BodySource.EMPTY,
                1024);
    }

    @Test
    void charsetFromContentType() {
        Response r = response(HttpHeaders.builder()
                .add("Content-Type", "text/plain; charset=\"ISO-8859-1\"")
                .build());
        assertThat(r.body().charset()).isEqualTo(StandardCharsets.ISO_8859_1);
    }

    @Test
    void utf8WithoutContentTypeOrCharset() {
        assertThat(response(HttpHeaders.builder().build()).body().charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(response(HttpHeaders.builder()
                                .add("Content-Type", "text/plain")
                                .build())
                        .body()
                        .charset())
                .isEqualTo(StandardCharsets.UTF_8);
        assertThat(response(HttpHeaders.builder()
                                .add("Content-Type", "text/plain; charset=no-such-charset")
                                .build())
                        .body()
                        .charset())
                .isEqualTo(StandardCharsets.UTF_8);
    }
}
