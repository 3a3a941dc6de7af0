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
 * shared client's engine (its runtime and pools), also for settings with an SSL bundle, which give the client
 * the bundle's TLS settings ({@link SslBundleTls}); each gets its own client settings from {@link
 * HttpClientSettings} (timeouts, redirects, cookies). Immutable and thread-safe.
 */
public final class AioductClientHttpRequestFactoryBuilder
        implements ClientHttpRequestFactoryBuilder<AioductClientHttpRequestFactory> {
    private final AioductClient client;
    private final SslBundleTls sslBundles;
    private final Consumer<AioductClient.Builder> clientCustomizer;

    /**
     * A builder whose factories run on {@code client}'s engine; settings that carry an SSL bundle give the client
     * the bundle's TLS settings ({@link SslBundleTls}, its own for this builder and those derived from it).
     */
    public AioductClientHttpRequestFactoryBuilder(AioductClient client) {
        this(client, new SslBundleTls(client.engine().config().tls()), builder -> {});
    }

    /**
     * A builder whose factories run on {@code client}'s engine; settings that carry an SSL bundle give the client
     * the TLS settings {@code sslBundles} has for it (with {@code client}'s settings all the same): share one
     * {@link SslBundleTls} between builders so that their clients with the same bundle share connections.
     */
    public AioductClientHttpRequestFactoryBuilder(AioductClient client, SslBundleTls sslBundles) {
        this(client, Objects.requireNonNull(sslBundles, "sslBundles"), builder -> {});
    }

    private AioductClientHttpRequestFactoryBuilder(
            AioductClient client, SslBundleTls sslBundles, Consumer<AioductClient.Builder> customizer) {
        this.client = Objects.requireNonNull(client, "client");
        this.sslBundles = Objects.requireNonNull(sslBundles, "sslBundles");
        this.clientCustomizer = customizer;
    }

    /** A builder whose factories' clients are further adjusted by {@code customizer}, after the settings. */
    public AioductClientHttpRequestFactoryBuilder withClientCustomizer(Consumer<AioductClient.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new AioductClientHttpRequestFactoryBuilder(client, sslBundles, clientCustomizer.andThen(customizer));
    }

    @Override
    public AioductClientHttpRequestFactory build(@Nullable HttpClientSettings settings) {
        return new AioductClientHttpRequestFactory(
                ClientSettings.derive(client, sslBundles, settings, clientCustomizer));
    }
}
