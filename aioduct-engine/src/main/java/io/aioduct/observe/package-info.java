/**
 * Observability plumbing: one exchange's event bookkeeping and the guard that keeps a throwing user
 * listener away from the engine. Not exported; users see {@link io.aioduct.event.EventListener}.
 */
@NullMarked
package io.aioduct.observe;

import org.jspecify.annotations.NullMarked;
