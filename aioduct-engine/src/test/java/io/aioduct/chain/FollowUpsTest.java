package io.aioduct.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.ConnectionClosedException;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The chain's frame, without a network: a follow-up that answers {@code 3xx}-like statuses with the next
 * request, a bridge that stamps every request, made-up responses. The same decisions must come out of the
 * three ways in (blocking loop, asynchronous future, stages through user interceptors).
 */
class FollowUpsTest {
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<Duration> waited = new CopyOnWriteArrayList<>();
    private final List<Response> discarded = new CopyOnWriteArrayList<>();

    /** Follows a 399 to "/next" at once, a 398 after 5 s; retries one failure after 1 s. */
    private final FollowUp hop = new FollowUp() {
        @Override
        public FollowUp.@Nullable Next onResponse(FollowUpCall call, Request sent, Response response) {
            if (response.status() != 399 && response.status() != 398) return null;
            discarded.add(response);
            FollowUpCall.discard(response);
            Request next = Request.builder("GET", "http://chain.test/next" + call.increment("hops"))
                    .build();
            return response.status() == 399 ? FollowUp.Next.now(next) : new FollowUp.Next(next, Duration.ofSeconds(5));
        }

        @Override
        public FollowUp.@Nullable Next onFailure(FollowUpCall call, Request sent, Throwable failure) {
            if (call.increment("retries") > 1) return null;
            return new FollowUp.Next(sent, Duration.ofSeconds(1));
        }
    };

    private final Bridge stamp = new Bridge() {
        @Override
        public Request prepare(Request request) {
            return request.toBuilder().setHeader("X-Stamp", "yes").build();
        }
    };

    private final Delays delays = new Delays() {
        @Override
        public CompletionStage<Void> after(Duration delay) {
            waited.add(delay);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void sleep(Duration delay) {
            waited.add(delay);
        }
    };

    private final FollowUps chain = new FollowUps(List.of(hop), List.of(stamp), delays);

    /** The server: each path answers with the next status in its script. */
    private Response answer(Request r, List<Integer> script) {
        assertThat(r.headers().first("X-Stamp"))
                .as("every hop passes the bridge")
                .isEqualTo("yes");
        sent.add(r.uri().getPath());
        int status = script.remove(0);
        if (status == 0)
            throw new ConnectionClosedException("closed under " + r.uri().getPath(), null);
        return Response.builder(r, status).body("body of " + r.uri().getPath()).build();
    }

    private static Request first() {
        return Request.builder("GET", "http://chain.test/first").build();
    }

    @Test
    void blockingFollowsOnTheCallersThreadAndSleepsThere() {
        List<Integer> script = new ArrayList<>(List.of(399, 398, 0, 200));
        Thread caller = Thread.currentThread();
        Response r = chain.execute(first(), req -> {
            assertThat(Thread.currentThread()).isSameAs(caller);
            return answer(req, script);
        });

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().string()).isEqualTo("body of /next2");
        assertThat(sent).containsExactly("/first", "/next1", "/next2", "/next2");
        assertThat(waited).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(1));
        assertThat(discarded).hasSize(2);
    }

    @Test
    void asyncFollowsAsResponsesCompleteAndWaitsOnTheTimer() {
        List<Integer> script = new ArrayList<>(List.of(399, 398, 0, 200));
        Response r = chain.send(first(), req -> {
                    try {
                        return CompletableFuture.completedFuture(answer(req, script));
                    } catch (RuntimeException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                })
                .join();

        assertThat(r.status()).isEqualTo(200);
        assertThat(sent).containsExactly("/first", "/next1", "/next2", "/next2");
        assertThat(waited).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    @Test
    void stagesThroughUserInterceptorsDecideTheSame() {
        List<Integer> script = new ArrayList<>(List.of(399, 0, 200));
        Response r = chain.run(
                        first(),
                        req -> {
                            try {
                                return CompletableFuture.completedFuture(answer(req, script));
                            } catch (RuntimeException e) {
                                return CompletableFuture.failedFuture(e);
                            }
                        },
                        true)
                .toCompletableFuture()
                .join();

        assertThat(r.status()).isEqualTo(200);
        assertThat(sent).containsExactly("/first", "/next1", "/next1");
        assertThat(waited).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void aFailureNoFollowUpTakesIsTheCallsFailure() {
        List<Integer> script = new ArrayList<>(List.of(0, 0));
        assertThatThrownBy(() -> chain.execute(first(), req -> answer(req, script)))
                .isInstanceOf(ConnectionClosedException.class);
        assertThat(sent).containsExactly("/first", "/first");

        List<Integer> again = new ArrayList<>(List.of(0, 0));
        sent.clear();
        assertThatThrownBy(() -> chain.send(first(), req -> {
                            try {
                                return CompletableFuture.completedFuture(answer(req, again));
                            } catch (RuntimeException e) {
                                return CompletableFuture.failedFuture(e);
                            }
                        })
                        .join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void aFollowUpThatThrowsFailsTheCallAndClosesTheResponse() {
        List<Response> got = new ArrayList<>();
        FollowUp broken = (call, s, response) -> {
            got.add(response);
            throw new IllegalStateException("policy bug");
        };
        FollowUps c = new FollowUps(List.of(broken), List.of(), delays);
        assertThatThrownBy(() -> c.execute(
                        first(), req -> Response.builder(req, 200).body("x").build()))
                .hasMessage("policy bug");
        assertThatThrownBy(() -> got.getFirst().body().bytes())
                .as("the response was closed")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cancellingTheAsyncCallAbortsTheAttemptInFlightAndClosesALateResponse() {
        CompletableFuture<Response> inFlight = new CompletableFuture<>();
        Function<Request, CompletableFuture<Response>> attempt = req -> inFlight;
        CompletableFuture<Response> call = chain.send(first(), attempt);

        assertThat(call.cancel(false)).isTrue();
        assertThat(inFlight).isCancelled();

        // An exchange too far along to abort (its cancel refuses) still answers: the response is closed.
        CompletableFuture<Response> stubborn = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                return false;
            }
        };
        CompletableFuture<Response> call2 = chain.send(first(), req -> stubborn);
        assertThat(call2.cancel(false)).isTrue();
        Response late = Response.builder(first(), 200).body("late").build();
        stubborn.complete(late);
        assertThat(call2).isCancelled();
        assertThatThrownBy(() -> late.body().bytes())
                .as("the late response was closed")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anInterruptDuringABlockingWaitIsACancellation() {
        Delays interrupting = new Delays() {
            @Override
            public CompletionStage<Void> after(Duration delay) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void sleep(Duration delay) throws InterruptedException {
                throw new InterruptedException();
            }
        };
        FollowUps c = new FollowUps(List.of(hop), List.of(stamp), interrupting);
        List<Integer> script = new ArrayList<>(List.of(398, 200));
        try {
            assertThatThrownBy(() -> c.execute(first(), req -> answer(req, script)))
                    .isInstanceOf(RequestCancelledException.class)
                    .hasMessageContaining("5000 ms");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
