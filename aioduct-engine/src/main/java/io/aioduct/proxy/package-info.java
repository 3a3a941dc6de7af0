/**
 * Proxies: what a proxy is ({@link io.aioduct.proxy.Proxy}: HTTP, SOCKS4a or SOCKS5, with optional
 * credentials), which one a request to an origin goes through ({@link io.aioduct.proxy.ProxyRouting}:
 * none, a fixed one, the JVM's {@link java.net.ProxySelector}, or the conventional environment
 * variables), and how a failure at the proxy is reported ({@link io.aioduct.proxy.ProxyConnectException}).
 * See docs/proxies.md.
 */
@NullMarked
package io.aioduct.proxy;

import org.jspecify.annotations.NullMarked;
