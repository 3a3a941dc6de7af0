/**
 * TLS for every runtime: {@link io.aioduct.tls.TlsConfig} says what to trust and present; the engine
 * layers TLS over its connector for {@code https} origins ({@link io.aioduct.tls.TlsConfig#layeredOver}), with
 * ALPN deciding between HTTP/2 and HTTP/1.1.
 */
@NullMarked
package io.aioduct.tls;

import org.jspecify.annotations.NullMarked;
