package io.aioduct.spring.autoconfigure;

import io.aioduct.AioductClient;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.Authenticator;
import io.aioduct.policy.CookieStore;
import io.aioduct.policy.Decompression;
import io.aioduct.policy.RedirectPolicy;
import io.aioduct.spring.http.SslBundleTls;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.web.client.RestClient;

/**
 * The engine and the client: one {@link HttpEngine} (its runtime, threads and pools) created once from
 * the {@code aioduct.*} properties, drained when the context stops ({@link AioductGracefulShutdownLifecycle})
 * and closed with it, and one {@link AioductClient} on it
 * that every Spring HTTP client shares. Each bean backs off when the application defines its own. The
 * {@link SslBundleTls} bean gives the SSL bundles in Spring Boot's HTTP client settings as TLS settings of
 * clients on that one engine (TLS settings are part of the route a connection is pooled under). Each {@code aioduct.clients.<name>} adds an engine
 * and a client of its own ({@link AioductClients}, {@link NamedClientsRegistrar}).
 */
@AutoConfiguration
@EnableConfigurationProperties(AioductProperties.class)
@Import(NamedClientsRegistrar.class)
// The registrar is package-private on purpose: Spring reads @Import reflectively; users never name it.
@SuppressWarnings("exports")
public final class AioductAutoConfiguration {

    /** Binds {@code aioduct.runtime.kind}, failing with the allowed values on anything else. */
    @Bean
    @ConfigurationPropertiesBinding
    static Converter<String, RuntimeKind> aioductRuntimeKindConverter() {
        return new RuntimeKindConverter();
    }

    /**
     * Waits for the requests in flight on the starter's engines when the context stops, after the web server
     * stopped ({@code spring.lifecycle.timeout-per-shutdown-phase}). Static: no configuration instance is
     * needed to make it, and the engines' beans register with it as they are made.
     */
    @Bean
    static AioductGracefulShutdownLifecycle aioductGracefulShutdownLifecycle(Environment environment) {
        return AioductGracefulShutdownLifecycle.of(environment);
    }

    /**
     * The default client; an application's {@link Authenticator} bean, if it has exactly one, answers its 401
     * and 407 challenges (named clients talk to other services, so they do not get it: a customizer or their
     * own builder can set one, ideally {@link Authenticator#onlyFor} their origin).
     */
    @Bean
    @ConditionalOnMissingBean
    AioductClient aioductClient(
            HttpEngine engine,
            AioductProperties properties,
            ObjectProvider<AioductClientCustomizer> customizers,
            ObjectProvider<Authenticator> authenticator) {
        return client(engine, properties, authenticator.getIfUnique(), customizers);
    }

    static AioductClient client(
            HttpEngine engine, AioductProperties properties, ObjectProvider<AioductClientCustomizer> customizers) {
        return client(engine, properties, null, customizers);
    }

    /** A client on {@code engine} with the {@code aioduct.*} client settings and the customizers applied. */
    static AioductClient client(
            HttpEngine engine,
            AioductProperties properties,
            @Nullable Authenticator authenticator,
            ObjectProvider<AioductClientCustomizer> customizers) {
        AioductProperties.Timeouts t = properties.getTimeouts();
        AioductClient.Builder builder = AioductClient.builder(engine)
                .connectTimeout(t.getConnect())
                .responseTimeout(t.getResponse())
                .readTimeout(t.getRead())
                .totalTimeout(t.getTotal())
                .maxBufferedBodyBytes(properties.getMaxBufferedBodySize().toBytes())
                .decompression(
                        properties.getDecompression().isEnabled() ? Decompression.defaults() : Decompression.off());
        String userAgent = properties.getUserAgent();
        if (userAgent != null) {
            if (userAgent.isEmpty()) {
                builder.noUserAgent();
            } else {
                builder.userAgent(userAgent);
            }
        }
        properties.getDefaultHeaders().forEach(builder::defaultHeader);
        if (authenticator != null) builder.authenticator(authenticator);
        if (properties.getCookies().isEnabled()) {
            builder.cookieStore(CookieStore.inMemory());
        }
        builder.redirects(redirects(properties.getRedirects()));
        if (properties.getRetry().isEnabled()) {
            builder.retries(properties.getRetry().toPolicy());
        }
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }

    /** {@code aioduct.redirects.*} as the engine's policy. */
    static RedirectPolicy redirects(AioductProperties.Redirects r) {
        RedirectPolicy policy = switch (r.getFollow()) {
            case NORMAL -> RedirectPolicy.normal();
            case ALWAYS -> RedirectPolicy.always();
            case NEVER -> RedirectPolicy.never();
        };
        return policy.isNever() ? policy : policy.withMaxHops(r.getMaxHops()).withReferer(r.isReferer());
    }

