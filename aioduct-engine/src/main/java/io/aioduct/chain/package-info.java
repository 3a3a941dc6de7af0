/**
 * The built-in policy chain between the user's interceptors and the engine: follow-ups (redirects,
 * authentication challenges, retries) decided once per response or failure, and bridges (cookies) applied
 * to every request sent and every response received. {@code AioductClient} assembles it from the settings
 * in {@code io.aioduct.policy}. Not exported.
 */
@NullMarked
package io.aioduct.chain;

import org.jspecify.annotations.NullMarked;
