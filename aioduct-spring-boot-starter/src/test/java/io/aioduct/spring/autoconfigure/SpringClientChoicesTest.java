package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.spring.http.AioductClientHttpConnectorBuilder;
import io.aioduct.spring.http.AioductClientHttpRequestFactoryBuilder;
import io.aioduct.spring.testing.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

/**
 * When Spring Boot's {@code spring.http.clients.*} properties hand Spring's clients to another library, the
 * start-up log says which clients left aioduct; without them it says nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
class SpringClientChoicesTest extends NoLeaks {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AioductAutoConfiguration.class,
                    AioductHttpClientAutoConfiguration.class,
                    SslAutoConfiguration.class,
                    HttpClientAutoConfiguration.class,
                    ImperativeHttpClientAutoConfiguration.class,
                    ReactiveHttpClientAutoConfiguration.class));

    @Test
    void theImperativeFactoryPropertyIsLoggedWithTheClientsItTakes(CapturedOutput output) {
        runner.withPropertyValues("spring.http.clients.imperative.factory=jdk").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isNotInstanceOf(AioductClientHttpRequestFactoryBuilder.class);
        });

        assertThat(output)
                .containsOnlyOnce("spring.http.clients.imperative.factory=jdk: RestClient, RestTemplate and HTTP "
                        + "service clients on RestClient use the JDK's HttpClient, not aioduct")
                .doesNotContain("spring.http.clients.reactive.connector");
    }

    @Test
    void theReactiveConnectorPropertyIsLoggedWithTheClientsItTakes(CapturedOutput output) {
        runner.withPropertyValues("spring.http.clients.reactive.connector=jdk").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ClientHttpConnectorBuilder.class))
                    .isNotInstanceOf(AioductClientHttpConnectorBuilder.class);
        });

        assertThat(output)
                .containsOnlyOnce("spring.http.clients.reactive.connector=jdk: WebClient and HTTP service clients "
                        + "on WebClient use the JDK's HttpClient, not aioduct")
                .doesNotContain("spring.http.clients.imperative.factory");
    }

    @Test
    void withoutThePropertiesNothingIsSaid(CapturedOutput output) {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(SpringClientChoices.class);
        });

        assertThat(output).doesNotContain("not aioduct");
    }

    @Test
    void everyValueSpringBootAcceptsNamesItsLibrary() {
        MockEnvironment env = new MockEnvironment()
                .withProperty(SpringClientChoices.IMPERATIVE_FACTORY, "http-components")
                .withProperty(SpringClientChoices.REACTIVE_CONNECTOR, "REACTOR");

        assertThat(SpringClientChoices.lines(env))
                .satisfiesExactly(
                        imperative -> assertThat(imperative).contains("use Apache HttpComponents, not aioduct"),
                        reactive -> assertThat(reactive).contains("use Reactor Netty, not aioduct"));
        assertThat(SpringClientChoices.lines(
                        new MockEnvironment().withProperty(SpringClientChoices.IMPERATIVE_FACTORY, "simple")))
                .singleElement()
                .asString()
                .contains("use HttpURLConnection (Spring's simple factory), not aioduct");
    }
}
