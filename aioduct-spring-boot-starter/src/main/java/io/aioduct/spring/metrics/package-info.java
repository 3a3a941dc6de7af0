/**
 * The Micrometer binding: {@code aioduct.*} meters for every engine the starter creates, from the engine's
 * events ({@link io.aioduct.event.EventListener}) and its pool and runtime snapshots. The meters, their tags
 * and the cardinality rules are listed in docs/metrics.md.
 */
@NullMarked
package io.aioduct.spring.metrics;

import org.jspecify.annotations.NullMarked;
