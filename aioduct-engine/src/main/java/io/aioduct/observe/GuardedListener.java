package io.aioduct.observe;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes every event on to a user's listener and keeps what it throws out of the engine: the exchange
 * carries on as if the listener had returned, and the first failure of each listener class is logged at
 * WARN (later ones are dropped, so a broken listener cannot flood the log from an event loop).
 */
public final class GuardedListener implements EventListener {
    private static final Logger log = LoggerFactory.getLogger(EventListener.class);
    private static final Set<Class<?>> WARNED = ConcurrentHashMap.newKeySet();

    private final EventListener delegate;

    private GuardedListener(EventListener delegate) {
        this.delegate = delegate;
    }

    /** The guarded listener, or null for {@link EventListener#NONE}: the engine then skips all bookkeeping. */
    public static @org.jspecify.annotations.Nullable EventListener of(EventListener listener) {
        if (listener == EventListener.NONE) return null;
        return listener instanceof GuardedListener ? listener : new GuardedListener(listener);
    }

    private void threw(String event, Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal; // out of memory and the like: not the listener's bug, and not ours to hide
        }
        if (WARNED.add(delegate.getClass())) {
            log.warn(
                    "event listener {} threw from {} (ignored; further failures of this listener class are not logged)",
                    delegate.getClass().getName(),
                    event,
                    e);
        }
    }

    @Override
    public void callStart(Request request) {
        try {
            delegate.callStart(request);
        } catch (Throwable e) {
            threw("callStart", e);
        }
    }

    @Override
    public void callEnd(Request request, int status, long nanos) {
        try {
            delegate.callEnd(request, status, nanos);
        } catch (Throwable e) {
            threw("callEnd", e);
        }
    }

    @Override
    public void callFailed(Request request, Throwable error, long nanos) {
        try {
            delegate.callFailed(request, error, nanos);
        } catch (Throwable e) {
            threw("callFailed", e);
        }
    }

    @Override
    public void acquireStart(Request request, Origin origin) {
        try {
            delegate.acquireStart(request, origin);
        } catch (Throwable e) {
            threw("acquireStart", e);
        }
    }

    @Override
    public void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {
        try {
            delegate.acquireEnd(request, connection, waitNanos);
        } catch (Throwable e) {
            threw("acquireEnd", e);
        }
    }

    @Override
    public void acquireFailed(Request request, Origin origin, Throwable error, long waitNanos) {
        try {
            delegate.acquireFailed(request, origin, error, waitNanos);
        } catch (Throwable e) {
            threw("acquireFailed", e);
        }
    }

    @Override
    public void dnsStart(Request request, String host) {
        try {
            delegate.dnsStart(request, host);
        } catch (Throwable e) {
            threw("dnsStart", e);
        }
    }

    @Override
    public void dnsEnd(Request request, String host, List<InetAddress> addresses, long nanos) {
        try {
            delegate.dnsEnd(request, host, addresses, nanos);
        } catch (Throwable e) {
            threw("dnsEnd", e);
        }
    }

    @Override
    public void dnsFailed(Request request, String host, Throwable error, long nanos) {
        try {
            delegate.dnsFailed(request, host, error, nanos);
        } catch (Throwable e) {
            threw("dnsFailed", e);
        }
    }

    @Override
    public void connectStart(Request request, InetSocketAddress address) {
        try {
            delegate.connectStart(request, address);
        } catch (Throwable e) {
            threw("connectStart", e);
        }
    }

    @Override
    public void connectEnd(Request request, InetSocketAddress address, long nanos) {
        try {
            delegate.connectEnd(request, address, nanos);
        } catch (Throwable e) {
            threw("connectEnd", e);
        }
    }

    @Override
    public void connectFailed(Request request, InetSocketAddress address, Throwable error, long nanos) {
        try {
            delegate.connectFailed(request, address, error, nanos);
        } catch (Throwable e) {
            threw("connectFailed", e);
        }
    }

    @Override
    public void tlsStart(Request request, Origin origin) {
        try {
            delegate.tlsStart(request, origin);
        } catch (Throwable e) {
            threw("tlsStart", e);
        }
    }

    @Override
    public void tlsEnd(Request request, Origin origin, String tlsProtocol, String applicationProtocol, long nanos) {
        try {
            delegate.tlsEnd(request, origin, tlsProtocol, applicationProtocol, nanos);
        } catch (Throwable e) {
            threw("tlsEnd", e);
        }
    }

    @Override
    public void tlsFailed(Request request, Origin origin, Throwable error, long nanos) {
        try {
            delegate.tlsFailed(request, origin, error, nanos);
        } catch (Throwable e) {
            threw("tlsFailed", e);
        }
    }

    @Override
    public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
        try {
            delegate.connectionAcquired(request, connection, reused);
        } catch (Throwable e) {
            threw("connectionAcquired", e);
        }
    }

    @Override
    public void connectionReleased(Request request, ConnectionInfo connection) {
        try {
            delegate.connectionReleased(request, connection);
        } catch (Throwable e) {
            threw("connectionReleased", e);
        }
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, String reason) {
        try {
            delegate.connectionClosed(connection, reason);
        } catch (Throwable e) {
            threw("connectionClosed", e);
        }
    }

    @Override
    public void requestHeadersStart(Request request, ConnectionInfo connection) {
        try {
            delegate.requestHeadersStart(request, connection);
        } catch (Throwable e) {
            threw("requestHeadersStart", e);
        }
    }

    @Override
    public void requestHeadersEnd(Request request, ConnectionInfo connection, long bytes) {
        try {
            delegate.requestHeadersEnd(request, connection, bytes);
        } catch (Throwable e) {
            threw("requestHeadersEnd", e);
        }
    }

    @Override
    public void requestBodyStart(Request request, ConnectionInfo connection) {
        try {
            delegate.requestBodyStart(request, connection);
        } catch (Throwable e) {
            threw("requestBodyStart", e);
        }
    }

    @Override
    public void requestBodyEnd(Request request, ConnectionInfo connection, long bytes) {
        try {
            delegate.requestBodyEnd(request, connection, bytes);
        } catch (Throwable e) {
            threw("requestBodyEnd", e);
        }
    }

    @Override
    public void requestFailed(Request request, ConnectionInfo connection, Throwable error) {
        try {
            delegate.requestFailed(request, connection, error);
        } catch (Throwable e) {
            threw("requestFailed", e);
        }
    }

    @Override
    public void responseHeadersStart(Request request, ConnectionInfo connection) {
        try {
            delegate.responseHeadersStart(request, connection);
        } catch (Throwable e) {
            threw("responseHeadersStart", e);
        }
    }

    @Override
    public void responseHeadersEnd(Request request, ConnectionInfo connection, int status, long bytes) {
        try {
            delegate.responseHeadersEnd(request, connection, status, bytes);
        } catch (Throwable e) {
            threw("responseHeadersEnd", e);
        }
    }

    @Override
    public void responseBodyStart(Request request, ConnectionInfo connection) {
        try {
            delegate.responseBodyStart(request, connection);
        } catch (Throwable e) {
            threw("responseBodyStart", e);
        }
    }

    @Override
    public void responseBodyEnd(Request request, ConnectionInfo connection, long bytes) {
        try {
            delegate.responseBodyEnd(request, connection, bytes);
        } catch (Throwable e) {
            threw("responseBodyEnd", e);
        }
    }

    @Override
    public void responseFailed(Request request, ConnectionInfo connection, Throwable error) {
        try {
            delegate.responseFailed(request, connection, error);
        } catch (Throwable e) {
            threw("responseFailed", e);
        }
    }

    @Override
    public void retry(Request request, int attempt, Throwable cause) {
        try {
            delegate.retry(request, attempt, cause);
        } catch (Throwable e) {
            threw("retry", e);
        }
    }

    @Override
    public void redirect(Request request, int status, URI location) {
        try {
            delegate.redirect(request, status, location);
        } catch (Throwable e) {
            threw("redirect", e);
        }
    }
}
