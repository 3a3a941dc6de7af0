/**
 * Concurrency pieces shared by the runtimes and the engine: future unwrapping and waiting, runtime
 * thread marking, loop timers; and the runtimes' one start-up line about Netty's modes. Not exported.
 */
@NullMarked
package io.aioduct.concurrent;

import org.jspecify.annotations.NullMarked;
