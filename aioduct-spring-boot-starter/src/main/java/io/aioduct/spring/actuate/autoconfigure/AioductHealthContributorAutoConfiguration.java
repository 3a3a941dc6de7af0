package io.aioduct.spring.actuate.autoconfigure;

import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.actuate.AioductHealthIndicator;
import io.aioduct.spring.autoconfigure.AioductAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code aioduct} health indicator, when Spring Boot's health support is present; {@code
 * management.health.aioduct.enabled=false} turns it off.
 */
@AutoConfiguration(
        after = AioductAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(HttpEngine.class)
@ConditionalOnEnabledHealthIndicator("aioduct")
public final class AioductHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "aioductHealthIndicator")
    AioductHealthIndicator aioductHealthIndicator(HttpEngine engine) {
        return new AioductHealthIndicator(engine);
    }
}
