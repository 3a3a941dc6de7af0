package io.aioduct.runtime.compat;

/**
 * The clock the compat runtimes' timers read: {@code schedule*}, {@code sleep} and the current-thread
 * runtime's timers fire when {@link #nanoTime()} has reached their deadline. Production code uses
 * {@link #system()}; tests pass a clock they move by hand, so timer behaviour is checked without
 * sleeping.
 *
 * <p>Threading: implementations must be thread-safe; the compat thread reads the clock while any
 * thread may advance it. A clock that can jump ahead (a manual clock) must call every listener given
 * to {@link #onAdvance} after each jump, so a timer thread waiting for the next deadline wakes up and
 * looks again; without that call a timer thread would only notice on its next real-time wake-up.
 */
public interface CompatClock {

    /** Now, in nanoseconds from an arbitrary origin; only differences matter, as with {@link System#nanoTime()}. */
    long nanoTime();

    /**
     * Registers {@code listener} to run after each jump of the clock, on the thread that moved it, and
     * returns an action that unregisters it. The listener only signals; it never blocks. The system clock
     * never jumps, so its default keeps nothing.
     */
    default Runnable onAdvance(Runnable listener) {
        return () -> {};
    }

    /** The JVM's monotonic clock, {@link System#nanoTime()}. */
    static CompatClock system() {
        return System::nanoTime;
    }
}
