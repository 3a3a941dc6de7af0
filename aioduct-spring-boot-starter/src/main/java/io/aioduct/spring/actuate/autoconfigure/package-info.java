/** Auto-configuration of the aioduct health indicator and actuator endpoint. */
@NullMarked
package io.aioduct.spring.actuate.autoconfigure;

import org.jspecify.annotations.NullMarked;
