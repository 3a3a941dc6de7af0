package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A Happy Eyeballs race of JDK sockets for the virtual runtime: each attempt is a blocking connect on a
 * virtual thread of its own; the caller's thread owns every socket, waits for the attempts' outcomes (a
 * virtual caller parks, no platform thread is held) and takes every decision through {@link
 * HappyEyeballs}. The first socket to connect is the result; every other is closed by the caller, which
 * also aborts a connect still in progress (the attempt's thread then ends on its own). Addresses the
 * resolver finds after the race started ({@link SocketConfig#resolving()}) come through the same queue as
 * the outcomes; the RFC 8305 §3 resolution delay is one more wake-up of the caller's wait.
 *
 * <p>Threading: one use, on the caller's thread; the attempt threads only connect and report. Events
 * reach the observer on the caller's thread, in order. Interrupting the caller cancels the race.
 */
final class BlockingRace {
    private final SocketConfig config;
    private final HappyEyeballs race;
    private @Nullable SocketChannel[] sockets;
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();

    /** How attempt {@code attempt} ended: connected when {@code error} is null. */
    private record Outcome(int attempt, @Nullable Exception error) {}

    /** Not an attempt's outcome: the lookups answered again. */
    private static final Outcome MORE_ADDRESSES = new Outcome(-1, null);

    /** No timer armed: a wait with only the deadline (or nothing) to bound it. */
    private static final long NONE = Long.MAX_VALUE;

    BlockingRace(SocketConfig config) {
        this.config = config;
        this.race = new HappyEyeballs(config);
        this.sockets = new SocketChannel[race.size()];
    }

    BlockingTransport run() {
        long timeout = config.connectTimeout().toNanos();
        long begin = System.nanoTime();
        long deadline = begin + timeout;
        boolean done = false;
        try {
            Resolution resolving = config.resolving();
            boolean go = true;
            if (resolving != null) {
                resolving.onChange(() -> outcomes.add(MORE_ADDRESSES));
                // Answers that came before subscribing are read here; a duplicate later read changes nothing.
                go = race.more(resolving.addresses(), resolving.isComplete());
            }
            long holdUntil = race.holding() ? begin + config.resolutionDelay().toNanos() : NONE;
            int latest = go ? startNext() : -1;
            long nextStart = staggerAfter(latest);
            while (true) {
                long now = System.nanoTime();
                long wait = NONE;
                if (race.holding()) wait = holdUntil - now;
                if (nextStart != NONE) wait = Math.min(wait, nextStart - now);
                if (timeout != 0) wait = Math.min(wait, deadline - now);
                Outcome outcome = wait == NONE
                        ? outcomes.take()
                        : wait <= 0 ? outcomes.poll() : outcomes.poll(wait, TimeUnit.NANOSECONDS);
                if (outcome == null) {
                    now = System.nanoTime();
                    if (timeout != 0 && now - deadline >= 0) {
                        var timedOut = race.timedOut();
                        end(timedOut);
                        done = true;
                        throw timedOut;
                    }
                    if (race.holding() && now - holdUntil >= 0 && race.resolutionDelayElapsed()) {
                        latest = startNext();
                        nextStart = staggerAfter(latest);
                    } else if (nextStart != NONE && now - nextStart >= 0) {
                        nextStart = NONE;
                        if (race.delayElapsed(latest)) {
                            latest = startNext();
                            nextStart = staggerAfter(latest);
                        }
                    }
                    continue;
                }
                if (outcome == MORE_ADDRESSES) {
                    if (resolving != null && race.more(resolving.addresses(), resolving.isComplete())) {
                        latest = startNext();
                        nextStart = staggerAfter(latest);
                    }
                    if (race.exhausted()) {
                        done = true;
                        throw race.failure();
                    }
                    continue;
                }
                int attempt = outcome.attempt();
                InetSocketAddress remote = race.remote(attempt);
                if (outcome.error() == null) {
                    // A socket the race already ended was closed by end(); nothing more to do for it.
                    if (!race.connected(attempt)) continue;
                    config.observer().connectEnd(remote);
                    end(race.lostTo(attempt));
                    done = true;
                    return transport(attempt);
                }
                if (!race.failed(attempt, outcome.error())) continue;
                BlockingTcpConnector.closeQuietly(sockets[attempt]);
                config.observer().connectFailed(remote, outcome.error());
                if (race.hasMore()) {
                    latest = startNext();
                    nextStart = staggerAfter(latest);
                }
                if (race.exhausted()) {
                    done = true;
                    throw race.failure();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            var cancelled = new ConnectFailedException(
                    "interrupted while connecting to " + config.host() + ":" + config.port(), e);
            end(cancelled);
            done = true;
            throw cancelled;
        } finally {
            if (!done) {
                // Only an Error gets here: close everything, the events no longer matter.
                end(new ConnectFailedException("connect race aborted", null));
                for (SocketChannel s : sockets) BlockingTcpConnector.closeQuietly(s);
            }
        }
    }

    /** When the stagger timer of {@code latest} (just started, or -1) fires, or {@link #NONE} if none is wanted. */
    private long staggerAfter(int latest) {
        return latest >= 0 && !race.allAtOnce() && race.timerWanted(latest)
                ? System.nanoTime() + config.happyEyeballsDelay().toNanos()
                : NONE;
    }

    /**
     * Starts the next address (and, with a zero delay, every one after it) and returns the latest started.
     * An attempt whose socket cannot even be opened reports its failure through the queue like any other.
     */
    private int startNext() {
        int latest = -1;
        int attempt;
        while ((attempt = race.start()) >= 0) {
            latest = attempt;
            launch(attempt);
            if (!race.allAtOnce()) break;
        }
        return latest;
    }

    private void launch(int attempt) {
        InetSocketAddress remote = race.remote(attempt);
        config.observer().connectStart(remote);
        if (attempt >= sockets.length) {
            sockets = Arrays.copyOf(sockets, race.size());
        }
        SocketChannel socket;
        try {
            socket = BlockingTcpConnector.open(config);
        } catch (IOException | RuntimeException e) {
            outcomes.add(new Outcome(attempt, e));
            return;
        }
        sockets[attempt] = socket;
        Thread.ofVirtual().name("aioduct-connect-" + remote).start(() -> {
            try {
                socket.connect(remote);
                outcomes.add(new Outcome(attempt, null));
            } catch (IOException | RuntimeException e) {
                // Also how a connect aborted by end() closing the socket ends: the caller ignores it then.
                outcomes.add(new Outcome(attempt, e));
            }
        });
    }

    /** The winner's socket as a transport (closed if its streams cannot open). */
    private BlockingTransport transport(int attempt) {
        SocketChannel socket = sockets[attempt];
        if (socket == null) throw new IllegalStateException("attempt " + attempt + " connected without a socket");
        try {
            return BlockingTransport.of(socket);
        } catch (IOException e) {
            BlockingTcpConnector.closeQuietly(socket);
            throw new ConnectFailedException(
                    "cannot connect to " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    /** Ends the race: closes every attempt still pending and reports it failed with {@code why}. */
    private void end(Exception why) {
        for (int i : race.stop()) {
            BlockingTcpConnector.closeQuietly(sockets[i]);
            config.observer().connectFailed(race.remote(i), why);
        }
    }
}
