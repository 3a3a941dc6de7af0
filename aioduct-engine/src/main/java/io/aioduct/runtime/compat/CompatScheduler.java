package io.aioduct.runtime.compat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timer queue the compat thread runs: entries fire, in deadline order, once {@link CompatClock}
 * reads at or past their deadline. Firing only hands work on (to the base runtime's threads), so one
 * thread serves every timer. The thread sleeps until the next deadline or until {@link #wake()} (a new
 * earlier timer, the clock jumping ahead, the runtime going idle).
 *
 * <p>Thread-safe. Cancelling an entry removes it at once (a sorted set, so removal is logarithmic and a
 * busy engine's cancelled timeouts do not pile up).
 */
final class CompatScheduler {
    private static final Logger log = LoggerFactory.getLogger(CompatScheduler.class);
    // Deadlines compare by difference, as System.nanoTime() values must; ties fire in scheduling order.
    private static final Comparator<Entry> ORDER = (a, b) -> {
        long diff = a.deadline - b.deadline;
        return diff != 0 ? (diff < 0 ? -1 : 1) : Long.compare(a.seq, b.seq);
    };
    // Delays are capped so deadline arithmetic never overflows (about 146 years).
    private static final long MAX_DELAY = Long.MAX_VALUE >> 1;

    private final CompatClock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final TreeSet<Entry> queue = new TreeSet<>(ORDER);
    private long nextSeq;
    private boolean stopped;

    CompatScheduler(CompatClock clock) {
        this.clock = clock;
    }

    /** A pending timer. */
    final class Entry {
        final long deadline;
        final long seq;
        final Runnable action;
        final Future<?> owner;

        private Entry(long deadline, long seq, Runnable action, Future<?> owner) {
            this.deadline = deadline;
            this.seq = seq;
            this.action = action;
            this.owner = owner;
        }

        /** Removes the timer if it has not fired yet. */
        void cancel() {
            lock.lock();
            try {
                queue.remove(this);
            } finally {
                lock.unlock();
            }
        }
    }

    long now() {
        return clock.nanoTime();
    }

    /** The deadline {@code delayNanos} from now, clamped so it cannot overflow. */
    long deadlineAfter(long delayNanos) {
        return now() + Math.min(Math.max(0, delayNanos), MAX_DELAY);
    }

    /**
     * Runs {@code action} on the compat thread once the clock reaches {@code deadline}. The action must
     * be quick and must not block. {@code owner} is cancelled if the scheduler stops first.
     *
     * @throws RejectedExecutionException if the scheduler has stopped
     */
    Entry scheduleAt(long deadline, Runnable action, Future<?> owner) {
        lock.lock();
        try {
            if (stopped) {
                throw new RejectedExecutionException("the compat timer has stopped");
            }
            Entry e = new Entry(deadline, nextSeq++, action, owner);
            queue.add(e);
            if (queue.first() == e) {
                wake.signalAll();
            }
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** Makes the timer thread look again at its queue, the clock and its stop condition. */
    void wake() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The compat thread's loop: fires due timers until {@code stop} (checked under the lock, after every
     * wake-up) says to end. Returns the owners of the timers that never fired; no timer is accepted after.
     */
    List<Future<?>> runUntil(BooleanSupplier stop) {
        lock.lock();
        try {
            while (!stop.getAsBoolean()) {
                Entry first = queue.isEmpty() ? null : queue.first();
                if (first == null) {
                    wake.await();
                    continue;
                }
                long wait = first.deadline - clock.nanoTime();
                if (wait > 0) {
                    wake.awaitNanos(wait);
                    continue;
                }
                queue.pollFirst();
                lock.unlock();
                try {
                    first.action.run();
                } catch (RuntimeException e) {
                    log.error("a compat timer action failed", e);
                } finally {
                    lock.lock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
            lock.unlock();
        }
        return drain();
    }

    private List<Future<?>> drain() {
        lock.lock();
        try {
            List<Future<?>> owners = new ArrayList<>();
            for (Entry e : queue) {
                owners.add(e.owner);
            }
            queue.clear();
            return owners;
        } finally {
            lock.unlock();
        }
    }

    /** Timers waiting to fire. */
    int pending() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }
}
