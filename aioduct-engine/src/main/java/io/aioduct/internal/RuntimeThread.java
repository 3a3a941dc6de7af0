package io.aioduct.internal;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A platform thread started by a runtime, tagged with its owner so "am I on my runtime's event loop?"
 * is a type check and a field read, not a lookup. Extends Netty's fast thread-local thread so Netty's
 * per-thread caches take their fast path.
 */
public final class RuntimeThread extends FastThreadLocalThread {
    private final Object owner;
    private final int core;
    private final boolean eventLoop;

    RuntimeThread(Runnable task, String name, Object owner, int core, boolean eventLoop) {
        super(task, name);
        this.owner = owner;
        this.core = core;
        this.eventLoop = eventLoop;
        setDaemon(true);
    }

    /** The runtime that started this thread. */
    public Object owner() {
        return owner;
    }

    /** The core index for thread-per-core runtimes, else -1. */
    public int core() {
        return core;
    }

    /** Whether the thread runs an event loop (where blocking is forbidden). */
    public boolean eventLoop() {
        return eventLoop;
    }

    /** Whether the calling thread is an event-loop thread of {@code owner}. */
    public static boolean isEventLoopOf(Object owner) {
        return Thread.currentThread() instanceof RuntimeThread t && t.owner == owner && t.eventLoop;
    }

    /** A factory naming threads {@code prefix-N}, all owned by {@code owner}. */
    public static ThreadFactory factory(String prefix, Object owner, int core, boolean eventLoop) {
        AtomicInteger next = new AtomicInteger();
        return task -> new RuntimeThread(task, prefix + "-" + next.getAndIncrement(), owner, core, eventLoop);
    }
}
