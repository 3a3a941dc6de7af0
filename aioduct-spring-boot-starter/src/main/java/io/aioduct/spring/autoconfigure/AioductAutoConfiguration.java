package io.aioduct.spring.autoconfigure;

import io.aioduct.AioductClient;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.http.SslBundleEngines;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * The engine and the client: one {@link HttpEngine} (its runtime, threads and pools) created once from
 * the {@code aioduct.*} properties and closed with the context, and one {@link AioductClient} on it
 * that every Spring HTTP client shares. Each bean backs off when the application defines its own. The
 * {@link SslBundleEngines} bean makes the engines for SSL bundles in Spring Boot's HTTP client settings,
 * on the same runtime, and closes them with the context.
 */
@AutoConfiguration
@EnableConfigurationProperties(AioductProperties.class)
public final class AioductAutoConfiguration {

    /** Binds {@code aioduct.runtime.kind}, failing with the allowed values on anything else. */
    @Bean
    @ConfigurationPropertiesBinding
    static Converter<String, RuntimeKind> aioductRuntimeKindConverter() {
        return new RuntimeKindConverter();
    }

    @Bean
    @ConditionalOnMissingBean
    AioductClient aioductClient(
            HttpEngine engine, AioductProperties properties, ObjectProvider<AioductClientCustomizer> customizers) {
        AioductProperties.Timeouts t = properties.getTimeouts();
        AioductClient.Builder builder = AioductClient.builder(engine)
                .connectTimeout(t.getConnect())
                .responseTimeout(t.getResponse())
                .readTimeout(t.getRead())
                .totalTimeout(t.getTotal())
                .maxBufferedBodyBytes(properties.getMaxBufferedBodySize().toBytes());
        String userAgent = properties.getUserAgent();
        if (userAgent != null) {
            if (userAgent.isEmpty()) {
                builder.noUserAgent();
            } else {
                builder.userAgent(userAgent);
            }
        }
        properties.getDefaultHeaders().forEach(builder::defaultHeader);
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }

    /**
     * Engines for SSL bundles beside an engine the application defined itself; that engine is not closed by
     * the starter. (With the auto-configured engine, {@link EngineConfiguration} provides them.)
     */
    @Bean
    @ConditionalOnMissingBean(SslBundleEngines.class)
    ManagedEngines aioductSslBundleEngines(HttpEngine engine, AioductProperties properties) {
        return new ManagedEngines(properties.getShutdown().getGrace()).besides(engine);
    }

    /** The engine and its shutdown, only when the application has no engine of its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(HttpEngine.class)
    static class EngineConfiguration {

        /** Closes the engine, its runtime and the engines made for SSL bundles when the context closes. */
        @Bean
        ManagedEngines aioductEngines(AioductProperties properties) {
            return new ManagedEngines(properties.getShutdown().getGrace());
        }

        /** Closed by {@link ManagedEngines} with the grace period, not by Spring's inferred close(). */
        @Bean(destroyMethod = "")
        HttpEngine aioductEngine(
                AioductProperties properties,
                ManagedEngines engines,
                Environment environment,
                ResourceLoader resourceLoader,
                ObjectProvider<SslBundles> sslBundles,
                ObjectProvider<AioductEngineConfigCustomizer> customizers) {
            EngineFactory factory = new EngineFactory(
                    properties, environment, resourceLoader.getClassLoader(), sslBundles.getIfAvailable());
            return engines.own(factory.create(customizers.orderedStream().toList()), factory.tlsBundle());
        }
    }
}
