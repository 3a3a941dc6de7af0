/**
 * Spring Boot auto-configuration for aioduct: the {@code aioduct.*} properties, the engine (runtime,
 * threads, pools) as one managed bean, the shared client, and the customizer interfaces.
 */
@NullMarked
package io.aioduct.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
