package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;

/**
 * Spring Boot's seam for blocking clients: builds an {@link AioductClientHttpRequestFactory} for each
 * RestClient, RestTemplate and HTTP service group Spring Boot configures. Every factory runs on the one
 * shared client's engine (its runtime and pools), or for settings with an SSL bundle on the engine {@link
 * SslBundleEngines} gives for it (same runtime); each gets its own client settings from {@link
 * HttpClientSettings} (timeouts, redirects, cookies). Immutable and thread-safe.
 */
public final class AioductClientHttpRequestFactoryBuilder
        implements ClientHttpRequestFactoryBuilder<AioductClientHttpRequestFactory> {
    private final AioductClient client;
    private final @Nullable SslBundleEngines sslBundleEngines;
    private final Consumer<AioductClient.Builder> clientCustomizer;

    /** A builder whose factories run on {@code client}'s engine; settings that carry an SSL bundle are refused. */
    public AioductClientHttpRequestFactoryBuilder(AioductClient client) {
        this(client, null, builder -> {});
    }

    /**
     * A builder whose factories run on {@code client}'s engine, or, when the settings carry an SSL bundle, on
     * the engine {@code sslBundleEngines} gives for it (with {@code client}'s settings all the same).
     */
    public AioductClientHttpRequestFactoryBuilder(AioductClient client, SslBundleEngines sslBundleEngines) {
        this(client, Objects.requireNonNull(sslBundleEngines, "sslBundleEngines"), builder -> {});
    }

    private AioductClientHttpRequestFactoryBuilder(
            AioductClient client,
            @Nullable SslBundleEngines sslBundleEngines,
            Consumer<AioductClient.Builder> customizer) {
        this.client = Objects.requireNonNull(client, "client");
        this.sslBundleEngines = sslBundleEngines;
        this.clientCustomizer = customizer;
    }

    /** A builder whose factories' clients are further adjusted by {@code customizer}, after the settings. */
    public AioductClientHttpRequestFactoryBuilder withClientCustomizer(Consumer<AioductClient.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new AioductClientHttpRequestFactoryBuilder(
                client, sslBundleEngines, clientCustomizer.andThen(customizer));
    }

    @Override
    public AioductClientHttpRequestFactory build(@Nullable HttpClientSettings settings) {
        return new AioductClientHttpRequestFactory(
                ClientSettings.derive(client, sslBundleEngines, settings, clientCustomizer));
    }
}
