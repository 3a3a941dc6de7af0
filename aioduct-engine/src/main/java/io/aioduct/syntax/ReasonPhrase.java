package io.aioduct.syntax;

/**
 * Where a response's reason phrase comes from, decoded only when someone asks: an HTTP/1.x head keeps
 * it among the bytes its header fields arrived in, and HTTP/2 has none ({@link #NONE}). Implementations
 * are immutable, or decode lazily in a way that is safe to race; any thread may call.
 */
@FunctionalInterface
public interface ReasonPhrase {

    /** No reason phrase: HTTP/2, or a response built without one. */
    ReasonPhrase NONE = () -> "";

    /** The phrase as the server sent it; "" when it sent none. */
    String reasonPhrase();
}
