/**
 * What the engine reports while it works: {@link io.aioduct.event.EventListener} receives the start, end
 * and failure of every phase of every exchange, and {@link io.aioduct.event.ConnectionInfo} describes the
 * connection an event is about. Metrics bindings (the Spring Boot starter's Micrometer binding) build on
 * this package; the engine itself depends on no metrics library.
 */
@NullMarked
package io.aioduct.event;

import org.jspecify.annotations.NullMarked;
