package io.aioduct.spring.autoconfigure;

import io.aioduct.AioductClient;
import io.aioduct.spring.http.AioductClientHttpConnectorBuilder;
import io.aioduct.spring.http.AioductClientHttpRequestFactoryBuilder;
import io.aioduct.spring.http.SslBundleTls;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.reactive.ClientHttpConnector;
import reactor.core.publisher.Mono;

/**
 * Puts Spring's HTTP clients on the engine through Spring Boot's own seams: the {@link
 * ClientHttpRequestFactoryBuilder} bean (RestClient.Builder, RestTemplateBuilder, HTTP service groups)
 * and the {@link ClientHttpConnectorBuilder} bean (WebClient.Builder, reactive service groups). Ordered
 * before Spring Boot's HTTP client auto-configuration, whose builder beans then back off; Spring Boot
 * still builds every factory and connector itself, passing its {@code HttpClientSettings}. Settings with
 * an SSL bundle give the client the bundle's TLS settings from the {@link SslBundleTls} bean, on the same
 * engine.
 *
 * <p>Backs off when the application defines its own builder, or names Spring Boot's own choice with
 * {@code spring.http.clients.imperative.factory} / {@code spring.http.clients.reactive.connector}.
 * Spring Boot's {@code ClientHttpRequestFactoryBuilderCustomizer} and {@code
 * ClientHttpConnectorBuilderCustomizer} beans are applied as Spring Boot would. When one of those properties is
 * set, {@link SpringClientChoices} logs at start which clients it took away from aioduct.
 */
@AutoConfiguration(
        after = AioductAutoConfiguration.class,
        beforeName = {
            "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration",
            "org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration"
        })
@ConditionalOnClass(ClientHttpRequestFactoryBuilder.class)
public final class AioductHttpClientAutoConfiguration {

    /** Logs which of Spring's clients a {@code spring.http.clients.*} property takes away from aioduct. */
    @Bean
    @ConditionalOnBean(AioductClient.class)
    static SpringClientChoices aioductSpringClientChoices(Environment environment) {
        return new SpringClientChoices(environment);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ClientHttpRequestFactory.class)
    @ConditionalOnBean(AioductClient.class)
    @Conditional(NoSpringFactoryChosen.class)
    static class Blocking {

        @Bean
        @ConditionalOnMissingBean(ClientHttpRequestFactoryBuilder.class)
        ClientHttpRequestFactoryBuilder<?> aioductClientHttpRequestFactoryBuilder(
                AioductClient client,
                SslBundleTls sslBundleTls,
                ObjectProvider<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
            return customize(
                    new AioductClientHttpRequestFactoryBuilder(client, sslBundleTls),
                    customizers.orderedStream().toList());
        }

        @SuppressWarnings("unchecked")
        private static ClientHttpRequestFactoryBuilder<?> customize(
                ClientHttpRequestFactoryBuilder<?> builder,
                List<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
            ClientHttpRequestFactoryBuilder<?>[] result = {builder};
            LambdaSafe.callbacks(ClientHttpRequestFactoryBuilderCustomizer.class, customizers, result[0])
                    .invoke(customizer -> result[0] = customizer.customize(result[0]));
            return result[0];
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ClientHttpConnector.class, Mono.class})
    @ConditionalOnBean(AioductClient.class)
    @Conditional(NoSpringConnectorChosen.class)
    static class Reactive {

        @Bean
        @ConditionalOnMissingBean(ClientHttpConnectorBuilder.class)
        ClientHttpConnectorBuilder<?> aioductClientHttpConnectorBuilder(
                AioductClient client,
                SslBundleTls sslBundleTls,
                ObjectProvider<ClientHttpConnectorBuilderCustomizer<?>> customizers) {
            return customize(
                    new AioductClientHttpConnectorBuilder(client, sslBundleTls),
                    customizers.orderedStream().toList());
        }

        @SuppressWarnings("unchecked")
        private static ClientHttpConnectorBuilder<?> customize(
                ClientHttpConnectorBuilder<?> builder, List<ClientHttpConnectorBuilderCustomizer<?>> customizers) {
            ClientHttpConnectorBuilder<?>[] result = {builder};
            LambdaSafe.callbacks(ClientHttpConnectorBuilderCustomizer.class, customizers, result[0])
                    .invoke(customizer -> result[0] = customizer.customize(result[0]));
            return result[0];
        }
    }

    /** Matches unless {@code spring.http.clients.imperative.factory} names Spring Boot's own choice. */
    static final class NoSpringFactoryChosen extends NoneNestedConditions {
        NoSpringFactoryChosen() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty("spring.http.clients.imperative.factory")
        static final class FactoryChosen {}
    }

    /** Matches unless {@code spring.http.clients.reactive.connector} names Spring Boot's own choice. */
    static final class NoSpringConnectorChosen extends NoneNestedConditions {
        NoSpringConnectorChosen() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty("spring.http.clients.reactive.connector")
        static final class ConnectorChosen {}
    }
}
