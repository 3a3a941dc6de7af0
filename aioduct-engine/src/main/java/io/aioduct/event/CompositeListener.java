package io.aioduct.event;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.proxy.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that forwards events by hand: every event goes to each listener in order, and what a
 * listener throws stays here. The others still hear the event, the exchange carries on as if the listener
 * had returned, and the first failure of each listener class is logged at WARN (later ones are dropped,
 * so a broken listener cannot flood the log from an event loop). A {@link VirtualMachineError} is
 * rethrown: out of memory is neither the listener's bug nor ours to hide.
 *
 * <p>Made by {@link EventListener#composite} (two or more) and {@link EventListener#guarded} (one).
 * Immutable, so thread-safe; it holds no per-call state, the listeners hold whatever they keep. Each
 * method is a plain loop over an array: no allocation per event.
 */
final class CompositeListener implements EventListener {
    private static final Logger log = LoggerFactory.getLogger(EventListener.class);
    private static final Set<Class<?>> WARNED = ConcurrentHashMap.newKeySet();

    private final EventListener[] listeners;

    /** {@code listeners}: none of them NONE or a composite (the factories flatten). */
    CompositeListener(List<EventListener> listeners) {
        this.listeners = listeners.toArray(EventListener[]::new);
    }

    /** The listeners this one forwards to, in order; for flattening nested composites. */
    List<EventListener> listeners() {
        return List.of(listeners);
    }

    private static void threw(EventListener listener, String event, Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        if (WARNED.add(listener.getClass())) {
            log.warn(
                    "event listener {} threw from {} (ignored; further failures of this listener class are not logged)",
                    listener.getClass().getName(),
                    event,
                    e);
        }
    }

    @Override
    public void callStart(Request request) {
        for (EventListener l : listeners) {
            try {
                l.callStart(request);
            } catch (Throwable e) {
                threw(l, "callStart", e);
            }
        }
    }

    @Override
    public void callEnd(Request request, int status, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.callEnd(request, status, nanos);
            } catch (Throwable e) {
                threw(l, "callEnd", e);
            }
        }
    }

    @Override
    public void callFailed(Request request, Throwable error, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.callFailed(request, error, nanos);
            } catch (Throwable e) {
                threw(l, "callFailed", e);
            }
        }
    }

    @Override
    public void acquireStart(Request request, Origin origin) {
        for (EventListener l : listeners) {
            try {
                l.acquireStart(request, origin);
            } catch (Throwable e) {
                threw(l, "acquireStart", e);
            }
        }
    }

    @Override
    public void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {
        for (EventListener l : listeners) {
            try {
                l.acquireEnd(request, connection, waitNanos);
            } catch (Throwable e) {
                threw(l, "acquireEnd", e);
            }
        }
    }

    @Override
    public void acquireFailed(Request request, Origin origin, Throwable error, long waitNanos) {
        for (EventListener l : listeners) {
            try {
                l.acquireFailed(request, origin, error, waitNanos);
            } catch (Throwable e) {
                threw(l, "acquireFailed", e);
            }
        }
    }

    @Override
    public void dnsStart(Request request, String host) {
        for (EventListener l : listeners) {
            try {
                l.dnsStart(request, host);
            } catch (Throwable e) {
                threw(l, "dnsStart", e);
            }
        }
    }

    @Override
    public void dnsEnd(Request request, String host, List<InetAddress> addresses, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.dnsEnd(request, host, addresses, nanos);
            } catch (Throwable e) {
                threw(l, "dnsEnd", e);
            }
        }
    }

    @Override
    public void dnsFailed(Request request, String host, Throwable error, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.dnsFailed(request, host, error, nanos);
            } catch (Throwable e) {
                threw(l, "dnsFailed", e);
            }
        }
    }

    @Override
    public void connectStart(Request request, InetSocketAddress address) {
        for (EventListener l : listeners) {
            try {
                l.connectStart(request, address);
            } catch (Throwable e) {
                threw(l, "connectStart", e);
            }
        }
    }

    @Override
    public void connectEnd(Request request, InetSocketAddress address, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.connectEnd(request, address, nanos);
            } catch (Throwable e) {
                threw(l, "connectEnd", e);
            }
        }
    }

    @Override
    public void connectFailed(Request request, InetSocketAddress address, Throwable error, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.connectFailed(request, address, error, nanos);
            } catch (Throwable e) {
                threw(l, "connectFailed", e);
            }
        }
    }

    @Override
    public void connectEnd(Request request, InetSocketAddress address, Proxy.@Nullable Type proxy, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.connectEnd(request, address, proxy, nanos);
            } catch (Throwable e) {
                threw(l, "connectEnd", e);
            }
        }
    }

    @Override
    public void connectFailed(
            Request request, InetSocketAddress address, Proxy.@Nullable Type proxy, Throwable error, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.connectFailed(request, address, proxy, error, nanos);
            } catch (Throwable e) {
                threw(l, "connectFailed", e);
            }
        }
    }

    @Override
    public void tunnelStart(Request request, String proxy, Proxy.Type type) {
        for (EventListener l : listeners) {
            try {
                l.tunnelStart(request, proxy, type);
            } catch (Throwable e) {
                threw(l, "tunnelStart", e);
            }
        }
    }

    @Override
    public void tunnelEnd(Request request, String proxy, Proxy.Type type, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.tunnelEnd(request, proxy, type, nanos);
            } catch (Throwable e) {
                threw(l, "tunnelEnd", e);
            }
        }
    }

    @Override
    public void tunnelFailed(Request request, String proxy, Proxy.Type type, Throwable error, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.tunnelFailed(request, proxy, type, error, nanos);
            } catch (Throwable e) {
                threw(l, "tunnelFailed", e);
            }
        }
    }

    @Override
    public void tlsStart(Request request, Origin origin) {
        for (EventListener l : listeners) {
            try {
                l.tlsStart(request, origin);
            } catch (Throwable e) {
                threw(l, "tlsStart", e);
            }
        }
    }

    @Override
    public void tlsEnd(Request request, Origin origin, String tlsProtocol, String applicationProtocol, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.tlsEnd(request, origin, tlsProtocol, applicationProtocol, nanos);
            } catch (Throwable e) {
                threw(l, "tlsEnd", e);
            }
        }
    }

    @Override
    public void tlsFailed(Request request, Origin origin, Throwable error, long nanos) {
        for (EventListener l : listeners) {
            try {
                l.tlsFailed(request, origin, error, nanos);
            } catch (Throwable e) {
                threw(l, "tlsFailed", e);
            }
        }
    }

    @Override
    public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
        for (EventListener l : listeners) {
            try {
                l.connectionAcquired(request, connection, reused);
            } catch (Throwable e) {
                threw(l, "connectionAcquired", e);
            }
        }
    }

    @Override
    public void connectionReleased(Request request, ConnectionInfo connection) {
        for (EventListener l : listeners) {
            try {
                l.connectionReleased(request, connection);
            } catch (Throwable e) {
                threw(l, "connectionReleased", e);
            }
        }
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, String reason) {
        for (EventListener l : listeners) {
            try {
                l.connectionClosed(connection, reason);
            } catch (Throwable e) {
                threw(l, "connectionClosed", e);
            }
        }
    }

    @Override
    public void requestHeadersStart(Request request, ConnectionInfo connection) {
        for (EventListener l : listeners) {
            try {
                l.requestHeadersStart(request, connection);
            } catch (Throwable e) {
                threw(l, "requestHeadersStart", e);
            }
        }
    }

    @Override
    public void requestHeadersEnd(Request request, ConnectionInfo connection, long bytes) {
        for (EventListener l : listeners) {
            try {
                l.requestHeadersEnd(request, connection, bytes);
            } catch (Throwable e) {
                threw(l, "requestHeadersEnd", e);
            }
        }
    }

    @Override
    public void requestBodyStart(Request request, ConnectionInfo connection) {
        for (EventListener l : listeners) {
            try {
                l.requestBodyStart(request, connection);
            } catch (Throwable e) {
                threw(l, "requestBodyStart", e);
            }
        }
    }

    @Override
    public void requestBodyEnd(Request request, ConnectionInfo connection, long bytes) {
        for (EventListener l : listeners) {
            try {
                l.requestBodyEnd(request, connection, bytes);
            } catch (Throwable e) {
                threw(l, "requestBodyEnd", e);
            }
        }
    }

    @Override
    public void requestFailed(Request request, ConnectionInfo connection, Throwable error) {
        for (EventListener l : listeners) {
            try {
                l.requestFailed(request, connection, error);
            } catch (Throwable e) {
                threw(l, "requestFailed", e);
            }
        }
    }

    @Override
    public void responseHeadersStart(Request request, ConnectionInfo connection) {
        for (EventListener l : listeners) {
            try {
                l.responseHeadersStart(request, connection);
            } catch (Throwable e) {
                threw(l, "responseHeadersStart", e);
            }
        }
    }

    @Override
    public void responseHeadersEnd(Request request, ConnectionInfo connection, int status, long bytes) {
        for (EventListener l : listeners) {
            try {
                l.responseHeadersEnd(request, connection, status, bytes);
            } catch (Throwable e) {
                threw(l, "responseHeadersEnd", e);
            }
        }
    }

    @Override
    public void responseBodyStart(Request request, ConnectionInfo connection) {
        for (EventListener l : listeners) {
            try {
                l.responseBodyStart(request, connection);
            } catch (Throwable e) {
                threw(l, "responseBodyStart", e);
            }
        }
    }

    @Override
    public void responseBodyEnd(Request request, ConnectionInfo connection, long bytes) {
        for (EventListener l : listeners) {
            try {
                l.responseBodyEnd(request, connection, bytes);
            } catch (Throwable e) {
                threw(l, "responseBodyEnd", e);
            }
        }
    }

    @Override
    public void responseFailed(Request request, ConnectionInfo connection, Throwable error) {
        for (EventListener l : listeners) {
            try {
                l.responseFailed(request, connection, error);
            } catch (Throwable e) {
                threw(l, "responseFailed", e);
            }
        }
    }

    @Override
    public void retry(Request request, int attempt, Throwable cause) {
        for (EventListener l : listeners) {
            try {
                l.retry(request, attempt, cause);
            } catch (Throwable e) {
                threw(l, "retry", e);
            }
        }
    }

    @Override
    public void retryOnStatus(Request request, int attempt, int status, Duration delay) {
        for (EventListener l : listeners) {
            try {
                l.retryOnStatus(request, attempt, status, delay);
            } catch (Throwable e) {
                threw(l, "retryOnStatus", e);
            }
        }
    }

    @Override
    public void redirect(Request request, int status, URI location) {
        for (EventListener l : listeners) {
            try {
                l.redirect(request, status, location);
            } catch (Throwable e) {
                threw(l, "redirect", e);
            }
        }
    }

    @Override
    public void authenticationChallenge(Request request, int status, String scheme) {
        for (EventListener l : listeners) {
            try {
                l.authenticationChallenge(request, status, scheme);
            } catch (Throwable e) {
                threw(l, "authenticationChallenge", e);
            }
        }
    }

    @Override
    public String toString() {
        return "EventListener.composite" + List.of(listeners);
    }
}
