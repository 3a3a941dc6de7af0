package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import io.aioduct.TimedOutException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The decisions of one Happy Eyeballs connect race (RFC 8305 §5), without I/O and without a clock: which
 * address to try next, whether a stagger timer that fired still starts one, which attempt wins, which
 * are left to cancel, and the error when none connects. Written once for the two drivers: {@link
 * LoopRace} (Netty channels and timers on one event loop) and {@link BlockingRace} (JDK sockets, the
 * caller's thread deciding).
 *
 * <p>The driver's part: start the attempt {@link #start()} names (reporting {@code connectStart}), arm a
 * timer of {@link SocketConfig#happyEyeballsDelay()} after each start and ask {@link #delayElapsed}
 * when it fires; report each outcome through {@link #connected} or {@link #failed}; close whatever
 * {@link #stop()} returns. Every attempt started ends exactly once: connected, failed, or returned by
 * {@code stop()} (lost the race, timed out, cancelled), so the driver's events stay balanced.
 *
 * <p>Not thread-safe: driven by one thread at a time (the loop, or the blocking caller).
 */
final class HappyEyeballs {
    private static final byte NOT_STARTED = 0;
    private static final byte PENDING = 1;
    private static final byte ENDED = 2;

    private final SocketConfig config;
    private final List<InetAddress> addresses;
    private final byte[] state;
    private final List<Throwable> failures = new ArrayList<>(2);
    private int next;
    private int pending;
    private boolean over;

    HappyEyeballs(SocketConfig config) {
        this.config = config;
        this.addresses = config.addresses();
        this.state = new byte[addresses.size()];
    }

    /**
     * RFC 8305 §4: alternate the address families, starting with {@code firstIsV4}'s family; within a
     * family the given order is kept. A list of one family comes back in its own order.
     */
    static List<InetAddress> interleave(List<InetAddress> in, boolean firstIsV4) {
        List<InetAddress> first = new ArrayList<>(in.size());
        List<InetAddress> second = new ArrayList<>(in.size());
        for (InetAddress a : in) {
            ((a instanceof Inet4Address) == firstIsV4 ? first : second).add(a);
        }
        if (second.isEmpty() || first.isEmpty()) {
            return List.copyOf(in);
        }
        List<InetAddress> out = new ArrayList<>(in.size());
        for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
            if (i < first.size()) out.add(first.get(i));
            if (i < second.size()) out.add(second.get(i));
        }
        return List.copyOf(out);
    }

    /** The socket address attempt {@code attempt} connects to. */
    InetSocketAddress remote(int attempt) {
        return new InetSocketAddress(addresses.get(attempt), config.port());
    }

    int size() {
        return addresses.size();
    }

    /** The next attempt to start now, or -1 when every address has been started or the race is over. */
    int start() {
        if (over || next == addresses.size()) {
            return -1;
        }
        state[next] = PENDING;
        pending++;
        return next++;
    }

    /** Whether an attempt is still to start; the driver arms the stagger timer only then. */
    boolean hasMore() {
        return !over && next < addresses.size();
    }

    /** Whether every attempt is to start at once (a zero delay) rather than staggered. */
    boolean allAtOnce() {
        return config.happyEyeballsDelay().isZero();
    }

    /**
     * The stagger timer armed when {@code attempt} started fired: whether to start the next attempt now.
     * Only the timer of the latest attempt counts: a failure that already started a later one made it stale.
     * Asked right after a start, it tells whether a timer for that attempt is worth arming at all.
     */
    boolean delayElapsed(int attempt) {
        return hasMore() && attempt == next - 1;
    }

    /**
     * {@code attempt} connected. True: it won, the race is over, and the driver cancels {@link #stop()}'s
     * attempts. False: the race was already over (this attempt was ended by {@code stop()}, its event
     * already reported): the driver closes the socket and reports nothing.
     */
    boolean connected(int attempt) {
        if (over || state[attempt] != PENDING) {
            return false;
        }
        state[attempt] = ENDED;
        pending--;
        over = true;
        return true;
    }

    /**
     * {@code attempt} failed with {@code cause}. True: the driver reports it, then starts {@link #start()}'s
     * attempt at once (RFC 8305 §5: a failure does not wait for the delay) and checks {@link
     * #exhausted()}. False: the race was already over and the failure is not news.
     */
    boolean failed(int attempt, Throwable cause) {
        if (over || state[attempt] != PENDING) {
            return false;
        }
        state[attempt] = ENDED;
        pending--;
        failures.add(cause);
        return true;
    }

    /** Every address was tried and failed: the race is over with {@link #failure()}. */
    boolean exhausted() {
        if (!over && next == addresses.size() && pending == 0) {
            over = true;
            return true;
        }
        return false;
    }

    boolean isOver() {
        return over;
    }

    /**
     * Ends the race (won, timed out, cancelled) and returns the attempts still pending, now ended: the
     * driver closes their sockets and reports each {@code connectFailed} with the reason.
     */
    int[] stop() {
        over = true;
        int[] left = new int[pending];
        int n = 0;
        for (int i = 0; i < next; i++) {
            if (state[i] == PENDING) {
                state[i] = ENDED;
                left[n++] = i;
            }
        }
        pending = 0;
        return left;
    }

    /** Every address refused or was unreachable: the first failure is the cause, the others suppressed. */
    ConnectFailedException failure() {
        Throwable first = failures.get(0);
        ConnectFailedException e = new ConnectFailedException(
                "cannot connect to " + config.host() + ":" + config.port() + " (tried " + addresses + "): "
                        + first.getMessage(),
                first);
        for (int i = 1; i < failures.size(); i++) {
            e.addSuppressed(failures.get(i));
        }
        return e;
    }

    /** The connect timeout ran out before any attempt connected. */
    TimedOutException timedOut() {
        StringJoiner tried = new StringJoiner(", ");
        for (int i = 0; i < next; i++) {
            tried.add(addresses.get(i).getHostAddress());
        }
        return new TimedOutException(
                TimedOutException.Kind.CONNECT,
                config.connectTimeout(),
                "connecting to " + config.host() + ":" + config.port() + " (tried " + tried + ")");
    }

    /** Why a pending attempt was abandoned once {@code winner} connected: the event of a race's loser. */
    ConnectAttemptAbandonedException lostTo(int winner) {
        return new ConnectAttemptAbandonedException("connect attempt abandoned: "
                + addresses.get(winner).getHostAddress() + " connected first (Happy Eyeballs, RFC 8305)");
    }
}
