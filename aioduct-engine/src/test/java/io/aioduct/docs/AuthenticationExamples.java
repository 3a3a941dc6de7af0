package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.Authenticator;
import io.aioduct.policy.Challenge;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The code of docs/authentication.md, run. */
class AuthenticationExamples extends EngineTest {

    @Test
    void credentialsUpFront() {
        server.route("/", (req, ex) -> ex.respond(200, String.valueOf(req.header("Authorization"))));
        String url = server.uri("/");
        String token = "mF_9.B5f-4.1JqM";
        try (HttpEngine engine = Aioduct.pooled()) {
            AioductClient client = AioductClient.builder(engine).build();
            // tag::up-front[]
            try (Response r =
                    client.get(url).basicAuth("Aladdin", "open sesame").execute()) {
                // sent: Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==
                System.out.println(r.body().string());
            }
            try (Response r = client.get(url).bearerAuth(token).execute()) {
                // sent: Authorization: Bearer mF_9.B5f-4.1JqM
                System.out.println(r.body().string());
            }
            // end::up-front[]
        }
    }

    @Test
    void answeringChallenges() {
        server.route("/", (req, ex) -> {
            if ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".equals(req.header("Authorization"))) {
                ex.respond(200, "welcome");
            } else {
                ex.respond(401, "who are you?".getBytes(), "WWW-Authenticate", "Basic realm=\"shop\"");
            }
        });
        String url = server.uri("/");
        // tag::authenticator[]
        try (HttpEngine engine = Aioduct.pooled()) {
            AioductClient client = AioductClient.builder(engine)
                    // Digest where the server offers it, else Basic; only for this origin.
                    .authenticator(Authenticator.digest("Aladdin", "open sesame")
                            .orElse(Authenticator.basic("Aladdin", "open sesame"))
                            .onlyFor(url))
                    .build();
            try (Response r = client.get(url).execute()) {
                System.out.println(r.status() + " " + r.body().string()); // 200 welcome
            }
        }
        // end::authenticator[]
    }

    // tag::custom[]
    /** Answers Bearer challenges with a fresh token: say, one from an OAuth client. */
    record RefreshingBearer(Supplier<String> tokens) implements Authenticator {
        @Override
        public @Nullable Request authenticate(Response response, List<Challenge> challenges) {
            boolean bearer = challenges.stream().anyMatch(c -> c.hasScheme("Bearer"));
            if (!bearer) return null; // hand the 401 back
            return response.request().toBuilder().bearerAuth(tokens.get()).build();
        }
    }
    // end::custom[]

    @Test
    void aCustomAuthenticator() {
        server.route("/", (req, ex) -> {
            if ("Bearer fresh".equals(req.header("Authorization"))) {
                ex.respond(200, "welcome");
            } else {
                ex.respond(401, new byte[0], "WWW-Authenticate", "Bearer realm=\"api\", error=\"invalid_token\"");
            }
        });
        AioductClient client = AioductClient.builder(engine(RuntimeKind.POOLED))
                .authenticator(new RefreshingBearer(() -> "fresh"))
                .build();
        try (Response r = client.get(server.uri("/")).bearerAuth("expired").execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("welcome");
        }
    }
}
