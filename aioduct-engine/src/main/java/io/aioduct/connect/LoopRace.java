package io.aioduct.connect;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A Happy Eyeballs race on one event loop: Netty channels connecting to several addresses, the stagger
 * and the connect timeout as {@link EventLoop#schedule} timers; the decisions are {@link HappyEyeballs}'.
 * The first channel to connect is the result; every other is closed, pending or connecting late. Addresses
 * the resolver finds after the race started ({@link SocketConfig#resolving()}) join it on the loop; the
 * RFC 8305 §3 resolution delay is a loop timer too.
 *
 * <p>Threading: every step runs on {@code loop} (a start from elsewhere hops onto it once), so the race
 * needs no lock and nothing blocks the loop. Events reach the observer on the loop, in order.
 */
final class LoopRace {
    private final EventLoop loop;
    private final ChannelFactory<? extends Channel> channels;
    private final SocketConfig config;
    private final HappyEyeballs race;
    private @Nullable Channel[] attempts;
    private final CompletableFuture<Transport> result = new CompletableFuture<>();
    private @Nullable ScheduledFuture<?> stagger;
    private @Nullable ScheduledFuture<?> deadline;
    private @Nullable ScheduledFuture<?> hold;

    LoopRace(EventLoop loop, ChannelFactory<? extends Channel> channels, SocketConfig config) {
        this.loop = loop;
        this.channels = channels;
        this.config = config;
        this.race = new HappyEyeballs(config);
        this.attempts = new Channel[race.size()];
    }

    CompletionStage<Transport> start() {
        if (loop.inEventLoop()) {
            begin();
        } else {
            loop.execute(this::begin);
        }
        return result;
    }

    private void begin() {
        Duration timeout = config.connectTimeout();
        if (!timeout.isZero()) {
            deadline = loop.schedule(this::timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        Resolution resolving = config.resolving();
        boolean go = true;
        if (resolving != null) {
            resolving.onChange(() -> loop.execute(this::moreAddresses));
            // Answers that came before subscribing are read here; a duplicate later read changes nothing.
            go = race.more(resolving.addresses(), resolving.isComplete());
        }
        if (race.holding()) {
            hold = loop.schedule(
                    () -> {
                        if (race.resolutionDelayElapsed()) startNext();
                    },
                    config.resolutionDelay().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        if (go) {
            startNext();
        }
    }

    /** The lookups answered again (on the loop): new addresses join; the race may start or end on it. */
    private void moreAddresses() {
        Resolution resolving = config.resolving();
        if (resolving == null || race.isOver()) {
            return;
        }
        if (race.more(resolving.addresses(), resolving.isComplete())) {
            cancel(hold);
            startNext();
        }
        exhaustedCheck();
    }

    /** Starts the next address now, then arms the stagger timer for the one after (or, delay zero, starts it). */
    private void startNext() {
        int attempt = race.start();
        if (attempt < 0) {
            return;
        }
        launch(attempt);
        // Nothing left to start (nor to come), or the race moved on while launching (a connect that failed at
        // once already started the next attempt and armed its timer): this attempt's timer is not needed.
        if (!race.timerWanted(attempt)) {
            return;
        }
        if (race.allAtOnce()) {
            startNext();
            return;
        }
        cancel(stagger);
        stagger = loop.schedule(
                () -> {
                    if (race.delayElapsed(attempt)) startNext();
                },
                config.happyEyeballsDelay().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    private void launch(int attempt) {
        InetSocketAddress remote = race.remote(attempt);
        config.observer().connectStart(remote);
        if (attempt >= attempts.length) {
            attempts = Arrays.copyOf(attempts, race.size());
        }
        // No per-channel limit: the race's own deadline timer bounds every attempt together.
        ChannelFuture connect = LoopDialer.connect(loop, channels, config, Duration.ZERO, remote);
        Channel channel = connect.channel();
        attempts[attempt] = channel;
        connect.addListener(f -> {
            if (loop.inEventLoop()) {
                settled(attempt, remote, channel, f);
            } else {
                // A channel that failed to even register completes off the loop; the race lives on it.
                loop.execute(() -> settled(attempt, remote, channel, f));
            }
        });
    }

    private void settled(int attempt, InetSocketAddress remote, Channel channel, Future<?> f) {
        if (f.isSuccess()) {
            if (!race.connected(attempt)) {
                // Connected after the race ended (lost, or timed out): its event is already reported.
                channel.close();
                return;
            }
            config.observer().connectEnd(remote);
            end(race.lostTo(attempt));
            result.complete(new LoopTransport(channel));
            return;
        }
        if (!race.failed(attempt, f.cause())) {
            return;
        }
        config.observer().connectFailed(remote, f.cause());
        startNext();
        exhaustedCheck();
    }

    private void exhaustedCheck() {
        if (race.exhausted()) {
            // Nothing is pending any more: only the timers are left to stop.
            cancel(stagger);
            cancel(deadline);
            result.completeExceptionally(race.failure());
        }
    }

    private void timedOut() {
        if (race.isOver()) {
            return;
        }
        var timedOut = race.timedOut();
        end(timedOut);
        result.completeExceptionally(timedOut);
    }

    /** Stops the timers and closes every attempt still pending, reporting each as failed with {@code why}. */
    private void end(Throwable why) {
        cancel(hold);
        cancel(stagger);
        cancel(deadline);
        for (int i : race.stop()) {
            Channel channel = attempts[i];
            if (channel != null) channel.close();
            config.observer().connectFailed(race.remote(i), why);
        }
    }

    private static void cancel(@Nullable ScheduledFuture<?> timer) {
        if (timer != null) timer.cancel(false);
    }
}
