package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.Authenticator;
import io.aioduct.policy.CookieStore;
import io.aioduct.policy.Decompression;
import io.aioduct.policy.RedirectPolicy;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The code of docs/policies.md, run: every built-in policy switched on one builder, in the chain's order. */
class PolicyExamples extends EngineTest {

    @Test
    void everyPolicyOnOneBuilder() {
        server.route(
                "/start", (req, ex) -> ex.respond(302, new byte[0], "Location", "/landing", "Set-Cookie", "seen=1"));
        server.route("/landing", (req, ex) -> ex.respond(200, "landed with " + req.header("Cookie")));
        HttpEngine engine = engine(RuntimeKind.POOLED);
        List<String> wire = new CopyOnWriteArrayList<>();
        // tag::chain[]
        AioductClient client = AioductClient.builder(engine)
                .interceptor(chain -> chain.proceed(chain.request())) // sees one call
                .redirects(RedirectPolicy.normal().withMaxHops(5)) // on by default (20 hops)
                .authenticator(Authenticator.basic("user", "secret")) // off by default
                .cookieStore(CookieStore.inMemory()) // off by default
                .decompression(Decompression.defaults()) // on by default: gzip, deflate
                .networkInterceptor(
                        chain -> { // sees every request really sent
                            wire.add(chain.request().method() + " "
                                    + chain.request().uri().getPath());
                            return chain.proceed(chain.request());
                        })
                .build();
        try (Response r = client.get(server.uri("/start")).execute()) {
            System.out.println(r.request().uri() + ": " + r.body().string());
        }
        // end::chain[]
        assertThat(wire).containsExactly("GET /start", "GET /landing");
        server.takeRequest();
        assertThat(server.takeRequest().header("Cookie")).isEqualTo("seen=1");
    }
}
