package io.aioduct.sample.testing;

import io.aioduct.sample.SampleApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample app started in the test JVM on random loopback ports (app and management), with extra
 * command-line arguments; plus a plain JDK HTTP client to talk to it. Closing it closes the context.
 */
public final class SampleApp implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ConfigurableApplicationContext context;
    private final int port;
    private final int managementPort;

    private SampleApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
        this.managementPort = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.management.port"));
    }

    public static SampleApp start(String... args) {
        List<String> all = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0"));
        all.addAll(List.of(args));
        return new SampleApp(new SpringApplicationBuilder(SampleApplication.class).run(all.toArray(String[]::new)));
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public URI managementUrl(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public static HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build());
    }

    public static HttpResponse<String> post(URI uri) {
        return send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.uri().toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
