/**
 * The compat runtime: legacy executor code ({@code ExecutorService}, {@code ScheduledExecutorService},
 * {@code Future}, blocking calls) and new asynchronous code ({@code CompletionStage}, virtual threads,
 * the async client) on one set of threads with one idea of "idle", after Rust's tokio-compat. {@link
 * io.aioduct.runtime.compat.CompatRuntime} is the multi-threaded runtime, {@link
 * io.aioduct.runtime.compat.CurrentThreadRuntime} the single-thread flavour; {@link
 * io.aioduct.runtime.compat.CompatClock} makes their timers testable without sleeping.
 */
@NullMarked
package io.aioduct.runtime.compat;

import org.jspecify.annotations.NullMarked;
