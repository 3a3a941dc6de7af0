package io.aioduct.spring.autoconfigure;

import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.runtime.compat.CompatRuntime;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The runtime {@code aioduct.runtime.kind} picks. Its {@link #toString()} is the property value
 * ({@code pooled}, {@code virtual}, {@code io-uring}), which is what start-up failures list as allowed.
 */
public enum RuntimeKind {
    /** Pooled platform threads on Netty epoll (NIO where epoll is missing), one shared pool. */
    POOLED("pooled"),
    /** One virtual thread per request doing blocking socket I/O, one shared pool. */
    VIRTUAL("virtual"),
    /** io_uring thread-per-core: one event loop per core, each with its own pools. */
    IO_URING("io-uring");

    private final String value;

    RuntimeKind(String value) {
        this.value = value;
    }

    /** The property value, e.g. {@code io-uring}. */
    public String value() {
        return value;
    }

    /**
     * The kind a property value names: {@code io-uring}, {@code io_uring}, {@code IO_URING} and {@code
     * ioUring} all name {@link #IO_URING}.
     *
     * @throws IllegalArgumentException naming the property and the allowed values
     */
    public static RuntimeKind fromValue(String text) {
        String canonical = canonical(text);
        for (RuntimeKind kind : values()) {
            if (canonical(kind.value).equals(canonical)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "'" + text + "' is not a runtime kind: aioduct.runtime.kind (and aioduct.clients.<name>.runtime.kind) "
                        + "must be one of " + allowedValues());
    }

    /** {@code pooled, virtual, io-uring}. */
    public static String allowedValues() {
        return Arrays.stream(values()).map(RuntimeKind::value).collect(Collectors.joining(", "));
    }

    /**
     * The {@code runtime} tag and endpoint kind of a running runtime: {@code pooled}, {@code virtual}, {@code
     * io-uring}, {@code compat}, or {@code custom} for a runtime the starter does not know.
     */
    public static String tagOf(RuntimeCompletion runtime) {
        return switch (runtime) {
            case PooledRuntime p -> POOLED.value;
            case VirtualThreadRuntime v -> VIRTUAL.value;
            case CompatRuntime c -> "compat";
            // Matched by name so that io_uring's classes never load here.
            default ->
                runtime.getClass().getName().equals("io.aioduct.runtime.uring.IoUringRuntime")
                        ? IO_URING.value
                        : "custom";
        };
    }

    private static String canonical(String text) {
        return text.trim().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return value;
    }
}
