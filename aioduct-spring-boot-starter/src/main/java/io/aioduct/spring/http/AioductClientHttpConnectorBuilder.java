package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;

/**
 * Spring Boot's seam for reactive clients: builds the {@link AioductClientHttpConnector} WebClient and
 * reactive HTTP service groups use. Every connector runs on the one shared client's engine, also for
 * settings with an SSL bundle, which give the client the bundle's TLS settings ({@link SslBundleTls}); each
 * gets its own client settings from {@link HttpClientSettings} (timeouts, redirects, cookies). Immutable
 * and thread-safe.
 */
public final class AioductClientHttpConnectorBuilder implements ClientHttpConnectorBuilder<AioductClientHttpConnector> {
    private final AioductClient client;
    private final SslBundleTls sslBundles;
    private final Consumer<AioductClient.Builder> clientCustomizer;

    /**
     * A builder whose connectors run on {@code client}'s engine; settings that carry an SSL bundle give the client
     * the bundle's TLS settings ({@link SslBundleTls}, its own for this builder and those derived from it).
     */
    public AioductClientHttpConnectorBuilder(AioductClient client) {
        this(client, new SslBundleTls(client.engine().config().tls()), builder -> {});
    }

    /**
     * A builder whose connectors run on {@code client}'s engine; settings that carry an SSL bundle give the client
     * the TLS settings {@code sslBundles} has for it (with {@code client}'s settings all the same): share one
     * {@link SslBundleTls} between builders so that their clients with the same bundle share connections.
     */
    public AioductClientHttpConnectorBuilder(AioductClient client, SslBundleTls sslBundles) {
        this(client, Objects.requireNonNull(sslBundles, "sslBundles"), builder -> {});
    }

    private AioductClientHttpConnectorBuilder(
            AioductClient client, SslBundleTls sslBundles, Consumer<AioductClient.Builder> customizer) {
        this.client = Objects.requireNonNull(client, "client");
        this.sslBundles = Objects.requireNonNull(sslBundles, "sslBundles");
        this.clientCustomizer = customizer;
    }

    /** A builder whose connectors' clients are further adjusted by {@code customizer}, after the settings. */
    public AioductClientHttpConnectorBuilder withClientCustomizer(Consumer<AioductClient.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new AioductClientHttpConnectorBuilder(client, sslBundles, clientCustomizer.andThen(customizer));
    }

    @Override
    public AioductClientHttpConnector build(@Nullable HttpClientSettings settings) {
        return new AioductClientHttpConnector(ClientSettings.derive(client, sslBundles, settings, clientCustomizer));
    }
}
