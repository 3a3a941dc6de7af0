package io.aioduct;

import java.util.concurrent.CompletionStage;

/**
 * A policy around every exchange a client sends: it may change the request, send it on with {@link
 * Chain#proceed}, retry, or answer without sending. Interceptors run in the order they were added, each
 * wrapping the next; the last one's {@code proceed} reaches the engine.
 *
 * <p>Rules: intercept quickly and without blocking (it may run on an event loop); return the stage
 * {@code proceed} gave, or one derived from it; close any response you drop.
 */
@FunctionalInterface
public interface Interceptor {

    CompletionStage<Response> intercept(Chain chain);

    /** The rest of the chain, from this interceptor on. */
    interface Chain {
        Request request();

        /** Sends {@code request} through the remaining interceptors and the engine. */
        CompletionStage<Response> proceed(Request request);
    }
}
