package io.aioduct.spring.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * The runtime {@code aioduct.runtime.kind} chose cannot run in this application: io_uring is missing
 * from the kernel or from the classpath and no fallback was allowed. Fails start-up; {@link
 * AioductFailureAnalyzer} turns it into a description and the properties that fix it.
 */
public class RuntimeUnavailableAtStartupException extends IllegalStateException {
    private final String action;

    public RuntimeUnavailableAtStartupException(String message, String action, @Nullable Throwable cause) {
        super(message + ". " + action, cause);
        this.action = action;
    }

    /** What to change, naming the properties and their allowed values. */
    public String action() {
        return action;
    }
}
