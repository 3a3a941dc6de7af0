package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.AioductException;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.RedirectPolicy;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The code of docs/redirects.md, run. */
class RedirectsExamples extends EngineTest {

    @Test
    void followingAndWhereItEnded() {
        server.route("/old", (req, ex) -> ex.respond(301, new byte[0], "Location", "/new"));
        server.route("/new", (req, ex) -> ex.respond(200, "new"));
        HttpEngine engine = engine(RuntimeKind.POOLED);
        String url = server.uri("/old");
        // tag::default[]
        AioductClient client = AioductClient.builder(engine).build(); // follows redirects: RedirectPolicy.normal()
        try (Response response = client.get(url).execute()) {
            URI landedOn = response.request().uri(); // the last hop's URI
            String body = response.body().string();
            // end::default[]
            assertThat(landedOn.getPath()).isEqualTo("/new");
            assertThat(body).isEqualTo("new");
        }
    }

    @Test
    void configuring() {
        server.route("/old", (req, ex) -> ex.respond(302, new byte[0], "Location", "/new"));
        server.route("/loop", (req, ex) -> ex.respond(302, new byte[0], "Location", "/loop"));
        HttpEngine engine = engine(RuntimeKind.POOLED);
        String url = server.uri("/old");
        // tag::configure[]
        AioductClient raw = AioductClient.builder(engine)
                .redirects(RedirectPolicy.never()) // every 3xx is the response
                .build();
        AioductClient careful = AioductClient.builder(engine)
                .redirects(RedirectPolicy.normal()
                        .withMaxHops(5)
                        .withReferer(true)
                        .withFilter((request, target) ->
                                target.getHost().equals(request.origin().host())))
                .build();
        // end::configure[]
        try (Response r = raw.get(url).execute()) {
            assertThat(r.status()).isEqualTo(302);
        }
        try (Response r = careful.get(url).execute()) {
            assertThat(r.status()).isEqualTo(404);
        }
        String loop = server.uri("/loop");
        // tag::limit[]
        try {
            careful.get(loop).execute().close();
        } catch (AioductException e) {
            // "too many redirects: the limit is 5 (RedirectPolicy.withMaxHops), and http://.../loop answered 302
            // again, to http://.../loop; a redirect loop, or raise the limit"
        }
        // end::limit[]
        assertThatThrownBy(() -> careful.get(loop).execute())
                .isInstanceOf(AioductException.class)
                .hasMessageContaining("the limit is 5");
    }
}
