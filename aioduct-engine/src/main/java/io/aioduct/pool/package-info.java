/**
 * Connection pooling: one pool per origin (in the engine), LIFO reuse, limits, a bounded
 * queue of waiting acquires and eviction driven by an injectable {@link io.aioduct.Ticker}.
 */
@NullMarked
package io.aioduct.pool;

import org.jspecify.annotations.NullMarked;
