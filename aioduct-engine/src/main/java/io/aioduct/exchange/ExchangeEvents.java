package io.aioduct.exchange;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.Ticker;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.connect.ConnectObserver;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.proxy.Proxy;
import java.net.InetAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The event bookkeeping of one exchange: the engine and the protocol drivers tell it what happens, and
 * it turns that into {@link EventListener} calls with durations. Never null: {@link #start} gives {@link
 * #NONE} when the engine has no listener, a shared instance whose methods do nothing (no clock read, no
 * allocation), and otherwise a recording instance that reads time only from the engine's {@link Ticker}.
 * It is also the exchange's {@link ConnectObserver}, so connectors report TCP and TLS phases into it.
 *
 * <p>Threading: one exchange's phases follow one another, so a recording instance needs no locks except
 * in {@link #end}; {@link #NONE} is stateless and shared by every exchange. Methods never throw what a
 * listener throws (the engine's listener is {@link EventListener#guarded}).
 */
public sealed class ExchangeEvents implements ConnectObserver permits RecordingExchangeEvents {
    /** Reports nothing and reads no clock: every exchange of an engine without a listener shares it. */
    public static final ExchangeEvents NONE = new ExchangeEvents();

    ExchangeEvents() {}

    /**
     * Starts the call's events (reporting {@code callStart}), or returns {@link #NONE} without reading
     * {@code ticker} when {@code listener} is {@link EventListener#NONE}.
     *
     * @param listener the engine's guarded listener
     * @param ticker the engine's clock, the only source of the durations reported
     */
    public static ExchangeEvents start(EventListener listener, Request request, Ticker ticker) {
        return listener == EventListener.NONE ? NONE : new RecordingExchangeEvents(listener, request, ticker);
    }

    // ---- acquiring a connection ----

    /** The exchange asks its pool for a connection (again, on a retry): a new attempt begins. */
    public void acquireStart(Origin origin) {}

    /** The exchange has its connection: acquireEnd, then connectionAcquired. */
    public void acquired(ConnectionInfo connection, boolean reused) {}

    /**
     * The connection about to be opened goes to {@code proxy} (null: straight to the origin), so the connect
     * events that follow say so; before its {@link #dnsStart}.
     */
    public void via(@Nullable Proxy proxy) {}

    public void dnsStart(String host) {}

    public void dnsEnd(List<InetAddress> addresses) {}

    public void dnsFailed(Throwable error) {}

    // ---- the request and response on the connection ----

    public void requestHeadersStart() {}

    public void requestHeadersEnd(long bytes) {}

    public void requestBodyStart() {}

    /** The body is sent; the request with it. */
    public void requestBodyEnd(long bytes) {}

    /** The request is fully written (with or without a body): a failure now is the response's. */
    public void requestSent() {}

    /** Response bytes arrived; reported once per attempt. */
    public void responseHeadersStart() {}

    /** The head arrived: responseHeadersEnd, then responseBodyStart. */
    public void responseHeadersEnd(int status, long bytes) {}

    public void responseBodyEnd(long bytes) {}

    /**
     * The attempt on the current connection failed: requestFailed or responseFailed, once (both the
     * connection and the exchange may report the same failure). A {@link BodySourceFailure} is reported
     * as the source's exception it carries, here and in {@link #failed} and {@link #retry}.
     */
    public void attemptFailed(Throwable failure) {}

    /** The connection went back to its pool (or its stream ended). */
    public void released() {}

    public void retry(int attempt, Throwable cause) {}

    // ---- the end ----

    /** Records why the call failed; reported by {@link #end}. */
    public void failed(Throwable error) {}

    /** Ends the call: acquireFailed if it never got a connection, then callEnd or callFailed. Once. */
    public void end() {}

    /**
     * Ends the call unless its attempt failed before a response head: the exchange then decides between
     * a retry and failing, and ends the call itself. For connections that signal "exchange over" on
     * failure too.
     */
    public void endUnlessRetrying() {}
}
