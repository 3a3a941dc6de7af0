/**
 * The runtime hierarchy: {@link io.aioduct.runtime.RuntimeCompletion}, {@link
 * io.aioduct.runtime.RuntimePoll} and {@link io.aioduct.runtime.RuntimeLocal}, and the {@link
 * io.aioduct.runtime.RuntimeExecutor} adapter. Implementations live in sub-packages, one per runtime.
 */
@NullMarked
package io.aioduct.runtime;

import org.jspecify.annotations.NullMarked;
