package io.aioduct.spring.autoconfigure;

import io.aioduct.AioductClient;
import io.aioduct.engine.HttpEngine;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * The engine and the client: one {@link HttpEngine} (its runtime, threads and pools) created once from
 * the {@code aioduct.*} properties and closed with the context, and one {@link AioductClient} on it
 * that every Spring HTTP client shares. Each bean backs off when the application defines its own.
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

    /** The engine and its shutdown, only when the application has no engine of its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(HttpEngine.class)
    static class EngineConfiguration {

        @Bean
        EngineShutdown aioductEngineShutdown(AioductProperties properties) {
            return new EngineShutdown(properties.getShutdown().getGrace());
        }

        /** Closed by {@link EngineShutdown} with the grace period, not by Spring's inferred close(). */
        @Bean(destroyMethod = "")
        HttpEngine aioductEngine(
                AioductProperties properties,
                EngineShutdown shutdown,
                Environment environment,
                ResourceLoader resourceLoader,
                ObjectProvider<AioductEngineConfigCustomizer> customizers) {
            EngineFactory factory = new EngineFactory(properties, environment, resourceLoader.getClassLoader());
            return shutdown.manage(factory.create(customizers.orderedStream().toList()));
        }
    }
}