    /**
     * The default client and one more engine and client per {@code aioduct.clients.<name>}: each named engine is
     * created now, like the default one, and closed with the context (see {@link AioductClients}).
     */
    @Bean(NamedClientsRegistrar.CLIENTS_BEAN)
    @ConditionalOnMissingBean
    AioductClients aioductClients(
            AioductClient client,
            HttpEngine engine,
            SslBundleTls sslBundleTls,
            AioductProperties properties,
            Environment environment,
            ResourceLoader resourceLoader,
            ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<AioductEngineConfigCustomizer> engineCustomizers,
            ObjectProvider<AioductEngineObserver> observers,
            ObjectProvider<AioductClientCustomizer> clientCustomizers,
            ObjectProvider<RestClient.Builder> restClientBuilders,
            ObjectProvider<HttpClientSettings> httpClientSettings,
            AioductGracefulShutdownLifecycle shutdown) {
        Map<String, AioductClients.Named> clients = new LinkedHashMap<>();
        clients.put(AioductClients.DEFAULT, new AioductClients.Named(client, engine, sslBundleTls, null));
        Duration grace = properties.getShutdown().getGrace();
        try {
            for (Map.Entry<String, AioductProperties.NamedClient> e :
                    properties.getClients().entrySet()) {
                EngineFactory factory = new EngineFactory(
                        properties, environment, resourceLoader.getClassLoader(), sslBundles.getIfAvailable());
                ManagedEngines managed = shutdown.manage(new ManagedEngines(grace));
                HttpEngine named = managed.own(
                        factory.createNamed(
                                e.getKey(),
                                e.getValue().getRuntime(),
                                engineCustomizers.orderedStream().toList(),
                                observers.orderedStream().toList()),
                        factory.tlsBundle());
                clients.put(
                        e.getKey(),
                        new AioductClients.Named(
                                client(named, properties, clientCustomizers), named, managed.sslBundleTls(), managed));
            }
        } catch (RuntimeException e) {
            // A later engine failed to start: close the ones already running before the context gives up.
            clients.values().forEach(n -> {
                if (n.owned() != null) n.owned().destroy(System.nanoTime());
            });
            throw e;
        }
        return new AioductClients(
                clients,
                () -> restClientBuilders.getIfAvailable(RestClient::builder),
                httpClientSettings::getIfAvailable,
                grace);
    }

    /**
     * Waits for the requests on an engine the application defined itself when the context stops; that engine
     * is not closed by the starter. (With the auto-configured engine, {@link EngineConfiguration} provides it.)
     */
    @Bean
    @ConditionalOnMissingBean(ManagedEngines.class)
    ManagedEngines aioductEnginesBeside(
            HttpEngine engine, AioductProperties properties, AioductGracefulShutdownLifecycle shutdown) {
        return shutdown.manage(new ManagedEngines(properties.getShutdown().getGrace()))
                .besides(engine);
    }

    /**
     * The TLS settings of the SSL bundles Spring Boot's HTTP client settings name, for clients on the engine:
     * one per bundle, shared by every builder so that clients with the same bundle share connections.
     */
    @Bean
    @ConditionalOnMissingBean
    SslBundleTls aioductSslBundleTls(HttpEngine engine, ManagedEngines engines) {
        // The engine first: made, it is known to the ManagedEngines bean, whose TLS settings the bundles extend.
        return engines.sslBundleTls();
    }

    /** The engine and its shutdown, only when the application has no engine of its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(HttpEngine.class)
    static class EngineConfiguration {

        /** Closes the engine and its runtime when the context closes. */
        @Bean
        ManagedEngines aioductEngines(AioductProperties properties, AioductGracefulShutdownLifecycle shutdown) {
            return shutdown.manage(new ManagedEngines(properties.getShutdown().getGrace()));
        }

        /** Closed by {@link ManagedEngines} with the grace period, not by Spring's inferred close(). */
        @Bean(destroyMethod = "")
        HttpEngine aioductEngine(
                AioductProperties properties,
                ManagedEngines engines,
                Environment environment,
                ResourceLoader resourceLoader,
                ObjectProvider<SslBundles> sslBundles,
                ObjectProvider<AioductEngineConfigCustomizer> customizers,
                ObjectProvider<AioductEngineObserver> observers) {
            EngineFactory factory = new EngineFactory(
                    properties, environment, resourceLoader.getClassLoader(), sslBundles.getIfAvailable());
            return engines.own(
                    factory.create(
                            customizers.orderedStream().toList(),
                            observers.orderedStream().toList()),
                    factory.tlsBundle());
        }
    }
}
