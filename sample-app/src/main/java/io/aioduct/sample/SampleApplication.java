package io.aioduct.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * The sample application. Runs on loopback: the app's own port (8080 unless {@code server.port} says
 * otherwise) serves the downstream endpoints, the gateways and the dashboard; the management port (8081)
 * serves the actuator. The aioduct runtime is chosen by {@code aioduct.runtime.kind} or a profile
 * ({@code pooled}, {@code virtual}, {@code io-uring}); the {@code compare} profile adds one named client per
 * runtime so the dashboard can load them side by side.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
@ImportHttpServices(group = "downstream", types = DownstreamApi.class)
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
