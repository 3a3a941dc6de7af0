package io.aioduct.http1;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The read and response timeouts of blocking HTTP/1.1 reads on virtual threads, watched by one virtual
 * thread instead of a socket timeout per read.
 *
 * <p>Why: a socket read with {@code SO_TIMEOUT} on a virtual thread is a timed park, and the JDK schedules
 * a timer task for every such read that waits and cancels it when the bytes come; each schedule and cancel
 * wakes the virtual-thread scheduler's timer thread. Profiled on HTTP/1.1 small GETs (64 in flight, one
 * core) that was 3.1 futex calls and a switch to that thread per request, some 12% of the client's CPU.
 * Here a read only publishes its deadline ({@link BlockingSocketReader#armedUntil}, {@link System#nanoTime}
 * based, the same milliseconds the socket timeout would get) and reads untimed; the watcher sleeps until
 * the earliest deadline it knows of and closes the socket of a read still waiting then, which the reading
 * thread reports as the timeout that fired. With the default 30 s timeouts the watcher wakes about once
 * per 30 s under load, and never when idle.
 *
 * <p>Threading: {@link #armed} and {@link #watch}/{@link #unwatch} from any thread; the watcher is started
 * on first use and parks when nothing is armed. {@link #wakeAt} is the instant the watcher will next look:
 * a read due earlier lowers it and wakes the watcher; the watcher raises it (to {@link #IDLE}) only just
 * before it scans, so a read armed during a scan either is seen by the scan or lowers it again.
 */
final class ReadDeadlines {
    static final ReadDeadlines SHARED = new ReadDeadlines();

    /** No read armed: the watcher sleeps until one is. */
    private static final long IDLE = Long.MAX_VALUE;

    private final Set<BlockingSocketReader> readers = ConcurrentHashMap.newKeySet();
    private final AtomicLong wakeAt = new AtomicLong(IDLE);
    private final Thread watcher;

    private ReadDeadlines() {
        // Started lazily: a JVM that never reads on a virtual thread never starts it.
        this.watcher = Thread.ofVirtual().name("aioduct-read-deadlines").unstarted(this::watch);
    }

    /** Starts watching {@code reader}'s armed deadlines (once per reader, on its first timed read). */
    void watch(BlockingSocketReader reader) {
        readers.add(reader);
        Thread w = watcher;
        if (w.getState() == Thread.State.NEW) {
            synchronized (this) {
                if (w.getState() == Thread.State.NEW) w.start();
            }
        }
    }

    /** Stops watching {@code reader} (its connection closed). */
    void unwatch(BlockingSocketReader reader) {
        readers.remove(reader);
    }

    /** {@code reader} armed a read until {@code deadline} ({@link System#nanoTime}): the watcher wakes by then. */
    void armed(long deadline) {
        long w = wakeAt.get();
        while (w == IDLE || deadline - w < 0) {
            if (wakeAt.compareAndSet(w, deadline)) {
                LockSupport.unpark(watcher);
                return;
            }
            w = wakeAt.get();
        }
    }

    private void watch() {
        while (true) {
            long w = wakeAt.get();
            if (w == IDLE) {
                LockSupport.park(this);
                continue;
            }
            long wait = w - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            if (!wakeAt.compareAndSet(w, IDLE)) continue; // a read lowered it: look again
            long next = scan(System.nanoTime());
            if (next != IDLE) lower(next);
        }
    }

    /** Closes the sockets of reads past their deadline; the earliest deadline still armed, or {@link #IDLE}. */
    private long scan(long now) {
        long next = IDLE;
        for (BlockingSocketReader r : readers) {
            if (!r.isOpen()) {
                readers.remove(r); // closed without unwatch (a failure path): nothing left to watch
                continue;
            }
            long d = r.armedUntil;
            if (d == 0 || d == Long.MIN_VALUE) continue; // not armed, or already fired
            if (d - now <= 0) {
                r.deadlinePassed(d);
            } else if (next == IDLE || d - next < 0) {
                next = d;
            }
        }
        return next;
    }

    private void lower(long deadline) {
        long w = wakeAt.get();
        while ((w == IDLE || deadline - w < 0) && !wakeAt.compareAndSet(w, deadline)) {
            w = wakeAt.get();
        }
    }
}
