/**
 * The client API of aioduct: {@link io.aioduct.AioductClient}, requests, responses, bodies,
 * interceptors and the exception hierarchy rooted in {@link io.aioduct.AioductException}.
 */
@NullMarked
package io.aioduct;

import org.jspecify.annotations.NullMarked;
