package io.aioduct.runtime.compat;

/**
 * Points in a compat runtime's admission, stop and task start where a test can hold a thread to force an
 * interleaving (see {@code CompatStopRaceTest}); {@link #NONE} in every runtime not built by such a test. Each is
 * called on the thread named, and must not throw.
 */
interface CompatHooks {
    CompatHooks NONE = new CompatHooks() {};

    /** On the admitting thread, once the runtime was found accepting, still holding the admission lock. */
    default void admissionChecked() {}

    /** On the thread in {@code shutdownNow}, once it refuses work, holding the stop lock. */
    default void stopNowDecided() {}

    /** On the compat thread, when it is time to stop, before it takes the stop lock to claim the tasks. */
    default void stopClaiming() {}

    /** On the compat thread, once every task has ended, before it closes the base and the blocking pool. */
    default void stopAwaitedTasks() {}

    /** On the thread about to run a task's body, before the task can be interrupted there. */
    default void bodyStarting() {}
}
