package io.aioduct.engine;

import io.aioduct.Response;
import java.util.concurrent.CompletableFuture;

/**
 * The future a caller of {@link HttpEngine#send} holds, for either driver: the response head, or the
 * failure. Cancelling it aborts its exchange ({@link EngineExchange#abort()}), which releases the
 * connection.
 */
final class ExchangeFuture extends CompletableFuture<Response> {
    private final EngineExchange exchange;

    ExchangeFuture(EngineExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            exchange.abort();
        }
        return cancelled;
    }
}
