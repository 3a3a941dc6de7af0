package io.aioduct.concurrent;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** {@code sleep} for runtimes whose timers are their event loops' schedulers. */
public final class LoopSleep {
    private LoopSleep() {}

    public static CompletionStage<Void> on(EventExecutor loop, Duration duration) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long nanos = Math.max(0, duration.toNanos());
        var timer = loop.schedule(() -> done.complete(null), nanos, TimeUnit.NANOSECONDS);
        done.whenComplete((v, e) -> {
            if (done.isCancelled()) {
                timer.cancel(false);
            }
        });
        return done;
    }
}
