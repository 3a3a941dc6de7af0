package io.aioduct.runtime.compat;

import org.jspecify.annotations.Nullable;

/**
 * Which compat runtime the calling thread belongs to, and in which role: what {@link
 * CompatRuntime#current()} returns and what {@code blockOn} checks before it waits. A thread-local, set
 * while a runtime task runs, inside {@link CompatRuntime#enter()} and inside {@code blockInPlace}.
 */
final class CompatContext {
    private static final ThreadLocal<Binding> CURRENT = new ThreadLocal<>();

    private CompatContext() {}

    /**
     * @param runtime the runtime current on the thread
     * @param inTask whether the thread is running one of the runtime's tasks (waiting for the runtime to
     *     go idle or stop would then wait for itself)
     * @param mayBlock whether the thread may block: false only on a platform worker of the runtime
     */
    record Binding(CompatRuntime runtime, boolean inTask, boolean mayBlock) {}

    static @Nullable Binding get() {
        return CURRENT.get();
    }

    /** Installs {@code binding} and returns the one it replaces, for {@link #restore}. */
    static @Nullable Binding bind(Binding binding) {
        Binding previous = CURRENT.get();
        CURRENT.set(binding);
        return previous;
    }

    static void restore(@Nullable Binding previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
