package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;

/**
 * Spring Boot's seam for reactive clients: builds the {@link AioductClientHttpConnector} WebClient and
 * reactive HTTP service groups use. Every connector runs on the one shared client's engine, or for
 * settings with an SSL bundle on the engine {@link SslBundleEngines} gives for it (same runtime); each
 * gets its own client settings from {@link HttpClientSettings} (timeouts, redirects, cookies). Immutable
 * and thread-safe.
 */
public final class AioductClientHttpConnectorBuilder implements ClientHttpConnectorBuilder<AioductClientHttpConnector> {
    private final AioductClient client;
    private final @Nullable SslBundleEngines sslBundleEngines;
    private final Consumer<AioductClient.Builder> clientCustomizer;

    /** A builder whose connectors run on {@code client}'s engine; settings that carry an SSL bundle are refused. */
    public AioductClientHttpConnectorBuilder(AioductClient client) {
        this(client, null, builder -> {});
    }

    /**
     * A builder whose connectors run on {@code client}'s engine, or, when the settings carry an SSL bundle, on
     * the engine {@code sslBundleEngines} gives for it (with {@code client}'s settings all the same).
     */
    public AioductClientHttpConnectorBuilder(AioductClient client, SslBundleEngines sslBundleEngines) {
        this(client, Objects.requireNonNull(sslBundleEngines, "sslBundleEngines"), builder -> {});
    }

    private AioductClientHttpConnectorBuilder(
            AioductClient client,
            @Nullable SslBundleEngines sslBundleEngines,
            Consumer<AioductClient.Builder> customizer) {
        this.client = Objects.requireNonNull(client, "client");
        this.sslBundleEngines = sslBundleEngines;
        this.clientCustomizer = customizer;
    }

    /** A builder whose connectors' clients are further adjusted by {@code customizer}, after the settings. */
    public AioductClientHttpConnectorBuilder withClientCustomizer(Consumer<AioductClient.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new AioductClientHttpConnectorBuilder(client, sslBundleEngines, clientCustomizer.andThen(customizer));
    }

    @Override
    public AioductClientHttpConnector build(@Nullable HttpClientSettings settings) {
        return new AioductClientHttpConnector(
                ClientSettings.derive(client, sslBundleEngines, settings, clientCustomizer));
    }
}
