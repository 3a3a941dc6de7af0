package io.aioduct.spring.metrics.autoconfigure;

import io.aioduct.spring.autoconfigure.AioductProperties;
import io.aioduct.spring.metrics.AioductClientRequestObservationConvention;
import io.aioduct.spring.metrics.AioductHistograms;
import io.aioduct.spring.metrics.AioductMeterBinder;
import io.aioduct.spring.metrics.AioductWebClientRequestObservationConvention;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.client.observation.ClientRequestObservationConvention;

/**
 * The Micrometer binding ({@link AioductMeterBinder}): {@code aioduct.*} meters for every engine the
 * starter creates, when micrometer-core is present and there is a {@link MeterRegistry} bean; ordered after
 * Spring Boot's metrics auto-configuration, which makes the registry. Besides, histograms for aioduct's latency
 * timers ({@link AioductHistograms}) and the {@code aioduct.client} / {@code aioduct.runtime} tags on Spring's
 * {@code http.client.requests} ({@link AioductClientRequestObservationConvention}), so the Grafana dashboard
 * fills for an ordinary RestClient app with no property (WebClient's requests get the same tags). {@code aioduct.metrics.enabled=false} turns all of it
 * off. Engines an application defines itself are not bound.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "aioduct.metrics.enabled", matchIfMissing = true)
public final class AioductMetricsAutoConfiguration {

    /** Spring Boot's property filter ({@code management.metrics.distribution.*}) has order 0: it runs after. */
    static final int HISTOGRAMS_ORDER = -1;

    /** Spring Boot's property naming the client request observation (and so its timer). */
    static final String OBSERVATION_NAME_PROPERTY = "management.observations.http.client.requests.name";

    static final String DEFAULT_OBSERVATION_NAME = "http.client.requests";

    @Bean
    @ConditionalOnMissingBean
    AioductMeterBinder aioductMeterBinder(ObjectProvider<MeterRegistry> registry, AioductProperties properties) {
        AioductProperties.Metrics m = properties.getMetrics();
        return new AioductMeterBinder(registry.getObject(), m.getMaxOrigins(), m.isClientRequests());
    }

    /** Histograms on by default for aioduct's latency timers, before the properties that may override them. */
    @Bean
    @Order(HISTOGRAMS_ORDER)
    @ConditionalOnMissingBean
    static AioductHistograms aioductHistograms(Environment environment) {
        return new AioductHistograms(environment.getProperty(OBSERVATION_NAME_PROPERTY, DEFAULT_OBSERVATION_NAME));
    }

    /**
     * Tags {@code http.client.requests} of RestClient and RestTemplate with the aioduct client and runtime that
     * carried each request; Spring Boot's observation auto-configuration picks this bean up unless the
     * application defines its own convention.
     */
    @Bean
    @ConditionalOnClass(name = "io.micrometer.observation.ObservationConvention")
    @ConditionalOnMissingBean(ClientRequestObservationConvention.class)
    AioductClientRequestObservationConvention aioductClientRequestObservationConvention(
            Environment environment, AioductMeterBinder binder) {
        return new AioductClientRequestObservationConvention(
                environment.getProperty(OBSERVATION_NAME_PROPERTY, DEFAULT_OBSERVATION_NAME), binder);
    }

    /**
     * The same tags on WebClient's {@code http.client.requests}: Spring Boot's WebClient observation customizer
     * picks this bean up unless the application defines its own reactive convention.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.web.reactive.function.client.ClientRequestObservationConvention")
    static final class WebClientTags {
        @Bean
        @ConditionalOnMissingBean(
                type = "org.springframework.web.reactive.function.client.ClientRequestObservationConvention")
        AioductWebClientRequestObservationConvention aioductWebClientRequestObservationConvention(
                Environment environment, AioductMeterBinder binder) {
            return new AioductWebClientRequestObservationConvention(
                    environment.getProperty(OBSERVATION_NAME_PROPERTY, DEFAULT_OBSERVATION_NAME), binder);
        }
    }
}
