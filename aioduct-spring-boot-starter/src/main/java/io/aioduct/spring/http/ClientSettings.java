package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import io.aioduct.policy.CookieStore;
import io.aioduct.policy.RedirectPolicy;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpCookieHandling;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.ssl.SslBundle;

/**
 * Applies Spring Boot's {@link HttpClientSettings} to a client derived from the shared one (same engine,
 * runtime and pools), where the settings give a value; what they leave out keeps the {@code aioduct.*}
 * defaults.
 *
 * <ul>
 *   <li>connect timeout: the client's connect timeout;
 *   <li>read timeout: both the response timeout (until the response head) and the read timeout (silence
 *       between bytes), as Spring's other clients time both;
 *   <li>redirects: the engine's own policy ({@link RedirectPolicy}, docs/redirects.md): {@code DONT_FOLLOW} is
 *       {@link RedirectPolicy#never()}; {@code FOLLOW} and {@code FOLLOW_WHEN_POSSIBLE} keep the shared
 *       client's policy if it follows, else {@link RedirectPolicy#normal()} (never https to http, as Spring's
 *       JDK client follows with {@code Redirect.NORMAL}); unset keeps the shared client's (normal by default);
 *   <li>cookie handling: an in-memory {@link CookieStore} of its own per built client when {@code ENABLE}
 *       or {@code ENABLE_WHEN_POSSIBLE}, none when {@code DISABLE}; unset, the client keeps the store of
 *       the client it derives from ({@code aioduct.cookies.enabled}, off by default);
 *   <li>SSL bundle: the client gets the bundle's TLS settings ({@link SslBundleTls}, {@code
 *       AioductClient.Builder.tls}) on the same engine, keeping every other setting; its https connections
 *       are pooled apart from those of other TLS settings;
 *   <li>inet-address filter: refused likewise until the engine can filter the addresses it resolves
 *       (ignoring it would bypass an SSRF guard).
 * </ul>
 */
final class ClientSettings {
    private ClientSettings() {}

    static AioductClient derive(
            AioductClient base,
            SslBundleTls sslBundles,
            @Nullable HttpClientSettings settings,
            Consumer<AioductClient.Builder> customizer) {
        HttpClientSettings s = settings != null ? settings : HttpClientSettings.defaults();
        if (s.inetAddressFilter() != null) {
            throw new IllegalStateException("aioduct cannot apply an InetAddressFilter yet: the engine resolves "
                    + "addresses itself. Remove the InetAddressFilter bean or use another HTTP client");
        }
        SslBundle bundle = s.sslBundle();
        AioductClient.Builder builder = base.newBuilder();
        if (bundle != null) {
            builder.tls(sslBundles.tlsFor(bundle));
        }
        Duration connect = s.connectTimeout();
        if (connect != null) {
            builder.connectTimeout(connect);
        }
        Duration read = s.readTimeout();
        if (read != null) {
            builder.responseTimeout(read).readTimeout(read);
        }
        builder.redirects(redirects(s.redirects(), base.redirects()));
        HttpCookieHandling cookies = s.cookieHandling();
        if (cookies == HttpCookieHandling.ENABLE || cookies == HttpCookieHandling.ENABLE_WHEN_POSSIBLE) {
            builder.cookieStore(CookieStore.inMemory());
        } else if (cookies == HttpCookieHandling.DISABLE) {
            builder.noCookieStore();
        }
        customizer.accept(builder);
        return builder.build();
    }

    /** Spring's redirect setting over the shared client's policy ({@code current}). */
    static RedirectPolicy redirects(@Nullable HttpRedirects setting, RedirectPolicy current) {
        if (setting == null) {
            return current;
        }
        return switch (setting) {
            case DONT_FOLLOW -> RedirectPolicy.never();
            case FOLLOW, FOLLOW_WHEN_POSSIBLE -> current.isNever() ? RedirectPolicy.normal() : current;
        };
    }
}
