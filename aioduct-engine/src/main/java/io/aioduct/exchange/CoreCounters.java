package io.aioduct.exchange;

/**
 * A thread-per-core runtime that counts, per core, the exchanges finished and the connections owned, for
 * its {@link io.aioduct.runtime.RuntimeStats}. The engine reports to it (the runtime cannot see either);
 * nothing else should. Any thread; cheap.
 */
public interface CoreCounters {

    /** An exchange that ran on {@code core} finished. */
    void requestServed(int core);

    /** A connection now belongs to {@code core}. */
    void connectionOpened(int core);

    /** A connection of {@code core} closed (reported once per connection). */
    void connectionClosed(int core);
}
