package io.aioduct.exchange;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Ticker;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.proxy.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The event bookkeeping of one exchange with a listener: which phase it is in, when each began (read from
 * the engine's {@link Ticker}, never from {@link System#nanoTime()}), on which connection. What each
 * method means is on {@link ExchangeEvents}.
 *
 * <p>Threading: the exchange's phases follow one another (each hands over to the next through the pool,
 * a loop task or a future), so plain fields suffice; {@link #end} is guarded by its caller's once-only
 * flag.
 */
final class RecordingExchangeEvents extends ExchangeEvents {
    private final EventListener listener;
    private final Request request;
    private final Ticker ticker;
    private final long callStart;
    private long acquireStart;
    private boolean acquiring;
    private long phaseStart;
    /** The pending connect attempt while only one is (the usual case), and when it started. */
    private @Nullable InetSocketAddress connecting;

    private long connectStart;
    /** When each of several overlapping attempts started (a Happy Eyeballs race); made on the first overlap. */
    private java.util.@Nullable Map<InetSocketAddress, Long> racing;

    private @Nullable String host;
    /** The type of the proxy the connection being opened goes to, null when direct. */
    private Proxy.@Nullable Type via;

    private long tunnelStart;
    private @Nullable ConnectionInfo connection;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean attemptFailed;
    private int status;
    private @Nullable Throwable failure;
    private boolean ended;

    RecordingExchangeEvents(EventListener listener, Request request, Ticker ticker) {
        this.listener = listener;
        this.request = request;
        this.ticker = ticker;
        this.callStart = ticker.nanoTime();
        listener.callStart(request);
    }

    // ---- acquiring a connection ----

    @Override
    public void acquireStart(Origin origin) {
        acquiring = true;
        attemptFailed = false;
        requestSent = false;
        responseStarted = false;
        acquireStart = ticker.nanoTime();
        listener.acquireStart(request, origin);
    }

    @Override
    public void acquired(ConnectionInfo c, boolean reused) {
        acquiring = false;
        connection = c;
        listener.acquireEnd(request, c, ticker.nanoTime() - acquireStart);
        listener.connectionAcquired(request, c, reused);
    }

    @Override
    public void via(@Nullable Proxy proxy) {
        via = proxy == null ? null : proxy.type();
    }

    @Override
    public void dnsStart(String host) {
        this.host = host;
        phaseStart = ticker.nanoTime();
        listener.dnsStart(request, host);
    }

    @Override
    public void dnsEnd(List<InetAddress> addresses) {
        listener.dnsEnd(request, String.valueOf(host), addresses, ticker.nanoTime() - phaseStart);
    }

    @Override
    public void dnsFailed(Throwable error) {
        listener.dnsFailed(request, String.valueOf(host), error, ticker.nanoTime() - phaseStart);
    }

    @Override
    public void connectStart(InetSocketAddress address) {
        long now = ticker.nanoTime();
        if (connecting == null && racing == null) {
            connecting = address;
            connectStart = now;
        } else {
            // Attempts overlap: each one's duration runs from its own start.
            if (racing == null) {
                racing = new java.util.HashMap<>();
                if (connecting != null) racing.put(connecting, connectStart);
                connecting = null;
            }
            racing.put(address, now);
        }
        listener.connectStart(request, address);
    }

    @Override
    public void connectEnd(InetSocketAddress address) {
        listener.connectEnd(request, address, via, ticker.nanoTime() - connectStarted(address));
    }

    @Override
    public void connectFailed(InetSocketAddress address, Throwable error) {
        listener.connectFailed(request, address, via, error, ticker.nanoTime() - connectStarted(address));
    }

    /** When the attempt to {@code address} started (forgetting it: each attempt ends once). */
    private long connectStarted(InetSocketAddress address) {
        if (racing != null) {
            Long start = racing.remove(address);
            if (racing.isEmpty()) racing = null;
            return start != null ? start : ticker.nanoTime();
        }
        if (address.equals(connecting)) {
            connecting = null;
            return connectStart;
        }
        return ticker.nanoTime();
    }

    @Override
    public void tunnelStart(Proxy proxy) {
        tunnelStart = ticker.nanoTime();
        listener.tunnelStart(request, address(proxy), proxy.type());
    }

    @Override
    public void tunnelEnd(Proxy proxy) {
        listener.tunnelEnd(request, address(proxy), proxy.type(), ticker.nanoTime() - tunnelStart);
    }

    @Override
    public void tunnelFailed(Proxy proxy, Throwable error) {
        listener.tunnelFailed(request, address(proxy), proxy.type(), error, ticker.nanoTime() - tunnelStart);
    }

    /** {@code host:port}, an IPv6 literal in brackets: the proxy without its credentials. */
    private static String address(Proxy proxy) {
        String host = proxy.host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + proxy.port();
    }

    @Override
    public void tlsStart() {
        phaseStart = ticker.nanoTime();
        listener.tlsStart(request, request.origin());
    }

    @Override
    public void tlsEnd(String tlsProtocol, @Nullable String applicationProtocol) {
        listener.tlsEnd(
                request,
                request.origin(),
                tlsProtocol,
                applicationProtocol == null ? "http/1.1" : applicationProtocol,
                ticker.nanoTime() - phaseStart);
    }

    @Override
    public void tlsFailed(Throwable error) {
        listener.tlsFailed(request, request.origin(), error, ticker.nanoTime() - phaseStart);
    }

    // ---- the request and response on the connection ----

    @Override
    public void requestHeadersStart() {
        listener.requestHeadersStart(request, conn());
    }

    @Override
    public void requestHeadersEnd(long bytes) {
        listener.requestHeadersEnd(request, conn(), bytes);
    }

    @Override
    public void requestBodyStart() {
        listener.requestBodyStart(request, conn());
    }

    @Override
    public void requestBodyEnd(long bytes) {
        requestSent = true;
        listener.requestBodyEnd(request, conn(), bytes);
    }

    @Override
    public void requestSent() {
        requestSent = true;
    }

    @Override
    public void responseHeadersStart() {
        if (!responseStarted) {
            responseStarted = true;
            requestSent = true;
            listener.responseHeadersStart(request, conn());
        }
    }

    @Override
    public void responseHeadersEnd(int status, long bytes) {
        this.status = status;
        listener.responseHeadersEnd(request, conn(), status, bytes);
        listener.responseBodyStart(request, conn());
    }

    @Override
    public void responseBodyEnd(long bytes) {
        listener.responseBodyEnd(request, conn(), bytes);
    }

    @Override
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

    @Override
    public void released() {
        ConnectionInfo c = connection;
        if (c != null) {
            connection = null;
            listener.connectionReleased(request, c);
        }
    }

    @Override
    public void retry(int attempt, Throwable cause) {
        listener.retry(request, attempt, BodySourceFailure.unwrap(cause));
    }

    // ---- the end ----

    @Override
    public void failed(Throwable error) {
        if (failure == null) failure = BodySourceFailure.unwrap(error);
    }

    @Override
    public synchronized void end() {
        if (ended) return;
        ended = true;
        long now = ticker.nanoTime();
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

    @Override
    public synchronized void endUnlessRetrying() {
        if (attemptFailed && status == 0) return;
        end();
    }

    private ConnectionInfo conn() {
        ConnectionInfo c = connection;
        return c != null ? c : ConnectionTag.NONE;
    }
}
