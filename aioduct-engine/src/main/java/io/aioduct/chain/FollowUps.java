package io.aioduct.chain;

import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.concurrent.Completions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The built-in policy chain of a client: the {@link FollowUp}s (redirects, authentication challenges,
 * retries, asked in that order) and the {@link Bridge}s (cookies) around one call. It sits between the
 * user's interceptors and the network interceptors: every request it sends, follow-ups included, passes
 * the bridges and then the network interceptors, so each hop gets its own cookies and a network interceptor
 * sees every hop.
 *
 * <p>One code path serves both kinds of call: in a blocking call every attempt's stage is already complete,
 * so the loop runs on the caller's thread, and a delay sleeps there; in an asynchronous call it runs where
 * each response completes, and a delay waits on the runtime's timer. Immutable and thread-safe.
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

    /**
     * Sends {@code request} and every follow-up the policies ask for, each through {@code attempt}; the
     * stage completes with the response no policy follows, or the failure none retries.
     */
    public CompletionStage<Response> run(Request request, Attempt attempt, boolean blocking) {
        return step(new FollowUpCall(request), request, attempt, blocking);
    }

    private CompletionStage<Response> step(FollowUpCall call, Request request, Attempt attempt, boolean blocking) {
        Request sent = request;
        CompletionStage<Response> stage;
        try {
            for (Bridge bridge : bridges) sent = bridge.prepare(sent);
            stage = attempt.send(sent);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        Request finalSent = sent;
        return stage.handle((response, failure) -> failure != null
                        ? afterFailure(call, finalSent, Completions.unwrap(failure), attempt, blocking)
                        : afterResponse(call, finalSent, response, attempt, blocking))
                .thenCompose(Function.identity());
    }

    private CompletionStage<Response> afterResponse(
            FollowUpCall call, Request sent, Response response, Attempt attempt, boolean blocking) {
        FollowUp.Next next = null;
        try {
            for (Bridge bridge : bridges) response = bridge.received(sent, response);
            for (FollowUp followUp : followUps) {
                next = followUp.onResponse(call, sent, response);
                if (next != null) break;
            }
        } catch (RuntimeException e) {
            response.close();
            return CompletableFuture.failedFuture(e);
        }
        return next == null ? CompletableFuture.completedFuture(response) : follow(call, next, attempt, blocking);
    }

    private CompletionStage<Response> afterFailure(
            FollowUpCall call, Request sent, Throwable failure, Attempt attempt, boolean blocking) {
        FollowUp.Next next = null;
        try {
            for (FollowUp followUp : followUps) {
                next = followUp.onFailure(call, sent, failure);
                if (next != null) break;
            }
        } catch (RuntimeException e) {
            e.addSuppressed(failure);
            return CompletableFuture.failedFuture(e);
        }
        return next == null ? CompletableFuture.failedFuture(failure) : follow(call, next, attempt, blocking);
    }

    private CompletionStage<Response> follow(FollowUpCall call, FollowUp.Next next, Attempt attempt, boolean blocking) {
        call.followed();
        Duration delay = next.delay();
        if (delay.isZero() || delay.isNegative()) {
            return step(call, next.request(), attempt, blocking);
        }
        if (!blocking) {
            return delays.after(delay).thenCompose(v -> step(call, next.request(), attempt, false));
        }
        try {
            delays.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new RequestCancelledException(
                    "interrupted while waiting " + delay.toMillis() + " ms to send " + next.request(), e));
        }
        return step(call, next.request(), attempt, true);
    }
}
