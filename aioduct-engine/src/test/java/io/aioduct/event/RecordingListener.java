package io.aioduct.event;

import io.aioduct.Origin;
import io.aioduct.Request;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every event as a name (in {@link #names()}) with its details, for exact-sequence assertions.
 * The connection-level {@code connectionClosed} event is kept apart ({@link #closed()}): it is not part
 * of a call and arrives whenever the socket goes, before or after the call's last event.
 */
final class RecordingListener implements EventListener {
    /** One event: its name, and the numbers or values it carried. */
    record Event(String name, Object... details) {
        Object detail(int i) {
            return details[i];
        }
    }

    private final List<Event> events = new ArrayList<>();
    private final List<Event> closed = new ArrayList<>();

    private synchronized void add(String name, Object... details) {
        events.add(new Event(name, details));
        notifyAll();
    }

    synchronized List<String> names() {
        return events.stream().map(Event::name).toList();
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** The first event named {@code name}, or the {@code nth} (0-based). */
    synchronized Event event(String name, int nth) {
        return events.stream()
                .filter(e -> e.name().equals(name))
                .skip(nth)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " #" + nth + " in " + names()));
    }

    Event event(String name) {
        return event(name, 0);
    }

    synchronized List<Event> closed() {
        return List.copyOf(closed);
    }

    synchronized void clear() {
        events.clear();
    }

    /** Waits until {@code name} was recorded {@code count} times (calls end on engine threads). */
    synchronized void await(String name, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (events.stream().filter(e -> e.name().equals(name)).count() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("no " + count + " x " + name + " in " + names());
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void callStart(Request request) {
        add("callStart", request);
    }

    @Override
    public void callEnd(Request request, int status, long nanos) {
        add("callEnd", status, nanos);
    }

    @Override
    public void callFailed(Request request, Throwable error, long nanos) {
        add("callFailed", error, nanos);
    }

    @Override
    public void acquireStart(Request request, Origin origin) {
        add("acquireStart", origin);
    }

    @Override
    public void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {
        add("acquireEnd", connection, waitNanos);
    }

    @Override
    public void acquireFailed(Request request, Origin origin, Throwable error, long waitNanos) {
        add("acquireFailed", error, waitNanos);
    }

    @Override
    public void dnsStart(Request request, String host) {
        add("dnsStart", host);
    }

    @Override
    public void dnsEnd(Request request, String host, List<InetAddress> addresses, long nanos) {
        add("dnsEnd", host, addresses);
    }

    @Override
    public void dnsFailed(Request request, String host, Throwable error, long nanos) {
        add("dnsFailed", host, error);
    }

    @Override
    public void connectStart(Request request, InetSocketAddress address) {
        add("connectStart", address);
    }

    @Override
    public void connectEnd(Request request, InetSocketAddress address, long nanos) {
        add("connectEnd", address, nanos);
    }

    @Override
    public void connectFailed(Request request, InetSocketAddress address, Throwable error, long nanos) {
        add("connectFailed", address, error);
    }

    @Override
    public void tlsStart(Request request, Origin origin) {
        add("tlsStart", origin);
    }

    @Override
    public void tlsEnd(Request request, Origin origin, String tlsProtocol, String applicationProtocol, long nanos) {
        add("tlsEnd", tlsProtocol, applicationProtocol);
    }

    @Override
    public void tlsFailed(Request request, Origin origin, Throwable error, long nanos) {
        add("tlsFailed", error);
    }

    @Override
    public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
        add("connectionAcquired", connection, reused);
    }

    @Override
    public void connectionReleased(Request request, ConnectionInfo connection) {
        add("connectionReleased", connection);
    }

    @Override
    public synchronized void connectionClosed(ConnectionInfo connection, String reason) {
        closed.add(new Event("connectionClosed", connection, reason));
        notifyAll();
    }

    @Override
    public void requestHeadersStart(Request request, ConnectionInfo connection) {
        add("requestHeadersStart", connection);
    }

    @Override
    public void requestHeadersEnd(Request request, ConnectionInfo connection, long bytes) {
        add("requestHeadersEnd", bytes);
    }

    @Override
    public void requestBodyStart(Request request, ConnectionInfo connection) {
        add("requestBodyStart");
    }

    @Override
    public void requestBodyEnd(Request request, ConnectionInfo connection, long bytes) {
        add("requestBodyEnd", bytes);
    }

    @Override
    public void requestFailed(Request request, ConnectionInfo connection, Throwable error) {
        add("requestFailed", error);
    }

    @Override
    public void responseHeadersStart(Request request, ConnectionInfo connection) {
        add("responseHeadersStart");
    }

    @Override
    public void responseHeadersEnd(Request request, ConnectionInfo connection, int status, long bytes) {
        add("responseHeadersEnd", status, bytes);
    }

    @Override
    public void responseBodyStart(Request request, ConnectionInfo connection) {
        add("responseBodyStart");
    }

    @Override
    public void responseBodyEnd(Request request, ConnectionInfo connection, long bytes) {
        add("responseBodyEnd", bytes);
    }

    @Override
    public void responseFailed(Request request, ConnectionInfo connection, Throwable error) {
        add("responseFailed", error);
    }

    @Override
    public void retry(Request request, int attempt, Throwable cause) {
        add("retry", attempt, cause);
    }
}
