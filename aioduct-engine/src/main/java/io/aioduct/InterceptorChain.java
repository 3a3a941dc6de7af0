package io.aioduct;

import io.aioduct.engine.ExchangeSettings;
import io.aioduct.engine.HttpEngine;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Walks a client's interceptors, ending at its engine. In blocking mode the engine is called with
 * {@code execute}, so on the virtual runtime the whole chain stays on the caller's thread.
 */
final class InterceptorChain implements Interceptor.Chain {
    private final List<Interceptor> interceptors;
    private final int index;
    private final Request request;
    private final HttpEngine engine;
    private final ExchangeSettings settings;
    private final boolean blocking;

    InterceptorChain(
            List<Interceptor> interceptors,
            int index,
            Request request,
            HttpEngine engine,
            ExchangeSettings settings,
            boolean blocking) {
        this.interceptors = interceptors;
        this.index = index;
        this.request = request;
        this.engine = engine;
        this.settings = settings;
        this.blocking = blocking;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public CompletionStage<Response> proceed(Request next) {
        java.util.Objects.requireNonNull(next, "request");
        if (index < interceptors.size()) {
            InterceptorChain rest = new InterceptorChain(interceptors, index + 1, next, engine, settings, blocking);
            CompletionStage<Response> stage = interceptors.get(index).intercept(rest);
            if (stage == null) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("interceptor " + interceptors.get(index) + " returned null"));
            }
            return stage;
        }
        if (!blocking) {
            return engine.send(next, settings);
        }
        try {
            return CompletableFuture.completedFuture(engine.execute(next, settings));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
