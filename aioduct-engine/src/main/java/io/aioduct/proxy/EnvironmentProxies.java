package io.aioduct.proxy;

import io.aioduct.Origin;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Proxy routing from the conventional environment variables, read once when this is created (changing
 * the environment afterwards changes nothing). Immutable and thread-safe; {@link #proxyFor} does no I/O.
 *
 * <table>
 *   <caption>Variables</caption>
 *   <tr><th>variable</th><th>used for</th></tr>
 *   <tr><td>{@code http_proxy} / {@code HTTP_PROXY}</td><td>{@code http} origins</td></tr>
 *   <tr><td>{@code https_proxy} / {@code HTTPS_PROXY}</td><td>{@code https} origins</td></tr>
 *   <tr><td>{@code all_proxy} / {@code ALL_PROXY}</td><td>either, when its own variable is unset</td></tr>
 *   <tr><td>{@code no_proxy} / {@code NO_PROXY}</td><td>origins that go direct ({@link NoProxy} syntax)</td></tr>
 * </table>
 *
 * <p>The lower-case name wins when both are set, as in curl; an empty value counts as unset. Values are
 * {@code [scheme://][user[:password]@]host[:port]} with scheme {@code http} (the default), {@code socks5},
 * {@code socks5h}, {@code socks4} or {@code socks4a}; the port defaults to 80 for {@code http} and 1080 for
 * SOCKS. Our SOCKS clients always let the proxy resolve the origin's host name, so {@code socks5} reads
 * as {@code socks5h} and {@code socks4} as {@code socks4a}. Credentials are percent-decoded.
 *
 * <p>Upper-case {@code HTTP_PROXY} is ignored when {@code REQUEST_METHOD} is set: in a CGI program the
 * environment variable {@code HTTP_PROXY} comes from the request's {@code Proxy} header, which any client
 * can send ("httpoxy"). Go makes the same choice; curl ignores upper-case {@code HTTP_PROXY} always.
 *
 * <p>Loopback origins go direct unless {@link #includingLoopback()}.
 */
public final class EnvironmentProxies implements ProxyRouting {

    private final @Nullable Proxy http;
    private final @Nullable Proxy https;
    private final NoProxy noProxy;

    private EnvironmentProxies(@Nullable Proxy http, @Nullable Proxy https, NoProxy noProxy) {
        this.http = http;
        this.https = https;
        this.noProxy = noProxy;
    }

    /** The process's environment ({@link System#getenv()}), read now. */
    public static EnvironmentProxies read() {
        return read(System.getenv());
    }

    /**
     * The variables in {@code env}, as a process's environment would hold them.
     *
     * @throws IllegalArgumentException naming the variable and what is wrong with its value (never showing a
     *     password) if one is not a proxy URL or a {@code NO_PROXY} list
     */
    public static EnvironmentProxies read(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        String[] all = variable(env, "all_proxy", true);
        String[] http = variable(env, "http_proxy", !env.containsKey("REQUEST_METHOD"));
        String[] https = variable(env, "https_proxy", true);
        Proxy allProxy = all == null ? null : ProxyUrl.parse(all[0], all[1]);
        Proxy httpProxy = http == null ? allProxy : ProxyUrl.parse(http[0], http[1]);
        Proxy httpsProxy = https == null ? allProxy : ProxyUrl.parse(https[0], https[1]);
        String[] no = variable(env, "no_proxy", true);
        NoProxy noProxy = NoProxy.LOOPBACK;
        if (no != null) {
            try {
                noProxy = NoProxy.parse(no[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(no[0] + ": " + e.getMessage(), e);
            }
        }
        return new EnvironmentProxies(httpProxy, httpsProxy, noProxy);
    }

    /** {name, value} of the lower-case variable if set and not blank, else of the upper-case one if allowed. */
    private static String @Nullable [] variable(Map<String, String> env, String lower, boolean upperAllowed) {
        String value = env.get(lower);
        if (value != null && !value.isBlank()) return new String[] {lower, value};
        if (!upperAllowed) return null;
        String upper = lower.toUpperCase(Locale.ROOT);
        value = env.get(upper);
        return value != null && !value.isBlank() ? new String[] {upper, value} : null;
    }

    /** These settings, with loopback origins sent through the proxy too unless {@code NO_PROXY} names them. */
    public EnvironmentProxies includingLoopback() {
        return new EnvironmentProxies(http, https, noProxy.proxyingLoopback());
    }

    @Override
    public @Nullable Proxy proxyFor(Origin origin) {
        Proxy proxy = origin.secure() ? https : http;
        return proxy == null || noProxy.matches(origin) ? null : proxy;
    }

    /** The proxy for {@code http} origins ({@code http_proxy}, else {@code all_proxy}), or null. */
    public @Nullable Proxy http() {
        return http;
    }

    /** The proxy for {@code https} origins ({@code https_proxy}, else {@code all_proxy}), or null. */
    public @Nullable Proxy https() {
        return https;
    }

    /** The origins that go direct ({@code no_proxy}, and loopback unless {@link #includingLoopback()}). */
    public NoProxy noProxy() {
        return noProxy;
    }

    /** Whether any proxy is set: false means every connection goes direct. */
    public boolean isEmpty() {
        return http == null && https == null;
    }

    /** The proxies and the bypass list; never a password. */
    @Override
    public String toString() {
        return "environment proxies (http: " + (http == null ? "direct" : http) + ", https: "
                + (https == null ? "direct" : https) + ", no_proxy: " + noProxy + ")";
    }
}
