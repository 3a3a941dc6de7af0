package io.aioduct.testing;

/**
 * Decides what {@link TestServer} does with one complete request. It runs on the server's event loop:
 * it must not block or sleep. To act later use {@link ServerExchange#schedule} or keep the exchange and
 * call it from another thread (every {@link ServerExchange} method hops onto the loop by itself).
 *
 * <p>A handler that throws is recorded in {@link TestServer#failures()}; the server then answers 500 (or
 * closes the connection when a response was already started).
 */
@FunctionalInterface
public interface Handler {

    /** Handles {@code request}; answer (or misbehave) through {@code exchange}. */
    void handle(RecordedRequest request, ServerExchange exchange) throws Exception;
}
