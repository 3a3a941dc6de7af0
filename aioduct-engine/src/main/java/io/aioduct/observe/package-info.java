/**
 * Observability plumbing: one exchange's event bookkeeping ({@link io.aioduct.observe.ExchangeEvents},
 * timed by the engine's {@link io.aioduct.Ticker}). Guarding and fanning out listeners is the event
 * package's ({@link io.aioduct.event.EventListener#composite}). Not exported; users see {@link
 * io.aioduct.event.EventListener}.
 */
@NullMarked
package io.aioduct.observe;

import org.jspecify.annotations.NullMarked;
