package io.aioduct.spring.metrics.autoconfigure;

import io.aioduct.spring.autoconfigure.AioductProperties;
import io.aioduct.spring.metrics.AioductMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The Micrometer binding ({@link AioductMeterBinder}): {@code aioduct.*} meters for every engine the
 * starter creates, when micrometer-core is present and there is a {@link MeterRegistry} bean; ordered after
 * Spring Boot's metrics auto-configuration, which makes the registry. {@code aioduct.metrics.enabled=false}
 * turns it off. Engines an application defines itself are not bound.
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

    @Bean
    @ConditionalOnMissingBean
    AioductMeterBinder aioductMeterBinder(ObjectProvider<MeterRegistry> registry, AioductProperties properties) {
        AioductProperties.Metrics m = properties.getMetrics();
        return new AioductMeterBinder(registry.getObject(), m.getMaxOrigins(), m.isClientRequests());
    }
}
