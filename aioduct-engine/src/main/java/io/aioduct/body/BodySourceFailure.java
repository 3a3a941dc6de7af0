package io.aioduct.body;

import io.aioduct.AioductException;
import io.aioduct.concurrent.Completions;

/**
 * Carries the failure of a request body's own source (its {@code InputStream}, {@code BodyWriter} or
 * publisher threw or signalled an error) through the blocking write path, so that it is never taken for
 * a failure of the connection: not mapped to {@code ConnectionClosedException}, not retried, not
 * wrapped again. Exceptions of the engine itself (a socket write failed, the stream was reset, the body
 * broke its declared length) are never carried.
 *
 * <p>Where the exchange ends the carrier is taken off ({@link #unwrap}, {@link #surface}): {@code send()}
 * fails with the source's exception itself; {@code execute()} throws it when it is unchecked, and an
 * {@link AioductException} whose direct cause it is when it is checked, exactly as for the event-loop
 * runtimes (see docs/errors.md). Events always see the source's exception itself.
 */
public final class BodySourceFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Carries {@code source}, the exception the body's source threw or signalled. */
    public BodySourceFailure(Throwable source) {
        // No stack trace of its own: it only carries the source's, which has the one that matters.
        super("the request body source failed: " + source, source, false, false);
    }

    /** The source's exception when {@code t} carries one, otherwise {@code t} itself. */
    public static Throwable unwrap(Throwable t) {
        return t instanceof BodySourceFailure f ? f.getCause() : t;
    }

    /**
     * What a blocking {@code execute()} throws for {@code e}: the source's exception when {@code e}
     * carries an unchecked one, an {@link AioductException} caused by it when it is checked (as {@link
     * Completions#propagate} does for the event-loop runtimes), otherwise {@code e} itself.
     */
    public static RuntimeException surface(RuntimeException e) {
        return e instanceof BodySourceFailure f ? Completions.propagate(f.getCause()) : e;
    }
}
