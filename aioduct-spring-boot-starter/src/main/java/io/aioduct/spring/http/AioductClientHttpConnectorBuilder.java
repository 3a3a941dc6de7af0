package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;

/**
 * Spring Boot's seam for reactive clients: builds the {@link AioductClientHttpConnector} WebClient and
 * reactive HTTP service groups use. Every connector runs on the one shared client's engine; each gets its
 * own client settings from {@link HttpClientSettings} (timeouts, redirects, cookies). Immutable and
 * thread-safe.
 */
public final class AioductClientHttpConnectorBuilder implements ClientHttpConnectorBuilder<AioductClientHttpConnector> {
    private final AioductClient client;
    private final Consumer<AioductClient.Builder> clientCustomizer;

    public AioductClientHttpConnectorBuilder(AioductClient client) {
        this(client, builder -> {});
    }

    private AioductClientHttpConnectorBuilder(AioductClient client, Consumer<AioductClient.Builder> customizer) {
        this.client = Objects.requireNonNull(client, "client");
        this.clientCustomizer = customizer;
    }

    /** A builder whose connectors' clients are further adjusted by {@code customizer}, after the settings. */
    public AioductClientHttpConnectorBuilder withClientCustomizer(Consumer<AioductClient.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new AioductClientHttpConnectorBuilder(client, clientCustomizer.andThen(customizer));
    }

    @Override
    public AioductClientHttpConnector build(@Nullable HttpClientSettings settings) {
        return new AioductClientHttpConnector(ClientSettings.derive(client, settings, clientCustomizer));
    }
}
