package io.aioduct.runtime;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A thread-per-core runtime (Rust's {@code !Send} world): each core is one event-loop thread, work
 * spawned on a core stays on it, and objects created there (connections, pools) are used only there.
 *
 * <p>{@link #spawnLocal} from a core's own thread queues on that core; from any other thread it picks
 * a core round-robin. Thread-safe.
 */
public interface RuntimeLocal extends RuntimeCompletion {

    /** Runs {@code task} on the current core, or on the next core round-robin when called off-core. */
    void spawnLocal(Runnable task);

    /**
     * Runs {@code task} on core {@code core}.
     *
     * @throws IllegalArgumentException if {@code core} is not between 0 and {@link #cores()} - 1
     */
    void spawnOn(int core, Runnable task);

    /** A stage completing on the current core (or the next core, off-core) after {@code duration}. */
    CompletionStage<Void> sleep(Duration duration);

    /** How many cores (event-loop threads) this runtime has. */
    int cores();

    /** The index of the core the calling thread is, or -1 when it is not one of them. */
    int currentCore();

    /** The core a request from a non-core thread goes to next (round-robin). */
    int nextCore();
}
