/** Per-protocol settings: {@link io.aioduct.protocol.Http1Options} and {@link io.aioduct.protocol.Http2Options}. */
@NullMarked
package io.aioduct.protocol;

import org.jspecify.annotations.NullMarked;
