/** Auto-configuration of the Micrometer binding. */
@NullMarked
package io.aioduct.spring.metrics.autoconfigure;

import org.jspecify.annotations.NullMarked;
