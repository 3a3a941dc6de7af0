package io.aioduct.spring.http;

import io.aioduct.AioductException;
import io.aioduct.ConnectFailedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.TimedOutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Engine failures as the {@link IOException}s Spring's client contracts declare, so RestTemplate and
 * RestClient report them as {@code ResourceAccessException} and WebClient sees the same causes as with
 * Spring's own connectors. The engine's exception is always the cause, so callers can still tell which
 * timeout fired.
 */
final class ExchangeFailures {
    private ExchangeFailures() {}

    /** The failure itself, without the wrappers completion stages add. */
    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * The failure a reactive exchange reports: an engine failure as its {@link IOException}, anything else
     * (an error of the request body's own publisher) unchanged.
     */
    static Throwable forReactive(Throwable failure) {
        Throwable t = unwrap(failure);
        return t instanceof AioductException e ? toIOException(e) : t;
    }

    static IOException toIOException(AioductException e) {
        IOException io;
        if (e instanceof TimedOutException) {
            io = new SocketTimeoutException(e.getMessage());
        } else if (e instanceof ConnectFailedException) {
            io = new ConnectException(e.getMessage());
        } else if (e instanceof RequestCancelledException
                && Thread.currentThread().isInterrupted()) {
            io = new InterruptedIOException(e.getMessage());
        } else {
            return new IOException(e.getMessage(), e);
        }
        io.initCause(e);
        return io;
    }
}
