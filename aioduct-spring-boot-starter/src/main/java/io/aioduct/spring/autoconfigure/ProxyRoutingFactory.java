package io.aioduct.spring.autoconfigure;

import io.aioduct.proxy.EnvironmentProxies;
import io.aioduct.proxy.NoProxy;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyRouting;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Maps {@code aioduct.proxy.*} ({@link ProxyProperties}) onto the engine's {@link ProxyRouting}, and checks
 * those properties at binding. The choice, in order: {@code type=none} (direct), an explicit {@code host},
 * {@code use-system-properties} (the JVM's {@code ProxySelector}), {@code use-environment}; {@code
 * non-proxy-hosts} and loopback bypass in front of whichever is chosen. The policy is the engine's: this
 * class only picks and parameterises it.
 */
final class ProxyRoutingFactory {

    private ProxyRoutingFactory() {}

    /**
     * The routing the properties ask for.
     *
     * @param environment the process environment ({@code use-environment} reads it only when chosen)
     * @throws InvalidConfigurationPropertyValueException naming {@code aioduct.proxy.use-environment} and the
     *     variable when an environment value is not a proxy URL or {@code NO_PROXY} list
     */
    static ProxyRouting routing(ProxyProperties p, Supplier<Map<String, String>> environment) {
        if (p.getType() == ProxyProperties.Type.NONE) {
            return ProxyRouting.DIRECT;
        }
        NoProxy bypass = NoProxy.of(p.getNonProxyHosts()); // validated at binding
        if (p.isIncludeLoopback()) bypass = bypass.proxyingLoopback();
        String host = p.getHost();
        if (host != null) {
            return ProxyRouting.of(explicit(p, host), bypass);
        }
        if (p.isUseSystemProperties()) {
            return ProxyRouting.bypassing(bypass, ProxyRouting.system());
        }
        if (p.isUseEnvironment()) {
            EnvironmentProxies env;
            try {
                env = ProxyRouting.fromEnvironment(environment.get());
            } catch (IllegalArgumentException e) {
                // The message names the variable and masks any password.
                throw new InvalidConfigurationPropertyValueException(
                        "aioduct.proxy.use-environment",
                        true,
                        "the environment's proxy settings are wrong: " + e.getMessage());
            }
            return ProxyRouting.bypassing(bypass, p.isIncludeLoopback() ? env.includingLoopback() : env);
        }
        return ProxyRouting.DIRECT;
    }

