package io.aioduct.sample.plain;

import io.aioduct.sample.testing.SampleApp;
import java.net.URI;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * An ordinary RestClient app on the starter, as a user writes one: Boot's {@code RestClient.Builder}, the
 * actuator's Prometheus endpoint exposed, and no metrics property at all (it reads {@code plain.properties},
 * not the sample app's {@code application.properties}). {@code /work} calls its own {@code /downstream} over
 * HTTP and once over HTTPS against that plain HTTP port, a handshake that fails: an app calling https APIs
 * fills the TLS panel with successes, this one with failures.
 */
@SpringBootApplication
@RestController
public class PlainRestClientApp {
    private final RestClient rest;
    private final Environment environment;

    PlainRestClientApp(RestClient.Builder builder, Environment environment) {
        this.rest = builder.build();
        this.environment = environment;
    }

    /** Starts the app on a free loopback port; {@code args} such as {@code --aioduct.runtime.kind=virtual}. */
    public static ConfigurableApplicationContext start(String... args) {
        return new SpringApplicationBuilder(PlainRestClientApp.class)
                .properties("spring.config.name=plain")
                .run(args);
    }

    /** The app's base URL. */
    public static URI url(ConfigurableApplicationContext app, String path) {
        return URI.create("http://127.0.0.1:" + app.getEnvironment().getRequiredProperty("local.server.port") + path);
    }

    /** Drives one round of work through the app, as a user's request would. */
    public static void work(ConfigurableApplicationContext app) {
        SampleApp.get(url(app, "/work"));
    }

    @GetMapping("/downstream")
    String downstream() {
        return "hello";
    }

    @GetMapping("/work")
    String work() {
        String port = environment.getRequiredProperty("local.server.port");
        StringBuilder result = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            result.append(rest.get()
                    .uri("http://127.0.0.1:{port}/downstream", port)
                    .retrieve()
                    .body(String.class));
        }
        try {
            rest.get()
                    .uri("https://127.0.0.1:{port}/downstream", port)
                    .retrieve()
                    .toBodilessEntity();
        } catch (ResourceAccessException expected) {
            result.append(" tls failed");
        }
        return result.toString();
    }
}
