package io.aioduct.runtime.compat;

import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A task of the legacy {@code schedule*} methods: fires on the compat thread when the {@link
 * CompatClock} reaches its deadline, then runs on the base runtime's threads. One-shot, or periodic at a
 * fixed rate ({@code period > 0}: the next deadline is the last one plus the period, so it does not
 * drift) or with a fixed delay ({@code period < 0}: the next deadline is the end of this run plus the
 * delay). A periodic task's future never completes normally: it ends when cancelled, when its body
 * throws (the future then holds that exception) or when the runtime stops. Thread-safe.
 */
final class ScheduledTask<T> extends CompatTask<T> implements ScheduledFuture<T> {
    private final CompatCore core;
    private final @Nullable Runnable periodicBody;
    private final long period;
    private volatile long deadline;
    private volatile CompatScheduler.@Nullable Entry timer;

    private ScheduledTask(
            @Nullable Callable<? extends T> call,
            @Nullable Runnable periodicBody,
            CompatCore core,
            CompatRuntime runtime,
            long deadline,
            long period) {
        super(call, null, runtime, false);
        this.core = core;
        this.periodicBody = periodicBody;
        this.deadline = deadline;
        this.period = period;
    }

    static <T> ScheduledTask<T> once(
            Callable<? extends T> call, CompatCore core, CompatRuntime runtime, long deadline) {
        return new ScheduledTask<>(call, null, core, runtime, deadline, 0);
    }

    /** Fixed rate when {@code period > 0}, fixed delay of {@code -period} when negative. */
    static ScheduledTask<Void> periodic(
            Runnable body, CompatCore core, CompatRuntime runtime, long deadline, long period) {
        return new ScheduledTask<>(null, body, core, runtime, deadline, period);
    }

    long deadline() {
        return deadline;
    }

    /** Remembers the timer that will fire this task next, so cancelling removes it. */
    void armed(CompatScheduler.Entry entry) {
        timer = entry;
        if (isDone()) {
            entry.cancel();
        }
    }

    /** Takes the task off the timer without completing it (it was handed out by shutdownNow). */
    void disarm() {
        CompatScheduler.Entry t = timer;
        if (t != null) {
            t.cancel();
        }
    }

    @Override
    void runBody() throws Exception {
        if (periodicBody == null) {
            super.runBody();
        } else {
            periodicBody.run();
        }
    }

    @Override
    void afterRun() {
        if (periodicBody == null || isDone()) {
            return;
        }
        deadline = period > 0 ? deadline + period : core.now() - period;
        rearm();
        core.rearm(this);
    }

    boolean isPeriodic() {
        return periodicBody != null;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        CompatScheduler.Entry t = timer;
        if (cancelled && t != null) {
            t.cancel();
        }
        return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(deadline - core.now(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        if (other == this) {
            return 0;
        }
        long diff = other instanceof ScheduledTask<?> s
                ? deadline - s.deadline
                : getDelay(TimeUnit.NANOSECONDS) - other.getDelay(TimeUnit.NANOSECONDS);
        return diff < 0 ? -1 : diff > 0 ? 1 : 0;
    }
}
