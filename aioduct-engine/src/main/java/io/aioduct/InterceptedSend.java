package io.aioduct;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The future {@link AioductClient#send} returns when interceptors run: cancelling it aborts whatever
 * exchange the chain has in flight (and any the chain starts later), and a response that still arrives
 * afterwards is closed, so its connection is released rather than held until the garbage collector
 * finds it. Without this, cancelling would only cancel the last stage the interceptors derived.
 */
final class InterceptedSend extends CompletableFuture<Response> {
    private final Set<CompletableFuture<Response>> inFlight = ConcurrentHashMap.newKeySet();

    /** Registers an exchange the chain started; aborts it at once if this send is already cancelled. */
    CompletableFuture<Response> track(CompletableFuture<Response> exchange) {
        inFlight.add(exchange);
        exchange.whenComplete((r, e) -> inFlight.remove(exchange));
        if (isCancelled()) {
            exchange.cancel(false);
        }
        return exchange;
    }

    /** Completes with the chain's outcome; a response nobody can receive any more is closed. */
    InterceptedSend completeWith(CompletionStage<Response> chain) {
        chain.whenComplete((response, failure) -> {
            if (failure != null) {
                completeExceptionally(io.aioduct.concurrent.Completions.unwrap(failure));
            } else if (!complete(response)) {
                response.close();
            }
        });
        return this;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            // An exchange already answered is not aborted: its response is in an interceptor's hands,
            // which closes it or returns it to completeWith, which closes it.
            inFlight.forEach(exchange -> exchange.cancel(false));
        }
        return cancelled;
    }
}
