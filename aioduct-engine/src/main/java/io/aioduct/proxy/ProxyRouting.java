package io.aioduct.proxy;

import io.aioduct.Origin;
import java.net.ProxySelector;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which proxy, if any, a connection to an origin goes through. Asked once per request, before the pool is
 * looked up (the pool is keyed by origin and proxy, so pooled connections keep the proxy they were opened
 * through and a changed answer takes effect on the next request); {@link #DIRECT} is never asked. Must be
 * fast and thread-safe, and must not block: it may be called on an event loop; what it throws fails the
 * request with a {@code ConnectFailedException}. Installed with {@code EngineConfig.Builder.proxy(...)};
 * {@link #DIRECT} by default.
 *
 * <p>Ready routings: {@link #always} and {@link #of(Proxy, NoProxy)} (a proxy and the origins that bypass
 * it), {@link #fromSelector} and {@link #system()} (a {@link ProxySelector}, so the JVM's {@code
 * http.proxyHost}... properties apply), {@link #fromEnvironment()} ({@code HTTP_PROXY}, {@code NO_PROXY}...,
 * see {@link EnvironmentProxies}) and {@link #bypassing} to put a bypass list in front of any of them.
 */
@FunctionalInterface
public interface ProxyRouting {

    /** Every connection direct: the default. */
    ProxyRouting DIRECT = origin -> null;

    /** The proxy for connections to {@code origin}, or null to connect directly. */
    @Nullable
    Proxy proxyFor(Origin origin);

    /** Every connection through {@code proxy}, loopback origins included. */
    static ProxyRouting always(Proxy proxy) {
        Objects.requireNonNull(proxy, "proxy");
        return new ProxyRouting() {
            @Override
            public Proxy proxyFor(Origin origin) {
                return proxy;
            }

            @Override
            public String toString() {
                return proxy.toString();
            }
        };
    }

    /**
     * Every connection through {@code proxy} but those to origins {@code bypass} matches, which go direct.
     * {@code NoProxy.LOOPBACK} bypasses loopback origins only.
     */
    static ProxyRouting of(Proxy proxy, NoProxy bypass) {
        return bypassing(bypass, always(proxy));
    }

    /** {@code routing}, except that origins {@code bypass} matches go direct whatever it says. */
    static ProxyRouting bypassing(NoProxy bypass, ProxyRouting routing) {
        Objects.requireNonNull(bypass, "bypass");
        Objects.requireNonNull(routing, "routing");
        return new ProxyRouting() {
            @Override
            public @Nullable Proxy proxyFor(Origin origin) {
                return bypass.matches(origin) ? null : routing.proxyFor(origin);
            }

            @Override
            public String toString() {
                String list = bypass.toString();
                return routing + (list.isEmpty() ? " (loopback direct)" : " bypassing [" + list + "]");
            }
        };
    }

    /**
     * Whatever {@code selector} answers for {@code scheme://host:port}: its first answer, {@code DIRECT} as
     * direct, {@code HTTP} as an HTTP proxy, {@code SOCKS} as SOCKS5. A {@code java.net.Proxy} carries no
     * credentials: use {@link #of} or {@link #fromEnvironment} for a proxy that needs them. The selector is
     * asked each time a new connection is needed; one that blocks (a PAC script fetched or evaluated, say)
     * holds up that connection (see docs/proxies.md for where the engine asks).
     */
    static ProxyRouting fromSelector(ProxySelector selector) {
        Objects.requireNonNull(selector, "selector");
        return new SelectorRouting(() -> selector, "ProxySelector " + selector);
    }

    /**
     * The JVM's default {@link ProxySelector} ({@link ProxySelector#getDefault()}, looked up on each use), as
     * {@link #fromSelector}: unless an application replaced it, that one reads the system properties {@code
     * http.proxyHost}, {@code http.proxyPort}, {@code https.proxyHost}, {@code https.proxyPort}, {@code
     * http.nonProxyHosts}, {@code socksProxyHost} and {@code socksProxyPort} each time it is asked, and with
     * {@code -Djava.net.useSystemProxies=true} the operating system's settings.
     */
    static ProxyRouting system() {
        return new SelectorRouting(ProxySelector::getDefault, "the JVM's default ProxySelector");
    }

    /**
     * The process's {@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code ALL_PROXY} and {@code NO_PROXY} (either
     * case), read now; see {@link EnvironmentProxies} for the rules.
     *
     * @throws IllegalArgumentException naming the variable whose value is wrong
     */
    static EnvironmentProxies fromEnvironment() {
        return EnvironmentProxies.read();
    }

    /**
     * The variables in {@code env}, as {@link #fromEnvironment()} reads the process's.
     *
     * @throws IllegalArgumentException naming the variable whose value is wrong
     */
    static EnvironmentProxies fromEnvironment(Map<String, String> env) {
        return EnvironmentProxies.read(env);
    }
}
