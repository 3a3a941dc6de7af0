package io.aioduct.spring.http;

import io.aioduct.AioductException;
import io.aioduct.ConnectFailedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.TimedOutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

/**
 * Engine failures as the {@link IOException}s Spring's blocking contract declares, so RestTemplate and
 * RestClient report them as {@code ResourceAccessException} like with any other client. The engine's
 * exception is always the cause, so callers can still tell which timeout fired.
 */
final class ExchangeFailures {
    private ExchangeFailures() {}

    /** The failure itself, without the wrappers completion stages add. */
    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException
                        || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
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
