package io.aioduct.spring.integration;

import io.aioduct.Interceptor;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.autoconfigure.AioductClientCustomizer;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * A real Spring Boot application (embedded Tomcat, full auto-configuration) that calls itself. Every
 * request the aioduct client sends is stamped with the name of the engine's runtime, and the server
 * echoes that stamp back: a reply carrying it went through the engine.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ImportHttpServices(group = "self", types = SelfCallingApplication.GreetingService.class)
public class SelfCallingApplication {

    static final String RUNTIME_HEADER = "X-Aioduct-Runtime";

    /** What the application's own endpoint answers. */
    public record Greeting(String message, String runtime) {}

    /** An HTTP service interface over the application's own endpoints. */
    public interface GreetingService {
        @GetExchange("/greeting")
        Greeting greeting(@RequestParam("name") String name);

        @PostExchange("/echo")
        String echo(@RequestBody String body);
    }

    @RestController
    static class GreetingController {
        @GetMapping("/greeting")
        Greeting greeting(
                @RequestParam String name, @RequestHeader(name = RUNTIME_HEADER, required = false) String runtime) {
            return new Greeting("hello " + name, runtime == null ? "none" : runtime);
        }

        @PostMapping("/echo")
        String echo(@RequestBody String body, @RequestHeader(name = RUNTIME_HEADER, required = false) String runtime) {
            return body + " via " + runtime;
        }
    }

    @Bean
    AioductClientCustomizer stampTheRuntime(HttpEngine engine) {
        String runtime = engine.runtime().name();
        Interceptor stamp = chain -> chain.proceed(
                chain.request().toBuilder().setHeader(RUNTIME_HEADER, runtime).build());
        return builder -> builder.interceptor(stamp);
    }
}
