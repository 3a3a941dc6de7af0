/**
 * The contract between the engine and the protocol drivers: what an exchange sends and where a
 * connection reports ({@link io.aioduct.exchange.ExchangeCall}, {@link io.aioduct.exchange.ExchangeSpec}), what the
 * engine's pool needs from a connection ({@link io.aioduct.exchange.PooledConnection}) and how a connection judged
 * a failure ({@link io.aioduct.exchange.Retry}). Not exported: the engine and the HTTP/1.1 and HTTP/2 drivers
 * meet here, and nowhere else.
 */
@NullMarked
package io.aioduct.exchange;

import org.jspecify.annotations.NullMarked;
