package io.aioduct;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Walks a list of interceptors (the user's, or the network ones), ending at a {@link Terminal}: the
 * built-in policy chain after the user's interceptors, the engine after the network ones. In blocking mode
 * (no {@code send}) the terminal executes on the calling thread, so on the virtual runtime the whole chain
 * stays on the caller's thread; in async mode every exchange started is tracked by {@code send} so that
 * cancelling it aborts them.
 */
final class InterceptorChain implements Interceptor.Chain {
    /** Where the last interceptor's {@code proceed} goes. */
    interface Terminal {
        CompletionStage<Response> proceed(Request request, @Nullable InterceptedSend send);
    }

    private final List<Interceptor> interceptors;
    private final int index;
    private final Request request;
    private final Terminal terminal;
    private final @Nullable InterceptedSend send;

    InterceptorChain(
            List<Interceptor> interceptors,
            int index,
            Request request,
            Terminal terminal,
            @Nullable InterceptedSend send) {
        this.interceptors = interceptors;
        this.index = index;
        this.request = request;
        this.terminal = terminal;
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
            InterceptorChain rest = new InterceptorChain(interceptors, index + 1, next, terminal, send);
            CompletionStage<Response> stage = interceptors.get(index).intercept(rest);
            if (stage == null) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("interceptor " + interceptors.get(index) + " returned null"));
            }
            return stage;
        }
        return terminal.proceed(next, send);
    }
}
