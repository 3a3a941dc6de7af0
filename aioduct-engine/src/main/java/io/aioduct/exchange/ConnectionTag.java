package io.aioduct.exchange;

import io.aioduct.Origin;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.runtime.CoreCounters;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * What the listener sees of one connection, and where the connection reports that it closed. Made by the
 * engine for each connection it opens; immutable apart from the closed flag, so it stays valid after the
 * connection is gone. Thread-safe.
 */
public final class ConnectionTag implements ConnectionInfo {
    /** For connections built outside an engine (tests, tools): no listener, id 0. */
    public static final ConnectionTag NONE =
            new ConnectionTag(0, new Origin("http", "localhost", 80), "http/1.1", null, -1, EventListener.NONE, null);

    private final long id;
    private final Origin origin;
    private final String protocol;
    private final @Nullable InetSocketAddress remote;
    private final int core;
    private final @Nullable String proxy;
    private final boolean tunnelled;
    private final EventListener events;
    private final @Nullable CoreCounters counters;
    private final AtomicBoolean closed = new AtomicBoolean();

    public ConnectionTag(
            long id,
            Origin origin,
            String protocol,
            @Nullable SocketAddress remote,
            int core,
            EventListener events,
            @Nullable CoreCounters counters) {
        this(id, origin, protocol, remote, core, null, false, events, counters);
    }

    /**
     * @param proxy the proxy as {@code io.aioduct.proxy.Proxy#toString()} shows it (never a password), or
     *     null for a direct connection
     * @param tunnelled whether the connection goes through a tunnel the proxy opened
     */
    public ConnectionTag(
            long id,
            Origin origin,
            String protocol,
            @Nullable SocketAddress remote,
            int core,
            @Nullable String proxy,
            boolean tunnelled,
            EventListener events,
            @Nullable CoreCounters counters) {
        this.proxy = proxy;
        this.tunnelled = tunnelled;
        this.id = id;
        this.origin = origin;
        this.protocol = protocol;
        this.remote = remote instanceof InetSocketAddress isa ? isa : null;
        this.core = core;
        this.events = events;
        this.counters = counters;
    }

    /** Whether anyone listens for the close (so the connection need not build a reason otherwise). */
    public boolean observed() {
        return events != EventListener.NONE || counters != null;
    }

    /** The guarded listener, or {@link EventListener#NONE} when none is set. */
    public EventListener events() {
        return events;
    }

    /** Reports the close once (later calls do nothing); free when nobody observes it. */
    public void closed(String reason) {
        if (observed() && closed.compareAndSet(false, true)) {
            if (counters != null) counters.connectionClosed(core);
            events.connectionClosed(this, reason);
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Origin origin() {
        return origin;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public @Nullable InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public int core() {
        return core;
    }

    @Override
    public @Nullable String proxy() {
        return proxy;
    }

    @Override
    public boolean tunnelled() {
        return tunnelled;
    }

    @Override
    public String toString() {
        return "connection#" + id + "[" + protocol + " " + origin + (proxy != null ? " via " + proxy : "")
                + (core >= 0 ? " core " + core : "") + "]";
    }
}
