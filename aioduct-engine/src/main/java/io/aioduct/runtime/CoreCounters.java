package io.aioduct.runtime;

/**
 * Per-core counters a thread-per-core runtime may implement to publish, in its {@link RuntimeStats}, the
 * exchanges finished and the connections owned on each core: the engine reports to it (the runtime
 * cannot see either). SPI for runtime authors; an application never calls it. Any thread; must be cheap
 * (it is called on the hot path).
 */
public interface CoreCounters {

    /** An exchange that ran on {@code core} finished. */
    void requestServed(int core);

    /** A connection now belongs to {@code core}. */
    void connectionOpened(int core);

    /** A connection of {@code core} closed (reported once per connection). */
    void connectionClosed(int core);
}
