package io.aioduct;

import io.aioduct.chain.Delays;

/** Test access to the client's package-private hooks for the retry tests in other packages. */
public final class RetryTestHooks {
    private RetryTestHooks() {}

    /** {@code builder} with the policies waiting through {@code delays} instead of the runtime's timers. */
    public static AioductClient.Builder delays(AioductClient.Builder builder, Delays delays) {
        return builder.delays(delays);
    }
}
