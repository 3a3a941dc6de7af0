package io.aioduct.spring.actuate.autoconfigure;

import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.actuate.AioductEndpoint;
import io.aioduct.spring.autoconfigure.AioductAutoConfiguration;
import io.aioduct.spring.autoconfigure.AioductClients;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code aioduct} actuator endpoint, when the actuator is present and the endpoint is available
 * (exposed with {@code management.endpoints.web.exposure.include=aioduct}).
 */
@AutoConfiguration(after = AioductAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnBean(HttpEngine.class)
@ConditionalOnAvailableEndpoint(AioductEndpoint.class)
public final class AioductEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AioductEndpoint aioductEndpoint(HttpEngine engine, ObjectProvider<AioductClients> clients) {
        AioductClients all = clients.getIfAvailable();
        if (all == null) {
            return new AioductEndpoint(engine);
        }
        Map<String, HttpEngine> engines = new LinkedHashMap<>();
        all.names().forEach(name -> engines.put(name, all.engine(name)));
        return new AioductEndpoint(engines);
    }
}
