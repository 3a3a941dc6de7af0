package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** A response an interceptor makes up reads like one from the network, once, in any of the ways. */
class ResponseBuilderTest {
    private static final Request REQUEST =
            Request.builder("GET", "http://made.up/x").build();

    @Test
    void carriesStatusVersionHeadersAndBody() {
        Response r = Response.builder(REQUEST, 203)
                .version(HttpVersion.HTTP_2)
                .header("Content-Type", "text/plain; charset=ISO-8859-1")
                .headers(HttpHeaders.of("X-One", "1"))
                .body("caf\u00e9".getBytes(StandardCharsets.ISO_8859_1))
                .build();

        assertThat(r.request()).isSameAs(REQUEST);
        assertThat(r.status()).isEqualTo(203);
        assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(r.reason()).isEmpty();
        assertThat(r.headers().first("x-one")).isEqualTo("1");
        assertThat(r.body().contentLength()).isEqualTo(4);
        assertThat(r.body().string()).isEqualTo("caf\u00e9");
        assertThat(r.trailers().toCompletableFuture().join().size()).isZero();
        assertThatThrownBy(() -> r.body().bytes()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void streamsThroughAnInputStreamAndAPublisher() throws Exception {
        try (InputStream in =
                Response.builder(REQUEST, 200).body("hello").build().body().inputStream()) {
            byte[] two = new byte[2];
            assertThat(in.read(two, 0, 2)).isEqualTo(2);
            assertThat(new String(two, StandardCharsets.UTF_8)).isEqualTo("he");
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("llo");
            assertThat(in.read()).isEqualTo(-1);
        }

        List<String> seen = new ArrayList<>();
        Response.builder(REQUEST, 200).body("world").build().body().publisher().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                seen.add(StandardCharsets.UTF_8.decode(item).toString());
            }

            @Override
            public void onError(Throwable throwable) {
                seen.add("error " + throwable);
            }

            @Override
            public void onComplete() {
                seen.add("complete");
            }
        });
        assertThat(seen).containsExactly("world", "complete");
    }

    @Test
    void anEmptyBodyIsEmptyEverywhere() {
        Response r = Response.builder(REQUEST, 204).build();
        assertThat(r.body().contentLength()).isZero();
        assertThat(r.body().bytesAsync().toCompletableFuture().join()).isEmpty();
    }

    @Test
    void refusesWhatNoServerCouldSend() {
        assertThatThrownBy(() -> Response.builder(REQUEST, 42))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("42");
        assertThatThrownBy(() -> Response.builder(REQUEST, 200).header("Bad Name", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Response.builder(REQUEST, 200).header("X", "line\r\nbreak"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
