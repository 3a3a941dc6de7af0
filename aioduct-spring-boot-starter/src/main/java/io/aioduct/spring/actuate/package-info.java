/**
 * Actuator support: the {@code aioduct} health indicator (runtime up, pools not exhausted) and the
 * {@code aioduct} endpoint (the runtime, its threads, every pool).
 */
@NullMarked
package io.aioduct.spring.actuate;

import org.jspecify.annotations.NullMarked;
