package io.aioduct.event;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.proxy.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Receives the start, end and failure of every phase of every exchange an engine runs. Set one per engine
 * with {@link io.aioduct.engine.EngineConfig.Builder#eventListener(EventListener)}; the default, {@link
 * #NONE}, costs nothing.
 *
 * <p>Rules for implementations:
 *
 * <ul>
 *   <li><b>Fast.</b> Events arrive on the thread doing the work, often an event loop: never block, never
 *       do I/O, never wait for a lock another event could hold. Counting and recording a timer is fine.
 *   <li><b>Never throws into the engine.</b> The engine catches and logs (once per listener class) what a
 *       listener throws and carries on ({@link #guarded}), but a listener must not rely on that.
 *   <li><b>Not re-entrant.</b> A listener must not send requests through the engine that called it, nor
 *       close it: the engine may hold a pool's state mid-change while it reports.
 * </ul>
 *
 * <p>Several listeners: {@link #composite} or {@link #plus} make one that forwards each event to each of
 * them in order, and keeps what one throws from the others.
 *
 * <p>Durations are in nanoseconds, read from the engine's clock, {@link
 * io.aioduct.engine.EngineConfig.Builder#ticker(io.aioduct.Ticker)} ({@link io.aioduct.Ticker#SYSTEM}
 * unless a test injects another), so a test can see exact durations without sleeping. The {@code
 * request} argument identifies the exchange: the same instance from {@code callStart} to its one
 * {@code callEnd} or {@code callFailed}. The engine's own retry stays inside the call ({@code retry},
 * then a second {@code acquireStart ...}); a redirect followed is a {@code redirect} event, then a new
 * call with its own {@code callStart}.
 *
 * <p>Order for a request on a new HTTP/1.1 connection: {@code callStart, acquireStart, dnsStart, dnsEnd,
 * connectStart, connectEnd, [tunnelStart, tunnelEnd,] [tlsStart, tlsEnd,] acquireEnd, connectionAcquired, requestHeadersStart,
 * requestHeadersEnd, [requestBodyStart, requestBodyEnd,] responseHeadersStart, responseHeadersEnd,
 * responseBodyStart, responseBodyEnd, connectionReleased, callEnd}. On a reused connection (or a further
 * HTTP/2 stream) the DNS, connect and TLS events are absent; each address tried adds a {@code
 * connectStart} with its {@code connectEnd} or {@code connectFailed}. A failure ends the phase it hit
 * ({@code dnsFailed}, {@code connectFailed}, {@code tlsFailed}, {@code requestFailed} before the request
 * was fully sent, {@code responseFailed} after), then {@code acquireFailed} if no connection was leased,
 * {@code connectionReleased} if one was, and {@code callFailed}. {@code responseBodyStart} follows
 * {@code responseHeadersEnd} at once (also for an empty body, which ends with 0 bytes).
 * {@code connectionClosed} belongs to the connection, not to a call: it arrives whenever the socket
 * closes, before or after the last event of the call that used it. Exact sequences for each case are
 * pinned by {@code EventListenerSequenceTest} and listed in {@code docs/events.md}.
 */
public interface EventListener {

    /** Ignores everything; the engine skips its bookkeeping for it (no clock read, no allocation). */
    EventListener NONE = new EventListener() {
        @Override
        public String toString() {
            return "EventListener.NONE";
        }
    };

    /**
     * One listener that forwards every event to each of {@code listeners}, in order, each guarded as
     * {@link #guarded} describes: one that throws is logged (once per listener class) and the others
     * still hear the event. {@link #NONE}s are dropped and nested composites flattened; with nothing left
     * the result is {@link #NONE}, with one listener left it is that listener itself (unguarded: the
     * engine guards what it is given).
     *
     * @throws NullPointerException if {@code listeners} or one of them is null
     */
    static EventListener composite(EventListener... listeners) {
        return composite(Arrays.asList(Objects.requireNonNull(listeners, "listeners")));
    }

    /** {@link #composite(EventListener...)} over a list, in its order. */
    static EventListener composite(List<? extends EventListener> listeners) {
        Objects.requireNonNull(listeners, "listeners");
        List<EventListener> given = new ArrayList<>();
        for (EventListener l : listeners) {
            if (Objects.requireNonNull(l, "a listener in listeners") != NONE) given.add(l);
        }
        if (given.isEmpty()) return NONE;
        if (given.size() == 1) return given.get(0);
        List<EventListener> flat = new ArrayList<>();
        for (EventListener l : given) {
            if (l instanceof CompositeListener c) {
                flat.addAll(c.listeners());
            } else {
                flat.add(l);
            }
        }
        return new CompositeListener(flat);
    }

    /**
     * {@code listener} with what it throws kept from its caller: the event is dropped for it, the first
     * failure of each listener class is logged at WARN on the {@code io.aioduct.event.EventListener}
     * logger, later ones are not; a {@link VirtualMachineError} is rethrown. The engine does this once to
     * the listener it is configured with. {@link #NONE} and a {@link #composite} (whose listeners are
     * each guarded already) come back as they are.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    static EventListener guarded(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (listener == NONE || listener instanceof CompositeListener) return listener;
        return new CompositeListener(List.of(listener));
    }

    /**
     * This listener, then {@code other}: {@code composite(this, other)}. {@code x.plus(NONE)} is {@code
     * x}, {@code NONE.plus(x)} is {@code x}.
     *
     * @throws NullPointerException if {@code other} is null
     */
    default EventListener plus(EventListener other) {
        return composite(this, Objects.requireNonNull(other, "other"));
    }

    // -- the call: from send to the last byte of the response body (or failure)

    default void callStart(Request request) {}

    /** The response body was fully received (or discarded) with {@code status}. */
    default void callEnd(Request request, int status, long nanos) {}

    /** The call failed: {@code error} is the {@link io.aioduct.AioductException} the caller sees. */
    default void callFailed(Request request, Throwable error, long nanos) {}

    // -- waiting for a connection (or an HTTP/2 stream) from the origin's pool

    default void acquireStart(Request request, Origin origin) {}

    /** A connection was leased after waiting {@code waitNanos} (including any connect it took). */
    default void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {}

    default void acquireFailed(Request request, Origin origin, Throwable error, long waitNanos) {}

    // -- name resolution (only when a new connection is opened)

    default void dnsStart(Request request, String host) {}

    default void dnsEnd(Request request, String host, List<InetAddress> addresses, long nanos) {}

    default void dnsFailed(Request request, String host, Throwable error, long nanos) {}

    // -- TCP connect (one start per address tried)

    default void connectStart(Request request, InetSocketAddress address) {}

    default void connectEnd(Request request, InetSocketAddress address, long nanos) {}

    default void connectFailed(Request request, InetSocketAddress address, Throwable error, long nanos) {}

    /**
     * {@link #connectEnd(Request, InetSocketAddress, long)}, saying whether the connection goes to a proxy:
     * {@code proxy} is the type of the proxy {@code address} belongs to, or null for a direct connection to
     * the origin. The engine calls this one; by default it calls the one without {@code proxy}, so a listener
     * overrides whichever it needs (not both).
     */
    default void connectEnd(Request request, InetSocketAddress address, Proxy.@Nullable Type proxy, long nanos) {
        connectEnd(request, address, nanos);
    }

    /** {@link #connectFailed(Request, InetSocketAddress, Throwable, long)} with the proxy type, as {@link #connectEnd(Request, InetSocketAddress, Proxy.Type, long)}. */
    default void connectFailed(
            Request request, InetSocketAddress address, Proxy.@Nullable Type proxy, Throwable error, long nanos) {
        connectFailed(request, address, error, nanos);
    }

    // -- a tunnel through a proxy (HTTP CONNECT, SOCKS5, SOCKS4a), on the connection just made to the proxy

    /**
     * The tunnel to {@code request}'s origin starts opening through the proxy at {@code proxy} ({@code
     * host:port}, never credentials) of type {@code type}, after its {@code connectEnd} and before any TLS
     * with the origin. A forwarding HTTP proxy (plain {@code http} in absolute form) opens no tunnel.
     */
    default void tunnelStart(Request request, String proxy, Proxy.Type type) {}

    /** The tunnel is open: what follows goes to the origin (TLS with it first, for https). */
    default void tunnelEnd(Request request, String proxy, Proxy.Type type, long nanos) {}

    /**
     * The proxy refused or broke the tunnel ({@code error}: a {@link io.aioduct.proxy.ProxyConnectException},
     * or a {@link io.aioduct.TimedOutException} of kind CONNECT); the connection to it is closed and nothing
     * reached the origin.
     */
    default void tunnelFailed(Request request, String proxy, Proxy.Type type, Throwable error, long nanos) {}

    // -- TLS handshake (https only)

    default void tlsStart(Request request, Origin origin) {}

    /** {@code applicationProtocol} is what ALPN chose ({@code "h2"} or {@code "http/1.1"}). */
    default void tlsEnd(Request request, Origin origin, String tlsProtocol, String applicationProtocol, long nanos) {}

    default void tlsFailed(Request request, Origin origin, Throwable error, long nanos) {}

    // -- the connection itself

    /** {@code reused} is false for a connection opened for this request (HTTP/2: for its first stream). */
    default void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {}

    /** The exchange gave the connection back to its pool (or, for HTTP/2, its stream ended). */
    default void connectionReleased(Request request, ConnectionInfo connection) {}

    /** The connection closed; {@code reason} says why (idle timeout, peer closed, error, pool closed ...). */
    default void connectionClosed(ConnectionInfo connection, String reason) {}

    // -- the request on the wire

    default void requestHeadersStart(Request request, ConnectionInfo connection) {}

    /** {@code bytes}: the encoded header block (HTTP/1.1 head, or HPACK block for HTTP/2). */
    default void requestHeadersEnd(Request request, ConnectionInfo connection, long bytes) {}

    default void requestBodyStart(Request request, ConnectionInfo connection) {}

    /** {@code bytes}: body bytes sent, excluding chunk framing. */
    default void requestBodyEnd(Request request, ConnectionInfo connection, long bytes) {}

    default void requestFailed(Request request, ConnectionInfo connection, Throwable error) {}

    // -- the response on the wire

    default void responseHeadersStart(Request request, ConnectionInfo connection) {}

    /** {@code bytes}: the encoded header block received. */
    default void responseHeadersEnd(Request request, ConnectionInfo connection, int status, long bytes) {}

    default void responseBodyStart(Request request, ConnectionInfo connection) {}

    /** {@code bytes}: body bytes received, after transfer decoding. */
    default void responseBodyEnd(Request request, ConnectionInfo connection, long bytes) {}

    default void responseFailed(Request request, ConnectionInfo connection, Throwable error) {}

    // -- policies

    /**
     * {@code request} goes again ({@code attempt} 1 for the first retry) because of {@code cause}: the
     * engine resends at once a request whose reused connection closed under it, or whose HTTP/2 stream was
     * refused or fell above a GOAWAY (attempts counted per exchange); the client's retry policy resends,
     * after its back-off, a call that failed in a way it retries (attempts counted per call).
     */
    default void retry(Request request, int attempt, Throwable cause) {}

    /**
     * The client's retry policy ({@code AioductClient.Builder.retries}) sends {@code request} again, after
     * {@code delay}, because its response had the retried {@code status} (the response is discarded).
     * {@code attempt} counts the policy's retries of the call, 1 for the first. A retry after a failure is
     * reported by {@link #retry} instead, with the same numbering.
     */
    default void retryOnStatus(Request request, int attempt, int status, Duration delay) {}

    /**
     * The client's redirect policy follows the {@code status} answer to {@code request} to {@code location}
     * (absolute, resolved); the next hop is a new call with its own {@code callStart}.
     */
    default void redirect(Request request, int status, URI location) {}

    /**
     * The client answers a {@code status} challenge (401 from the origin, 407 from a proxy) to {@code request}
     * and sends it again with credentials of {@code scheme} ({@code Basic}, {@code Digest}, ...; empty if the
     * authenticator's answer names none). No credential is ever passed to a listener.
     */
    default void authenticationChallenge(Request request, int status, String scheme) {}
}
