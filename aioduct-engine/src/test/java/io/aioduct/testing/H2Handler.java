package io.aioduct.testing;

/**
 * Decides what {@link H2TestServer} does with one request stream. It runs on the server's event loop: it
 * must not block or sleep. To act later use {@link H2ServerExchange#schedule} or keep the exchange and
 * call it from another thread (every {@link H2ServerExchange} method hops onto the loop by itself).
 *
 * <p>A handler registered with {@link H2TestServer#route} or {@link H2TestServer#handle} runs once the
 * whole request (END_STREAM) has arrived; one registered with {@link H2TestServer#routeOnHeaders} runs
 * as soon as the request's HEADERS arrived, with an empty body, and may wait for the rest with
 * {@link H2ServerExchange#requestComplete()}.
 *
 * <p>A handler that throws is recorded in {@link H2TestServer#failures()}; the server then answers 500
 * (or resets the stream with INTERNAL_ERROR when a response was already started).
 */
@FunctionalInterface
public interface H2Handler {

    /** Handles {@code request}; answer (or misbehave) through {@code exchange}. */
    void handle(RecordedRequest request, H2ServerExchange exchange) throws Exception;
}
