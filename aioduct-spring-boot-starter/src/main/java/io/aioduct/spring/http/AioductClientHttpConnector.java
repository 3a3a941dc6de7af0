package io.aioduct.spring.http;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.micrometer.observation.Observation;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Spring's reactive {@link ClientHttpConnector} on an {@link AioductClient}: what WebClient sends
 * through. Bodies stream both ways with back-pressure: the request body is pulled from its publisher as
 * the connection takes it, the response body is read from the connection only as the subscriber asks.
 *
 * <p>An error raised by the request body publisher fails the exchange with that same exception; an
 * engine failure (refused connection, timeout, malformed response) fails it, and a broken response
 * body fails the body, with an {@link java.io.IOException} whose cause is the engine's exception, as
 * with Spring's own connectors (WebClient reports the first as a {@code WebClientRequestException}).
 * Requests without an {@code Accept} header send {@code Accept: *}{@code /*}; request attributes are
 * applied as {@link AioductRequestAttributes} says.
 *
 * <p>Cancelling the response {@code Mono} aborts the exchange; cancelling the body closes the
 * connection (unless the body had already arrived), so its pool slot is released at once. Response
 * signals arrive on the engine's threads: never block in them.
 *
 * <p>When WebClient observes the request (its {@code http.client.requests}), the connector puts its client
 * into that observation's context, so a convention can say which client carried it: see {@link
 * #clientOf(Observation.Context)}.
 *
 * <p>Thread-safe; holds nothing to close (the engine's owner closes it).
 */
public final class AioductClientHttpConnector implements ClientHttpConnector {
    /**
     * The Reactor context key under which WebClient puts the observation of the current exchange: the value of
     * Micrometer's {@code ObservationThreadLocalAccessor.KEY} (that class needs context-propagation, which a
     * WebClient application need not have).
     */
    static final String OBSERVATION_KEY = "micrometer.observation";

    private final AioductClient client;
    private final DataBufferFactory bufferFactory;

    public AioductClientHttpConnector(AioductClient client) {
        this(client, DefaultDataBufferFactory.sharedInstance);
    }

    public AioductClientHttpConnector(AioductClient client, DataBufferFactory bufferFactory) {
        this.client = Objects.requireNonNull(client, "client");
        this.bufferFactory = Objects.requireNonNull(bufferFactory, "bufferFactory");
    }

    /** The client requests are sent with. */
    public AioductClient client() {
        return client;
    }

    @Override
    public Mono<ClientHttpResponse> connect(
            HttpMethod method, URI uri, Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
        return Mono.deferContextual(context -> {
            markObservation(context);
            AioductReactiveRequest request = new AioductReactiveRequest(client, method, uri, bufferFactory);
            return requestCallback
                    .apply(request)
                    .then(Mono.defer(request::setComplete)) // commits a request the callback left uncommitted
                    .then(Mono.defer(() -> send(request)));
        });
    }

    /** Tells WebClient's observation of this exchange, if there is one, which client carries it. */
    private void markObservation(ContextView context) {
        if (context.getOrDefault(OBSERVATION_KEY, null) instanceof Observation observation && !observation.isNoop()) {
            observation.getContext().put(AioductClient.class, client);
        }
    }

    /**
     * The client that carried the request a WebClient observation observes, or null when no aioduct connector
     * did (another connector, or the exchange failed in a filter before reaching one).
     */
    public static @Nullable AioductClient clientOf(Observation.Context context) {
        return context.get(AioductClient.class);
    }

    private Mono<ClientHttpResponse> send(AioductReactiveRequest request) {
        return Mono.<Response>create(sink -> {
                    CompletableFuture<Response> exchange = client.send(request.toEngineRequest());
                    sink.onCancel(() -> {
                        // Cancelled before the head arrived aborts the exchange; after, the response is
                        // ours to close or its connection would stay taken.
                        if (!exchange.cancel(false)) {
                            exchange.thenAccept(Response::close);
                        }
                    });
                    exchange.whenComplete((response, failure) -> {
                        if (failure != null) {
                            sink.error(ExchangeFailures.forReactive(failure));
                        } else {
                            sink.success(response);
                        }
                    });
                })
                .map(response -> new AioductReactiveResponse(response, bufferFactory));
    }

    @Override
    public String toString() {
        return "AioductClientHttpConnector[" + client.engine() + "]";
    }
}
