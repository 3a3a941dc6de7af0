package io.aioduct.spring.autoconfigure;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Two listeners as one: every event goes to the first, then to the second. An engine takes one listener;
 * this lets the starter's observers (the Micrometer binding) add theirs to one an application set. Each
 * listener follows {@link EventListener}'s rules itself, so neither is guarded here.
 */
final class CompositeEventListener implements EventListener {
    private final EventListener first;
    private final EventListener second;

    private CompositeEventListener(EventListener first, EventListener second) {
        this.first = first;
        this.second = second;
    }

    /** {@code first} then {@code second}; either alone when the other is {@link EventListener#NONE}. */
    static EventListener of(EventListener first, EventListener second) {
        if (second == EventListener.NONE) return first;
        if (first == EventListener.NONE) return second;
        return new CompositeEventListener(first, second);
    }

    @Override
    public void callStart(Request request) {
        first.callStart(request);
        second.callStart(request);
    }

    @Override
    public void callEnd(Request request, int status, long nanos) {
        first.callEnd(request, status, nanos);
        second.callEnd(request, status, nanos);
    }

    @Override
    public void callFailed(Request request, Throwable error, long nanos) {
        first.callFailed(request, error, nanos);
        second.callFailed(request, error, nanos);
    }

    @Override
    public void acquireStart(Request request, Origin origin) {
        first.acquireStart(request, origin);
        second.acquireStart(request, origin);
    }

    @Override
    public void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {
        first.acquireEnd(request, connection, waitNanos);
        second.acquireEnd(request, connection, waitNanos);
    }

    @Override
    public void acquireFailed(Request request, Origin origin, Throwable error, long waitNanos) {
        first.acquireFailed(request, origin, error, waitNanos);
        second.acquireFailed(request, origin, error, waitNanos);
    }

    @Override
    public void dnsStart(Request request, String host) {
        first.dnsStart(request, host);
        second.dnsStart(request, host);
    }

    @Override
    public void dnsEnd(Request request, String host, List<InetAddress> addresses, long nanos) {
        first.dnsEnd(request, host, addresses, nanos);
        second.dnsEnd(request, host, addresses, nanos);
    }

    @Override
    public void dnsFailed(Request request, String host, Throwable error, long nanos) {
        first.dnsFailed(request, host, error, nanos);
        second.dnsFailed(request, host, error, nanos);
    }

    @Override
    public void connectStart(Request request, InetSocketAddress address) {
        first.connectStart(request, address);
        second.connectStart(request, address);
    }

    @Override
    public void connectEnd(Request request, InetSocketAddress address, long nanos) {
        first.connectEnd(request, address, nanos);
        second.connectEnd(request, address, nanos);
    }

    @Override
    public void connectFailed(Request request, InetSocketAddress address, Throwable error, long nanos) {
        first.connectFailed(request, address, error, nanos);
        second.connectFailed(request, address, error, nanos);
    }

    @Override
    public void tlsStart(Request request, Origin origin) {
        first.tlsStart(request, origin);
        second.tlsStart(request, origin);
    }

    @Override
    public void tlsEnd(Request request, Origin origin, String tlsProtocol, String applicationProtocol, long nanos) {
        first.tlsEnd(request, origin, tlsProtocol, applicationProtocol, nanos);
        second.tlsEnd(request, origin, tlsProtocol, applicationProtocol, nanos);
    }

    @Override
    public void tlsFailed(Request request, Origin origin, Throwable error, long nanos) {
        first.tlsFailed(request, origin, error, nanos);
        second.tlsFailed(request, origin, error, nanos);
    }

    @Override
    public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
        first.connectionAcquired(request, connection, reused);
        second.connectionAcquired(request, connection, reused);
    }

    @Override
    public void connectionReleased(Request request, ConnectionInfo connection) {
        first.connectionReleased(request, connection);
        second.connectionReleased(request, connection);
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, String reason) {
        first.connectionClosed(connection, reason);
        second.connectionClosed(connection, reason);
    }

    @Override
    public void requestHeadersStart(Request request, ConnectionInfo connection) {
        first.requestHeadersStart(request, connection);
        second.requestHeadersStart(request, connection);
    }

    @Override
    public void requestHeadersEnd(Request request, ConnectionInfo connection, long bytes) {
        first.requestHeadersEnd(request, connection, bytes);
        second.requestHeadersEnd(request, connection, bytes);
    }

    @Override
    public void requestBodyStart(Request request, ConnectionInfo connection) {
        first.requestBodyStart(request, connection);
        second.requestBodyStart(request, connection);
    }

    @Override
    public void requestBodyEnd(Request request, ConnectionInfo connection, long bytes) {
        first.requestBodyEnd(request, connection, bytes);
        second.requestBodyEnd(request, connection, bytes);
    }

    @Override
    public void requestFailed(Request request, ConnectionInfo connection, Throwable error) {
        first.requestFailed(request, connection, error);
        second.requestFailed(request, connection, error);
    }

    @Override
    public void responseHeadersStart(Request request, ConnectionInfo connection) {
        first.responseHeadersStart(request, connection);
        second.responseHeadersStart(request, connection);
    }

    @Override
    public void responseHeadersEnd(Request request, ConnectionInfo connection, int status, long bytes) {
        first.responseHeadersEnd(request, connection, status, bytes);
        second.responseHeadersEnd(request, connection, status, bytes);
    }

    @Override
    public void responseBodyStart(Request request, ConnectionInfo connection) {
        first.responseBodyStart(request, connection);
        second.responseBodyStart(request, connection);
    }

    @Override
    public void responseBodyEnd(Request request, ConnectionInfo connection, long bytes) {
        first.responseBodyEnd(request, connection, bytes);
        second.responseBodyEnd(request, connection, bytes);
    }

    @Override
    public void responseFailed(Request request, ConnectionInfo connection, Throwable error) {
        first.responseFailed(request, connection, error);
        second.responseFailed(request, connection, error);
    }

    @Override
    public void retry(Request request, int attempt, Throwable cause) {
        first.retry(request, attempt, cause);
        second.retry(request, attempt, cause);
    }

    @Override
    public void redirect(Request request, int status, URI location) {
        first.redirect(request, status, location);
        second.redirect(request, status, location);
    }
}
