package io.aioduct.concurrent;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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

    /**
     * A factory naming threads {@code prefix-N} (or exactly {@code prefix} when {@code numbered} is
     * false), all owned by {@code owner}, each recorded in {@code started} so the owner can join them.
     */
    public static ThreadFactory factory(
            String prefix, boolean numbered, Object owner, int core, boolean eventLoop, Collection<Thread> started) {
        AtomicInteger next = new AtomicInteger();
        return task -> {
            String name = numbered ? prefix + "-" + next.getAndIncrement() : prefix;
            RuntimeThread t = new RuntimeThread(task, name, owner, core, eventLoop);
            started.add(t);
            return t;
        };
    }

    /**
     * Waits until every thread in {@code threads} has ended, up to {@code nanos}; returns those still
     * alive. A runtime's close calls this so no thread outlives it.
     */
    public static List<Thread> join(Collection<Thread> threads, long nanos) {
        long deadline = System.nanoTime() + nanos;
        List<Thread> alive = new ArrayList<>();
        for (Thread t : threads) {
            if (t == Thread.currentThread()) {
                continue;
            }
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    t.join(Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                alive.add(t);
            }
        }
        return alive;
    }
}
