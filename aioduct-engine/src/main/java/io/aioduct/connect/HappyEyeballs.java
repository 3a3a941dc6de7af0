package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import io.aioduct.TimedOutException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * <p>Addresses may keep arriving after the race started (RFC 8305 §3, {@link SocketConfig#resolving()}):
 * the driver passes each later state of the lookups to {@link #more}, which merges the new addresses into
 * the untried ones (families still alternating) and says whether one starts now. While only IPv4 addresses
 * are known and more answers may come, nothing starts ({@link #holding()}) until an IPv6 address arrives,
 * the lookups complete, or the driver's timer of {@link SocketConfig#resolutionDelay()} fires ({@link
 * #resolutionDelayElapsed()}). The race is exhausted only once the lookups are complete too.
 *
 * <p>Not thread-safe: driven by one thread at a time (the loop, or the blocking caller).
 */
final class HappyEyeballs {
    private static final byte NOT_STARTED = 0;
    private static final byte PENDING = 1;
    private static final byte ENDED = 2;

    private final SocketConfig config;
    /** In the order to try; entries before {@link #next} never move, later ones are re-sorted by {@link #more}. */
    private final List<InetAddress> addresses;

    private final Set<InetAddress> known;
    private byte[] state;
    private final List<Throwable> failures = new ArrayList<>(2);
    private int next;
    private int pending;
    private boolean over;
    /** Lookups are still out: more addresses may come, so running out of them is not the end. */
    private boolean moreToCome;
    /** RFC 8305 §3: only IPv4 known yet, waiting (at most the resolution delay) for IPv6 before the first start. */
    private boolean holding;
    /** The next attempt may start as soon as there is one: the latest's delay elapsed, or it failed. */
    private boolean due = true;

    HappyEyeballs(SocketConfig config) {
        this.config = config;
        this.addresses = new ArrayList<>(config.addresses());
        this.known = new HashSet<>(addresses);
        this.state = new byte[addresses.size()];
        this.moreToCome = config.resolving() != null;
        this.holding = moreToCome && !config.resolutionDelay().isZero() && !hasIpv6(addresses);
    }

    private static boolean hasIpv6(List<InetAddress> in) {
        for (InetAddress a : in) {
            if (!(a instanceof Inet4Address)) return true;
        }
        return false;
    }

    /**
     * The lookups' latest state: every address found so far ({@code found}, known ones ignored) and whether
     * they are {@code complete}. New addresses join the untried ones, the families alternating on from the
     * latest started (before any start, IPv6 first unless {@link AddressPreference#IPV4_FIRST}). True: the
     * driver starts {@link #start()}'s attempt now (and arms its timer); then it checks {@link #exhausted()}.
     */
    boolean more(List<InetAddress> found, boolean complete) {
        if (over) {
            return false;
        }
        List<InetAddress> fresh = new ArrayList<>(2);
        for (InetAddress a : found) {
            if (known.add(a)) fresh.add(a);
        }
        if (!fresh.isEmpty()) {
            List<InetAddress> untried = new ArrayList<>(addresses.subList(next, addresses.size()));
            untried.addAll(fresh);
            boolean firstIsV4 = next > 0
                    ? !(addresses.get(next - 1) instanceof Inet4Address)
                    : config.addressPreference() == AddressPreference.IPV4_FIRST || !hasIpv6(untried);
            addresses.subList(next, addresses.size()).clear();
            addresses.addAll(interleave(untried, firstIsV4));
            state = Arrays.copyOf(state, addresses.size());
        }
        if (complete) {
            moreToCome = false;
        }
        if (holding && (complete || hasIpv6(fresh))) {
            holding = false; // RFC 8305 §3: an AAAA answer (or the end of the lookups) starts the race at once
        }
        return startsNow();
    }

    /** Whether nothing may start yet: only IPv4 is known and the AAAA answer may still come (RFC 8305 §3). */
    boolean holding() {
        return holding;
    }

    /** The resolution delay's timer fired: true if the race starts now, with what it has (IPv4). */
    boolean resolutionDelayElapsed() {
        if (!holding) {
            return false; // an answer or the end of the lookups already started it
        }
        holding = false;
        return startsNow();
    }

    private boolean startsNow() {
        return !over && !holding && next < addresses.size() && (due || allAtOnce());
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

    /**
     * The next attempt to start now, or -1 when every known address has been started, the race is over or
     * still {@link #holding()}.
     */
    int start() {
        if (over || holding || next == addresses.size()) {
            return -1;
        }
        state[next] = PENDING;
        pending++;
        due = false;
        return next++;
    }

    /** Whether a known attempt is still to start. */
    boolean hasMore() {
        return !over && next < addresses.size();
    }

    /**
     * Asked right after {@code attempt} started: whether its stagger timer is worth arming, because an
     * address is left to start or more may still arrive (and it is still the latest).
     */
    boolean timerWanted(int attempt) {
        return !over && attempt == next - 1 && (next < addresses.size() || moreToCome);
    }

    /** Whether every attempt is to start at once (a zero delay) rather than staggered. */
    boolean allAtOnce() {
        return config.happyEyeballsDelay().isZero();
    }

    /**
     * The stagger timer armed when {@code attempt} started fired: whether to start the next attempt now.
     * Only the timer of the latest attempt counts: a failure that already started a later one made it stale.
     * With nothing left to start, the next address to arrive starts at once ({@link #more}).
     */
    boolean delayElapsed(int attempt) {
        if (over || attempt != next - 1) {
            return false;
        }
        due = true;
        return next < addresses.size();
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
        due = true;
        return true;
    }

    /** Every address was tried and failed, and no more will come: the race is over with {@link #failure()}. */
    boolean exhausted() {
        if (!over && next == addresses.size() && pending == 0 && !moreToCome) {
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

    /**
     * Every address refused or was unreachable: the first failure is the cause, the others suppressed, and
     * so is each lookup that failed (an AAAA query that timed out, say), which may explain a missing family.
     */
    ConnectFailedException failure() {
        Throwable first = failures.get(0);
        ConnectFailedException e = new ConnectFailedException(
                "cannot connect to " + config.host() + ":" + config.port() + " (tried " + addresses + "): "
                        + first.getMessage(),
                first);
        for (int i = 1; i < failures.size(); i++) {
            e.addSuppressed(failures.get(i));
        }
        Resolution resolving = config.resolving();
        if (resolving != null) {
            for (Throwable lookup : resolving.failures()) e.addSuppressed(lookup);
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
