/**
 * Concurrency pieces shared by the runtimes and the engine: future unwrapping and waiting, runtime
 * thread marking, loop timers. Not exported.
 */
@NullMarked
package io.aioduct.concurrent;

import org.jspecify.annotations.NullMarked;
