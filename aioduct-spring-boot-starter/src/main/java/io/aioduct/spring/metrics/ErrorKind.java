package io.aioduct.spring.metrics;

import io.aioduct.BodyTooLargeException;
import io.aioduct.ConnectFailedException;
import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.PoolExhaustedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.StreamResetException;
import io.aioduct.TimedOutException;
import io.aioduct.tls.TlsHandshakeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The {@code kind} tag of {@code aioduct.errors}: one value per engine exception a caller can act on. */
enum ErrorKind {
    CONNECT("connect"),
    TLS("tls"),
    TIMEOUT("timeout"),
    PROTOCOL("protocol"),
    CLOSED("closed"),
    CANCELLED("cancelled"),
    BODY_TOO_LARGE("body-too-large"),
    POOL_EXHAUSTED("pool-exhausted"),
    OTHER("other");

    final String tag;

    ErrorKind(String tag) {
        this.tag = tag;
    }

    static ErrorKind of(Throwable error) {
        Throwable e = unwrap(error);
        // TlsHandshakeException is a ConnectFailedException: test it first.
        if (e instanceof TlsHandshakeException) return TLS;
        if (e instanceof ConnectFailedException) return CONNECT;
        if (e instanceof TimedOutException) return TIMEOUT;
        if (e instanceof HttpProtocolException || e instanceof StreamResetException) return PROTOCOL;
        if (e instanceof ConnectionClosedException) return CLOSED;
        if (e instanceof RequestCancelledException) return CANCELLED;
        if (e instanceof BodyTooLargeException) return BODY_TOO_LARGE;
        if (e instanceof PoolExhaustedException) return POOL_EXHAUSTED;
        return OTHER;
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
