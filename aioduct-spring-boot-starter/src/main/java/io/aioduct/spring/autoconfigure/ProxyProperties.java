package io.aioduct.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code aioduct.proxy.*} properties: which proxy the engine's connections go through. One source is
 * used, the first of: an explicit proxy ({@code host}), the JVM's {@code ProxySelector} ({@code
 * use-system-properties}), the environment ({@code use-environment}); none of them means direct. {@code
 * type=none} turns every source off. Mapped onto the engine by {@link ProxyRoutingFactory}; see
 * docs/proxies.md.
 */
public class ProxyProperties {

    /**
     * The explicit proxy's protocol: http, socks4 (SOCKS4a, a user id only) or socks5. Default http when
     * aioduct.proxy.host is set. none sends every connection direct, whatever the other aioduct.proxy.*
     * properties say (say, to switch a proxy off in one profile).
     */
    private @Nullable Type type;

    /**
     * Host name or address of the explicit proxy (no scheme, no port). Setting it uses this proxy, ahead of
     * use-system-properties and use-environment.
     */
    private @Nullable String host;

    /** Port of the explicit proxy; required with aioduct.proxy.host. */
    private @Nullable Integer port;

    /**
     * Username for the explicit proxy: Basic Proxy-Authorization for http, username/password for socks5, the
     * user id for socks4. Sent to the proxy only, never to the origin.
     */
    private @Nullable String username;

    /** Password for the explicit proxy (with aioduct.proxy.username; not for socks4). Never logged. */
    private @Nullable String password;

    /**
     * Hosts that never go through a proxy, whichever source chose it; NO_PROXY syntax: example.com (that host
     * and its subdomains), .example.com, exact hosts, IPv4/IPv6 addresses, CIDR ranges (10.0.0.0/8,
     * fd00::/8), an optional :port, or * for every host. Added to NO_PROXY with use-environment.
     */
    private List<String> nonProxyHosts = new ArrayList<>();

    /**
     * Whether plain http requests also go through a CONNECT tunnel to the explicit HTTP proxy, instead of being
     * sent to it in absolute form (https requests always tunnel).
     */
    private boolean tunnelAll = false;

    /**
     * Whether to read the environment variables http_proxy, https_proxy, all_proxy and no_proxy (lower case
     * first, then upper case) when aioduct.proxy.host is not set and use-system-properties is false.
     */
    private boolean useEnvironment = false;

    /**
     * Whether to ask the JVM's default ProxySelector (the system properties http.proxyHost, https.proxyHost,
     * socksProxyHost, http.nonProxyHosts...) when aioduct.proxy.host is not set. Wins over use-environment.
     */
    private boolean useSystemProperties = false;

    /**
     * Whether requests to loopback origins (localhost, 127.0.0.0/8, ::1) go through the proxy too; by default
     * they go direct, whichever source chose the proxy.
     */
    private boolean includeLoopback = false;

    public @Nullable Type getType() {
        return type;
    }

    public void setType(@Nullable Type type) {
        this.type = type;
    }

    public @Nullable String getHost() {
        return host;
    }

    public void setHost(@Nullable String host) {
        this.host = host;
    }

    public @Nullable Integer getPort() {
        return port;
    }

    public void setPort(@Nullable Integer port) {
        this.port = port;
    }

    public @Nullable String getUsername() {
        return username;
    }

    public void setUsername(@Nullable String username) {
        this.username = username;
    }

    public @Nullable String getPassword() {
        return password;
    }

    public void setPassword(@Nullable String password) {
        this.password = password;
    }

    public List<String> getNonProxyHosts() {
        return nonProxyHosts;
    }

    public void setNonProxyHosts(List<String> nonProxyHosts) {
        this.nonProxyHosts = nonProxyHosts;
    }

    public boolean isTunnelAll() {
        return tunnelAll;
    }

    public void setTunnelAll(boolean tunnelAll) {
        this.tunnelAll = tunnelAll;
    }

    public boolean isUseEnvironment() {
        return useEnvironment;
    }

    public void setUseEnvironment(boolean useEnvironment) {
        this.useEnvironment = useEnvironment;
    }

    public boolean isUseSystemProperties() {
        return useSystemProperties;
    }

    public void setUseSystemProperties(boolean useSystemProperties) {
        this.useSystemProperties = useSystemProperties;
    }

    public boolean isIncludeLoopback() {
        return includeLoopback;
    }

    public void setIncludeLoopback(boolean includeLoopback) {
        this.includeLoopback = includeLoopback;
    }

    /** The values of {@code aioduct.proxy.type}. */
    public enum Type {
        HTTP,
        SOCKS4,
        SOCKS5,
        NONE
    }
}
