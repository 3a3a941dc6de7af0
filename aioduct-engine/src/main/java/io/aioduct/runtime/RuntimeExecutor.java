package io.aioduct.runtime;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Turns a runtime into the {@link Executor} that protocol code needs for background work (connection
 * tasks, the pool reaper): {@link RuntimePoll#spawnSend} for poll runtimes, {@link
 * RuntimeLocal#spawnLocal} for thread-per-core runtimes. The aioduct counterpart of the Rust
 * original's {@code HyperExecutor}. Thread-safe; holds no resources of its own.
 */
public final class RuntimeExecutor implements Executor {
    private final Executor delegate;
    private final String name;

    private RuntimeExecutor(Executor delegate, String name) {
        this.delegate = delegate;
        this.name = name;
    }

    public static RuntimeExecutor of(RuntimePoll runtime) {
        Objects.requireNonNull(runtime, "runtime");
        return new RuntimeExecutor(runtime::spawnSend, runtime.name());
    }

    public static RuntimeExecutor of(RuntimeLocal runtime) {
        Objects.requireNonNull(runtime, "runtime");
        return new RuntimeExecutor(runtime::spawnLocal, runtime.name());
    }

    /** The executor for whichever kind {@code runtime} is. */
    public static RuntimeExecutor of(RuntimeCompletion runtime) {
        if (runtime instanceof RuntimePoll poll) {
            return of(poll);
        }
        if (runtime instanceof RuntimeLocal local) {
            return of(local);
        }
        throw new IllegalArgumentException(
                "runtime " + runtime.name() + " is neither a RuntimePoll nor a RuntimeLocal");
    }

    @Override
    public void execute(Runnable command) {
        delegate.execute(Objects.requireNonNull(command, "command"));
    }

    @Override
    public String toString() {
        return "RuntimeExecutor[" + name + "]";
    }
}
