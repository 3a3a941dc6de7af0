package io.aioduct.spring.autoconfigure;

import io.aioduct.AioductClient;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.http.AioductClientHttpConnector;
import io.aioduct.spring.http.AioductClientHttpRequestFactory;
import io.aioduct.spring.http.AioductClientHttpRequestFactoryBuilder;
import io.aioduct.spring.http.SslBundleTls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.web.client.RestClient;

/**
 * Every aioduct client of the application by name: {@value #DEFAULT} (the auto-configured client, {@code
 * aioduct.runtime.*}) and one per {@code aioduct.clients.<name>}, each on an engine of its own (runtime,
 * threads, pools, meters tagged {@code name=<name>}). Each named client is also a bean, {@code
 * <name>AioductClient}, injected with {@code @Qualifier("<name>")}; it is never injected by type alone, so
 * an unqualified {@link AioductClient} stays the default one.
 *
 * <p>The Spring clients of a name ({@link #restClientBuilder}, {@link #requestFactory}, {@link #connector})
 * run on that name's engine through the starter's own adapters, e.g. to compare runtimes behind one
 * gateway. WebClient: {@code WebClient.builder().clientConnector(clients.connector(name))}.
 *
 * <p>Thread-safe. Closes the named engines (and their runtimes) when the context closes, sharing one grace
 * period ({@code aioduct.shutdown.grace}); the default engine is closed with it as before. Asking for a name
 * that is not configured fails with {@link IllegalArgumentException} listing the names there are.
 */
public final class AioductClients implements DisposableBean {
    /** The name of the auto-configured client, in lookups and in the {@code name} tag of its meters. */
    public static final String DEFAULT = "default";

    private final Map<String, Named> clients;
    private final Supplier<RestClient.Builder> restClientBuilders;
    private final Supplier<@Nullable HttpClientSettings> settings;
    private final long graceNanos;

    /** A client, its engine, the TLS settings of SSL bundles on it, and who closes the engine (null: not us). */
    record Named(
            AioductClient client,
            HttpEngine engine,
            SslBundleTls bundles,
            @Nullable ManagedEngines owned) {}

    AioductClients(
            Map<String, Named> clients,
            Supplier<RestClient.Builder> restClientBuilders,
            Supplier<@Nullable HttpClientSettings> settings,
            java.time.Duration grace) {
        this.clients = Collections.unmodifiableMap(new LinkedHashMap<>(clients));
        this.restClientBuilders = restClientBuilders;
        this.settings = settings;
        this.graceNanos = grace.toNanos();
    }

    /** {@value #DEFAULT} first, then the named clients in the order configured. */
    public Set<String> names() {
        return clients.keySet();
    }

    /** The client called {@code name}. */
    public AioductClient client(String name) {
        return named(name).client();
    }

    /** The engine of the client called {@code name}. */
    public HttpEngine engine(String name) {
        return named(name).engine();
    }

    /**
     * A {@link RestClient.Builder} whose requests run on {@code name}'s engine: Spring Boot's own builder
     * (observations, message converters, customizers) when Spring Boot configures one, else a plain one.
     * A new builder on every call.
     */
    public RestClient.Builder restClientBuilder(String name) {
        AioductClientHttpRequestFactory factory = requestFactory(name);
        return restClientBuilders.get().requestFactory(factory);
    }

    /**
     * A request factory (RestClient, RestTemplate) on {@code name}'s engine, with Spring Boot's HTTP client
     * settings ({@code spring.http.clients.*}) when present.
     */
    public AioductClientHttpRequestFactory requestFactory(String name) {
        Named n = named(name);
        return new AioductClientHttpRequestFactoryBuilder(n.client(), n.bundles()).build(settings.get());
    }

    /** A reactive connector (WebClient) on {@code name}'s engine. */
    public AioductClientHttpConnector connector(String name) {
        return new AioductClientHttpConnector(client(name));
    }

    private Named named(String name) {
        Objects.requireNonNull(name, "name");
        Named n = clients.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no aioduct client is named '" + name + "': the clients are "
                    + clients.keySet() + " (" + DEFAULT + " and aioduct.clients.<name>)");
        }
        return n;
    }

    @Override
    public void destroy() {
        long deadline = System.nanoTime() + graceNanos;
        List<RuntimeException> failures = new ArrayList<>();
        for (Named n : clients.values()) {
            if (n.owned() != null) {
                try {
                    n.owned().destroy(deadline);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
