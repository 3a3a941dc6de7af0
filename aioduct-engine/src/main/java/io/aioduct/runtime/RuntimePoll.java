package io.aioduct.runtime;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A runtime whose tasks may run on any of its threads (Rust's {@code Send} futures): the pooled and
 * virtual-thread runtimes. Thread-safe.
 */
public interface RuntimePoll extends RuntimeCompletion {

    /**
     * Runs {@code task} detached, on any of the runtime's threads. An exception the task throws is
     * logged, never lost silently.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the runtime is closed
     */
    void spawnSend(Runnable task);

    /** A stage that completes after {@code duration}; it may complete on any thread. */
    CompletionStage<Void> sleep(Duration duration);
}
