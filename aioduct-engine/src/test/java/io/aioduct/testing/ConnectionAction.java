package io.aioduct.testing;

/**
 * What {@link TestServer} does with a freshly accepted TCP connection, before any HTTP is spoken. Set it
 * with {@link TestServer#onConnect(ConnectionAction)} (every following connection) or
 * {@link TestServer#onNextConnect(ConnectionAction)} (just the next one).
 */
public enum ConnectionAction {
    /** Serve HTTP/1.1 normally (the default). */
    NORMAL,
    /**
     * Accept, then close at once with a FIN, without reading anything. If the client's request bytes
     * already arrived unread, the kernel answers with an RST instead; tests must allow either.
     */
    CLOSE_IMMEDIATELY,
    /** Accept, then close abortively ({@code SO_LINGER} 0), which sends an RST. */
    RESET,
    /** Accept, read and discard everything, never answer; the connection stays open until closed. */
    STALL
}
