package io.aioduct.observe;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.connect.ConnectObserver;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.exchange.ConnectionTag;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The event bookkeeping of one exchange: which phase it is in, when each began, on which connection. It
 * exists only when a listener is set ({@link #start} returns null otherwise), so an engine without a
 * listener pays one null check per phase and nothing else.
 *
 * <p>Threading: the exchange's phases follow one another (each hands over to the next through the pool,
 * a loop task or a future), so plain fields suffice; {@link #end} is guarded by its caller's once-only
 * flag.
 */
public final class ExchangeEvents implements ConnectObserver {
    private final EventListener listener;
    private final Request request;
    private final long callStart;
    private long acquireStart;
    private boolean acquiring;
    private long phaseStart;
    private @Nullable String host;
    private @Nullable ConnectionInfo connection;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean attemptFailed;
    private int status;
    private @Nullable Throwable failure;
    private boolean ended;

    private ExchangeEvents(EventListener listener, Request request) {
        this.listener = listener;
        this.request = request;
        this.callStart = System.nanoTime();
        listener.callStart(request);
    }

    /** Starts the call's events, or returns null when {@code listener} is null (no listener set). */
    public static @Nullable ExchangeEvents start(@Nullable EventListener listener, Request request) {
        return listener == null ? null : new ExchangeEvents(listener, request);
    }

    // ---- acquiring a connection ----

    public void acquireStart(Origin origin) {
        acquiring = true;
        attemptFailed = false;
        requestSent = false;
        responseStarted = false;
        acquireStart = System.nanoTime();
        listener.acquireStart(request, origin);
    }

    /** The exchange has its connection: acquireEnd, then connectionAcquired. */
    public void acquired(ConnectionInfo c, boolean reused) {
        acquiring = false;
        connection = c;
        listener.acquireEnd(request, c, System.nanoTime() - acquireStart);
        listener.connectionAcquired(request, c, reused);
    }

    public void dnsStart(String host) {
        this.host = host;
        phaseStart = System.nanoTime();
        listener.dnsStart(request, host);
    }

    public void dnsEnd(List<InetAddress> addresses) {
        listener.dnsEnd(request, String.valueOf(host), addresses, System.nanoTime() - phaseStart);
    }

    public void dnsFailed(Throwable error) {
        listener.dnsFailed(request, String.valueOf(host), error, System.nanoTime() - phaseStart);
    }

    @Override
    public void connectStart(InetSocketAddress address) {
        phaseStart = System.nanoTime();
        listener.connectStart(request, address);
    }

    @Override
    public void connectEnd(InetSocketAddress address) {
        listener.connectEnd(request, address, System.nanoTime() - phaseStart);
    }

    @Override
    public void connectFailed(InetSocketAddress address, Throwable error) {
        listener.connectFailed(request, address, error, System.nanoTime() - phaseStart);
    }

    @Override
    public void tlsStart() {
        phaseStart = System.nanoTime();
        listener.tlsStart(request, request.origin());
    }

    @Override
    public void tlsEnd(String tlsProtocol, @Nullable String applicationProtocol) {
        listener.tlsEnd(
                request,
                request.origin(),
                tlsProtocol,
                applicationProtocol == null ? "http/1.1" : applicationProtocol,
                System.nanoTime() - phaseStart);
    }

    @Override
    public void tlsFailed(Throwable error) {
        listener.tlsFailed(request, request.origin(), error, System.nanoTime() - phaseStart);
    }

    // ---- the request and response on the connection ----

    public void requestHeadersStart() {
        listener.requestHeadersStart(request, conn());
    }

    public void requestHeadersEnd(long bytes) {
        listener.requestHeadersEnd(request, conn(), bytes);
    }

    public void requestBodyStart() {
        listener.requestBodyStart(request, conn());
    }

    public void requestBodyEnd(long bytes) {
        requestSent = true;
        listener.requestBodyEnd(request, conn(), bytes);
    }

    /** The request is fully written (with or without a body): a failure now is the response's. */
    public void requestSent() {
        requestSent = true;
    }

    /** Response bytes arrived; reported once per attempt. */
    public void responseHeadersStart() {
        if (!responseStarted) {
            responseStarted = true;
            requestSent = true;
            listener.responseHeadersStart(request, conn());
        }
    }

    public void responseHeadersEnd(int status, long bytes) {
        this.status = status;
        listener.responseHeadersEnd(request, conn(), status, bytes);
        listener.responseBodyStart(request, conn());
    }

    public void responseBodyEnd(long bytes) {
        listener.responseBodyEnd(request, conn(), bytes);
    }

    /**
     * The attempt on the current connection failed: requestFailed or responseFailed, once (both the
     * connection and the exchange may report the same failure). A {@link BodySourceFailure} is reported
     * as the source's exception it carries, here and in {@link #failed} and {@link #retry}.
     */
    public void attemptFailed(Throwable failure) {
        Throwable error = BodySourceFailure.unwrap(failure);
        ConnectionInfo c = connection;
        if (attemptFailed || c == null) return;
        attemptFailed = true;
        if (status != 0) {
            // The head arrived (the caller may hold the response): the failure is the call's, no retry.
            failed(error);
        }
        if (requestSent || responseStarted) {
            listener.responseFailed(request, c, error);
        } else {
            listener.requestFailed(request, c, error);
        }
    }

    /** The connection went back to its pool (or its stream ended). */
    public void released() {
        ConnectionInfo c = connection;
        if (c != null) {
            connection = null;
            listener.connectionReleased(request, c);
        }
    }

    public void retry(int attempt, Throwable cause) {
        listener.retry(request, attempt, BodySourceFailure.unwrap(cause));
    }

    // ---- the end ----

    /** Records why the call failed; reported by {@link #end}. */
    public void failed(Throwable error) {
        if (failure == null) failure = BodySourceFailure.unwrap(error);
    }

    /** Ends the call: acquireFailed if it never got a connection, then callEnd or callFailed. Once. */
    public synchronized void end() {
        if (ended) return;
        ended = true;
        long now = System.nanoTime();
        Throwable error = failure;
        if (error == null && status == 0) {
            error = new RequestCancelledException("the request was cancelled: " + request);
        }
        if (acquiring) {
            acquiring = false;
            listener.acquireFailed(request, request.origin(), error, now - acquireStart);
        }
        if (error != null) {
            attemptFailed(error);
            released();
            listener.callFailed(request, error, now - callStart);
        } else {
            released();
            listener.callEnd(request, status, now - callStart);
        }
    }

    /**
     * Ends the call unless its attempt failed before a response head: the exchange then decides between
     * a retry and failing, and ends the call itself. For connections that signal "exchange over" on
     * failure too.
     */
    public synchronized void endUnlessRetrying() {
        if (attemptFailed && status == 0) return;
        end();
    }

    private ConnectionInfo conn() {
        ConnectionInfo c = connection;
        return c != null ? c : ConnectionTag.NONE;
    }
}
