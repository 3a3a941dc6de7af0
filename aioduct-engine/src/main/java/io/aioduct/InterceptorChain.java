package io.aioduct;

import io.aioduct.engine.ExchangeSettings;
import io.aioduct.engine.HttpEngine;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Walks a client's interceptors, ending at its engine. In blocking mode (no {@code send}) the engine is
 * called with {@code execute}, so on the virtual runtime the whole chain stays on the caller's thread;
 * in async mode every exchange started is tracked by {@code send} so that cancelling it aborts them.
 */
final class InterceptorChain implements Interceptor.Chain {
    private final List<Interceptor> interceptors;
    private final int index;
    private final Request request;
    private final HttpEngine engine;
    private final ExchangeSettings settings;
    private final @Nullable InterceptedSend send;

    InterceptorChain(
            List<Interceptor> interceptors,
            int index,
            Request request,
            HttpEngine engine,
            ExchangeSettings settings,
            @Nullable InterceptedSend send) {
        this.interceptors = interceptors;
        this.index = index;
        this.request = request;
        this.engine = engine;
        this.settings = settings;
        this.send = send;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public CompletionStage<Response> proceed(Request next) {
        java.util.Objects.requireNonNull(next, "request");
        if (index < interceptors.size()) {
            InterceptorChain rest = new InterceptorChain(interceptors, index + 1, next, engine, settings, send);
            CompletionStage<Response> stage = interceptors.get(index).intercept(rest);
            if (stage == null) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("interceptor " + interceptors.get(index) + " returned null"));
            }
            return stage;
        }
        if (send != null) {
            return send.track(engine.send(next, settings));
        }
        try {
            return CompletableFuture.completedFuture(engine.execute(next, settings));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
