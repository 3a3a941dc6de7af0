package io.aioduct.runtime.compat;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a compat task on its thread, and what must wait until that run is over. A counted task whose
 * stage completes gives its idle count back through {@link #defer}: a stage runs its dependents on the thread
 * that completes it, newest first, so the task's own completion handler (registered last, when the task's
 * supplier returned the stage) runs before the callbacks the supplier attached; deferring the count to the end
 * of the run lets those callbacks still spawn while {@code shutdownOnIdle} waits. Thread-confined.
 */
final class TaskTurn {
    private static final Logger log = LoggerFactory.getLogger(CompatRuntime.class);
    private static final ThreadLocal<TaskTurn> CURRENT = new ThreadLocal<>();

    private final CompatRuntime runtime;
    private final @Nullable TaskTurn outer;
    private @Nullable List<Runnable> deferred;

    private TaskTurn(CompatRuntime runtime, @Nullable TaskTurn outer) {
        this.runtime = runtime;
        this.outer = outer;
    }

    /**
     * Starts a turn of {@code runtime} on the calling thread, or returns null when one is already running
     * here (a task run inside another, as {@code invokeAny} does): the outermost turn ends for both.
     */
    static @Nullable TaskTurn begin(CompatRuntime runtime) {
        TaskTurn current = CURRENT.get();
        if (current != null && current.runtime == runtime) {
            return null;
        }
        TaskTurn turn = new TaskTurn(runtime, current);
        CURRENT.set(turn);
        return turn;
    }

    /**
     * Runs {@code action} when the current turn of {@code runtime} on this thread ends; returns false, doing
     * nothing, when no such turn is running here.
     */
    static boolean defer(CompatRuntime runtime, Runnable action) {
        TaskTurn turn = CURRENT.get();
        if (turn == null || turn.runtime != runtime) {
            return false;
        }
        if (turn.deferred == null) {
            turn.deferred = new ArrayList<>(2);
        }
        turn.deferred.add(action);
        return true;
    }

    /** Ends the turn: the thread's previous turn (if any) is current again, then the deferred actions run. */
    void end() {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
        List<Runnable> actions = deferred;
        if (actions == null) {
            return;
        }
        // An action may complete a stage whose dependents defer again: they run now, with no turn current.
        for (int i = 0; i < actions.size(); i++) {
            try {
                actions.get(i).run();
            } catch (RuntimeException | Error e) {
                log.error("a deferred action of {} failed", runtime.name(), e);
            }
        }
    }
}
