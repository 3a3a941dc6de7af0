package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.policy.Authenticator;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** An application's {@link Authenticator} bean answers the default client's challenges, and only its. */
class AuthenticatorBeanTest extends NoLeaks {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class));

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
        // Basic YTpi is "a:b".
        server.route("/private", (req, ex) -> {
            if ("Basic YTpi".equals(req.header("Authorization"))) {
                ex.respond(200, "welcome");
            } else {
                ex.respond(401, "who are you?".getBytes(), "WWW-Authenticate", "Basic realm=\"test\"");
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static int status(AioductClient client, String url) {
        try (Response r = client.get(url).execute()) {
            r.body().string();
            return r.status();
        }
    }

    // tag::bean[]
    @Configuration(proxyBeanMethods = false)
    static class ShopCredentials {
        @Bean
        Authenticator shopAuthenticator(
                @Value("${shop.user}") String user, @Value("${shop.password}") String password) {
            return Authenticator.basic(user, password);
        }
    }
    // end::bean[]

    @Test
    void theAuthenticatorBeanAnswersTheDefaultClientsChallenges() {
        runner.withUserConfiguration(ShopCredentials.class)
                .withPropertyValues("shop.user=a", "shop.password=b")
                .withPropertyValues("aioduct.clients.other.runtime.kind=virtual")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    String url = server.uri("/private");
                    assertThat(status(context.getBean(AioductClient.class), url))
                            .isEqualTo(200);
                    // A named client talks to another service: the default client's credentials stay home.
                    assertThat(status(context.getBean(AioductClients.class).client("other"), url))
                            .isEqualTo(401);
                });
    }

    @Test
    void withoutABeanChallengesAreHandedBack() {
        runner.run(context -> assertThat(status(context.getBean(AioductClient.class), server.uri("/private")))
                .isEqualTo(401));
    }

    @Test
    void aCustomizerCanSetOrReplaceTheAuthenticator() {
        runner.withBean(Authenticator.class, () -> Authenticator.basic("a", "wrong"))
                .withBean(AioductClientCustomizer.class, () -> b -> b.authenticator(Authenticator.basic("a", "b")))
                .run(context -> assertThat(status(context.getBean(AioductClient.class), server.uri("/private")))
                        .isEqualTo(200));
    }
}
