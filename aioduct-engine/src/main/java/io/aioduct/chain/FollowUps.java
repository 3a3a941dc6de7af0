package io.aioduct.chain;

import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.concurrent.Completions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The built-in policy chain of a client: the {@link FollowUp}s (redirects, authentication challenges,
 * retries, asked in that order) and the {@link Bridge}s (cookies) around one call. It sits between the
 * user's interceptors and the network interceptors: every request it sends, follow-ups included, passes
 * the bridges and then the network interceptors, so each hop gets its own cookies and a network interceptor
 * sees every hop.
 *
 * <p>Three ways in, one set of decisions ({@link #afterResponse}, {@link #afterFailure}): {@link #execute}
 * loops on the caller's thread for a blocking call (a delay sleeps there); {@link #send} is an asynchronous
 * call's future, which follows up where each response completes and whose cancellation aborts the exchange
 * in flight; {@link #run} serves a call that comes through the user's interceptors as a stage. The first two
 * are the common cases and allocate almost nothing when no follow-up happens. Immutable and thread-safe.
 */
public final class FollowUps {
    /** The chain a client with every policy off runs: nothing between the user and the network. */
    public static final FollowUps NONE = new FollowUps(List.of(), List.of(), new Delays() {
        @Override
        public CompletionStage<Void> after(Duration delay) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void sleep(Duration delay) {}
    });

    /** One attempt: through the network interceptors to the engine. */
    public interface Attempt {
        CompletionStage<Response> send(Request request);
    }

    /** One blocking attempt, on the caller's thread; fails with an {@code AioductException}. */
    public interface BlockingAttempt {
        Response execute(Request request);
    }

    private final FollowUp[] followUps;
    private final Bridge[] bridges;
    private final Delays delays;

    public FollowUps(List<FollowUp> followUps, List<Bridge> bridges, Delays delays) {
        this.followUps = followUps.toArray(FollowUp[]::new);
        this.bridges = bridges.toArray(Bridge[]::new);
        this.delays = delays;
    }

    /** True when this chain does nothing, so the client may skip it. */
    public boolean isEmpty() {
        return followUps.length == 0 && bridges.length == 0;
    }

    // ---- the decisions, shared by the three ways in ----

    private Request prepare(Request request) {
        Request sent = request;
        for (Bridge bridge : bridges) sent = bridge.prepare(sent);
        return sent;
    }

    /**
     * What follows {@code response}: null to hand it back (then {@code call.result} is the response, maybe a
     * bridge's replacement), else the next request (the response discarded by the follow-up). A follow-up's
     * failure closes the response and is thrown.
     */
    private FollowUp.@Nullable Next afterResponse(FollowUpCall call, Request sent, Response response) {
        try {
            for (Bridge bridge : bridges) response = bridge.received(sent, response);
            call.result = response;
            for (FollowUp followUp : followUps) {
                FollowUp.Next next = followUp.onResponse(call, sent, response);
                if (next != null) {
                    call.followed();
                    return next;
                }
            }
            return null;
        } catch (RuntimeException e) {
            response.close();
            throw e;
        }
    }

    /** What follows {@code failure} (unwrapped): null to fail with it, else the request to send again. */
    private FollowUp.@Nullable Next afterFailure(FollowUpCall call, Request sent, Throwable failure) {
        try {
            for (FollowUp followUp : followUps) {
                FollowUp.Next next = followUp.onFailure(call, sent, failure);
                if (next != null) {
                    call.followed();
                    return next;
                }
            }
            return null;
        } catch (RuntimeException e) {
            e.addSuppressed(failure);
            throw e;
        }
    }

    private static RequestCancelledException interrupted(FollowUp.Next next, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new RequestCancelledException(
                "interrupted while waiting " + next.delay().toMillis() + " ms to send " + next.request(), e);
    }

    // ---- a blocking call: a loop on the caller's thread ----

    /** Sends {@code request} and its follow-ups on the calling thread; the response no policy follows. */
    public Response execute(Request request, BlockingAttempt attempt) {
        FollowUpCall call = new FollowUpCall(request);
        Request next = request;
        while (true) {
            Request sent = prepare(next);
            FollowUp.Next follow;
            Response response;
            try {
                response = attempt.execute(sent);
            } catch (RuntimeException e) {
                follow = afterFailure(call, sent, e);
                if (follow == null) throw e;
                next = waitFor(follow);
                continue;
            }
            follow = afterResponse(call, sent, response);
            if (follow == null) return call.result();
            next = waitFor(follow);
        }
    }

    private Request waitFor(FollowUp.Next next) {
        Duration delay = next.delay();
        if (delay.isPositive()) {
            try {
                delays.sleep(delay);
            } catch (InterruptedException e) {
                throw interrupted(next, e);
            }
        }
        return next.request();
    }

    // ---- an asynchronous call: its future follows up as responses complete ----

    /**
     * Sends {@code request} and its follow-ups without blocking; each attempt's future must be the engine's
     * (cancelling it aborts the exchange). Cancelling the returned future aborts the attempt in flight, and
     * a response that arrives afterwards is closed.
     */
    public CompletableFuture<Response> send(Request request, Function<Request, CompletableFuture<Response>> attempt) {
        FollowUpSend send = new FollowUpSend(this, request, attempt);
        send.start(request);
        return send;
    }

    /** The future of one asynchronous call; it is also the callback of each attempt. */
    private static final class FollowUpSend extends CompletableFuture<Response>
            implements BiConsumer<Response, Throwable> {
        private final FollowUps chain;
        private final FollowUpCall call;
        private final Function<Request, CompletableFuture<Response>> attempt;
        private volatile @Nullable CompletableFuture<Response> current;
        private @Nullable Request sent;

        FollowUpSend(FollowUps chain, Request request, Function<Request, CompletableFuture<Response>> attempt) {
            this.chain = chain;
            this.call = new FollowUpCall(request);
            this.attempt = attempt;
        }

        void start(Request request) {
            CompletableFuture<Response> f;
            try {
                Request s = chain.prepare(request);
                sent = s;
                f = attempt.apply(s);
            } catch (RuntimeException e) {
                completeExceptionally(e);
                return;
            }
            current = f;
            if (isCancelled()) f.cancel(false);
            f.whenComplete(this);
        }

        @Override
        public void accept(@Nullable Response response, @Nullable Throwable failure) {
            if (isDone()) {
                if (response != null) response.close();
                return;
            }
            Request s = sent;
            FollowUp.Next next;
            try {
                if (failure != null) {
                    Throwable cause = Completions.unwrap(failure);
                    next = chain.afterFailure(call, s, cause);
                    if (next == null) {
                        completeExceptionally(cause);
                        return;
                    }
                } else {
                    next = chain.afterResponse(call, s, response);
                    if (next == null) {
                        Response result = call.result();
                        if (!complete(result)) result.close();
                        return;
                    }
                }
            } catch (RuntimeException e) {
                completeExceptionally(e);
                return;
            }
            Duration delay = next.delay();
            if (!delay.isPositive()) {
                start(next.request());
                return;
            }
            chain.delays.after(delay).whenComplete((v, e) -> {
                if (e != null) completeExceptionally(e);
                else if (!isDone()) start(next.request());
            });
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            CompletableFuture<Response> f = current;
            if (cancelled && f != null) f.cancel(false);
            return cancelled;
        }
    }

    // ---- a call through the user's interceptors: stages ----

    /**
     * Sends {@code request} and every follow-up the policies ask for, each through {@code attempt}; the
     * stage completes with the response no policy follows, or the failure none retries. In a blocking call
     * ({@code blocking}) every attempt's stage is already complete, so this runs on the caller's thread and a
     * delay sleeps there.
     */
    public CompletionStage<Response> run(Request request, Attempt attempt, boolean blocking) {
        return step(new FollowUpCall(request), request, attempt, blocking);
    }

    private CompletionStage<Response> step(FollowUpCall call, Request request, Attempt attempt, boolean blocking) {
        Request sent;
        CompletionStage<Response> stage;
        try {
            sent = prepare(request);
            stage = attempt.send(sent);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return stage.handle((response, failure) -> {
                    FollowUp.Next next;
                    Throwable cause = failure == null ? null : Completions.unwrap(failure);
                    try {
                        next = cause != null ? afterFailure(call, sent, cause) : afterResponse(call, sent, response);
                    } catch (RuntimeException e) {
                        return CompletableFuture.<Response>failedFuture(e);
                    }
                    if (next == null) {
                        return cause != null
                                ? CompletableFuture.<Response>failedFuture(cause)
                                : CompletableFuture.completedFuture(call.result());
                    }
                    return follow(call, next, attempt, blocking);
                })
                .thenCompose(Function.identity());
    }

    private CompletionStage<Response> follow(FollowUpCall call, FollowUp.Next next, Attempt attempt, boolean blocking) {
        Duration delay = next.delay();
        if (!delay.isPositive()) {
            return step(call, next.request(), attempt, blocking);
        }
        if (!blocking) {
            return delays.after(delay).thenCompose(v -> step(call, next.request(), attempt, false));
        }
        try {
            delays.sleep(delay);
        } catch (InterruptedException e) {
            return CompletableFuture.failedFuture(interrupted(next, e));
        }
        return step(call, next.request(), attempt, true);
    }
}
