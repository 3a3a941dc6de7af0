/**
 * Engines bind a runtime to a connector: {@link io.aioduct.engine.HttpEngineSend} for poll runtimes
 * with a thread-safe connector and one shared pool, {@link io.aioduct.engine.HttpEngineLocal} for
 * thread-per-core runtimes with one pool per core. Both implement {@link io.aioduct.engine.HttpEngine},
 * which a client sends its exchanges through.
 */
@NullMarked
package io.aioduct.engine;

import org.jspecify.annotations.NullMarked;