    /** The process environment as Spring holds it (a test may replace that property source). */
    static Map<String, String> systemEnvironment(Environment environment) {
        if (environment instanceof ConfigurableEnvironment configurable
                && configurable.getPropertySources().get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)
                        instanceof MapPropertySource source) {
            Map<String, String> env = new HashMap<>();
            source.getSource().forEach((k, v) -> {
                if (v instanceof String s) env.put(k, s);
            });
            return env;
        }
        return System.getenv();
    }

    /** The explicit proxy: type (default http), host, port, credentials, tunnelling. */
    private static Proxy explicit(ProxyProperties p, String host) {
        Integer port = p.getPort();
        if (port == null) throw new IllegalStateException("aioduct.proxy.port is not set"); // validated
        ProxyProperties.Type type = p.getType() == null ? ProxyProperties.Type.HTTP : p.getType();
        Proxy proxy = switch (type) {
            case HTTP, NONE -> Proxy.http(host, port);
            case SOCKS4 -> Proxy.socks4(host, port);
            case SOCKS5 -> Proxy.socks5(host, port);
        };
        String username = p.getUsername();
        if (username != null) {
            String password = p.getPassword();
            proxy = proxy.withCredentials(username, password == null ? "" : password);
        }
        return p.isTunnelAll() ? proxy.tunnellingAll() : proxy;
    }

    /**
     * Checks {@code aioduct.proxy.*}, reporting each problem with {@code reject(property, message)}, the
     * property without its {@code aioduct.} prefix. No message holds the password.
     */
    static void validate(ProxyProperties p, BiConsumer<String, String> reject) {
        ProxyProperties.Type type = p.getType();
        if (type == ProxyProperties.Type.NONE) {
            return; // the switch that turns proxies off: the other properties may stay set for other profiles
        }
        List<String> hosts = p.getNonProxyHosts();
        for (int i = 0; i < hosts.size(); i++) {
            try {
                NoProxy.of(List.of(hosts.get(i) == null ? "" : hosts.get(i)));
            } catch (IllegalArgumentException e) {
                reject.accept("proxy.non-proxy-hosts[" + i + "]", "is not a host, address or range: " + e.getMessage());
            }
        }
        String host = p.getHost();
        Integer port = p.getPort();
        if (port != null && (port < 1 || port > 65535)) {
            reject.accept("proxy.port", "must be between 1 and 65535");
        }
        if (host == null) {
            if (type != null) reject.accept("proxy.host", "must be set when aioduct.proxy.type=" + value(type));
            else if (port != null) reject.accept("proxy.host", "must be set with aioduct.proxy.port");
            if (p.getUsername() != null || p.getPassword() != null) {
                reject.accept(
                        p.getUsername() != null ? "proxy.username" : "proxy.password",
                        "applies to the proxy aioduct.proxy.host names, which is not set (the environment's "
                                + "proxies carry their own credentials in the URL)");
            }
            if (p.isTunnelAll()) reject.accept("proxy.tunnel-all", "=true needs aioduct.proxy.host");
            return;
        }
        if (!hostOk(host, reject)) return;
        if (port == null) {
            reject.accept("proxy.port", "must be set with aioduct.proxy.host");
            return;
        }
        ProxyProperties.Type kind = type == null ? ProxyProperties.Type.HTTP : type;
        if (p.isTunnelAll() && kind != ProxyProperties.Type.HTTP) {
            reject.accept("proxy.tunnel-all", "=true applies to an http proxy only (SOCKS always tunnels)");
        }
        credentials(p, kind, reject);
    }

    private static boolean hostOk(String host, BiConsumer<String, String> reject) {
        if (host.isBlank()) {
            reject.accept("proxy.host", "must name the proxy's host, or be left unset");
            return false;
        }
        for (char c : host.toCharArray()) {
            if (c == '/' || c == '@' || c <= ' ') {
                reject.accept(
                        "proxy.host",
                        "must be a host name or address only: put the protocol in aioduct.proxy.type, the port in "
                                + "aioduct.proxy.port and credentials in aioduct.proxy.username/password");
                return false;
            }
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[") && host.indexOf(':') == host.lastIndexOf(':')) {
            reject.accept("proxy.host", "must not hold the port: set it in aioduct.proxy.port");
            return false;
        }
        return true;
    }

    private static void credentials(ProxyProperties p, ProxyProperties.Type kind, BiConsumer<String, String> reject) {
        String username = p.getUsername();
        String password = p.getPassword();
        if (username == null) {
            if (password != null) reject.accept("proxy.password", "needs aioduct.proxy.username");
            return;
        }
        if (kind == ProxyProperties.Type.SOCKS4) {
            if (password != null) {
                reject.accept(
                        "proxy.password", "must not be set for aioduct.proxy.type=socks4: SOCKS4 has a user id only");
                return;
            }
        } else if (password == null) {
            reject.accept("proxy.password", "must be set with aioduct.proxy.username");
            return;
        }
        try {
            // The credential checks are the engine's: run them on a proxy of this kind.
            Proxy probe = switch (kind) {
                case HTTP, NONE -> Proxy.http("h", 1);
                case SOCKS4 -> Proxy.socks4("h", 1);
                case SOCKS5 -> Proxy.socks5("h", 1);
            };
            probe.withCredentials(username, password == null ? "" : password);
        } catch (IllegalArgumentException e) {
            // Proxy's messages name the part ("proxy password contains...") and never echo a value.
            String message = e.getMessage() == null ? "" : e.getMessage();
            reject.accept(
                    message.contains("password") && !message.contains("username") ? "proxy.password" : "proxy.username",
                    "is not usable: " + message);
        }
    }

    private static String value(ProxyProperties.Type type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    /** The routing's description for the start-up log; never a password ({@link Proxy#toString()}). */
    static String describe(ProxyProperties p, ProxyRouting routing) {
        String source = p.getHost() != null
                ? "aioduct.proxy.host"
                : p.isUseSystemProperties() ? "aioduct.proxy.use-system-properties" : "aioduct.proxy.use-environment";
        return routing + " (" + source + ")";
    }
}
