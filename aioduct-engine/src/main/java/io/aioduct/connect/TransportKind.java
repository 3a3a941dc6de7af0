package io.aioduct.connect;

/** Which kind of {@link Transport} a connector produces, and so how the engine drives its I/O. */
public enum TransportKind {
    /** {@link LoopTransport}: asynchronous, events on the channel's event loop. */
    EVENT_LOOP,
    /** {@link BlockingTransport}: blocking reads and writes on the request's own (virtual) thread. */
    BLOCKING
}
