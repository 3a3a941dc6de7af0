package io.aioduct.bench.load;

/**
 * One HTTP client under test, adapted to the load runner. A contender is either asynchronous ({@link
 * #send}: the runner keeps N requests in flight by sending the next one from each completion) or
 * blocking ({@link #call}: the runner drives it with N threads of the kind {@link #mode()} names). Either
 * way the whole response body is read into memory (a {@code byte[]} or the client's own aggregate), as an
 * application that uses the body would.
 */
public interface Contender extends AutoCloseable {
    /** How the runner drives the client. */
    enum Mode {
        /** {@link #send} with a callback; requests are re-issued from the completion. */
        ASYNC,
        /** {@link #call} from N virtual threads. */
        BLOCKING_VIRTUAL
    }

    Mode mode();

    /** Sends {@code call} and calls {@code done} exactly once, when the body was read or the exchange failed. */
    default void send(Call call, Done done) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is blocking");
    }

    /** Sends {@code call} on the calling thread and returns the number of body bytes read. */
    default long call(Call call) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is asynchronous");
    }

    @Override
    void close() throws Exception;

    /** Completion of an asynchronous send. */
    @FunctionalInterface
    interface Done {
        /** {@code bodyBytes} read, or {@code failure} non-null. */
        void done(long bodyBytes, Throwable failure);
    }
}
