package io.aioduct.chain;

import io.aioduct.Request;
import io.aioduct.Response;

/**
 * A step applied to every request the chain sends, follow-ups included, and to every response that comes
 * back, before any follow-up looks at it: cookies, for example (a redirect's {@code Set-Cookie} is kept,
 * and the next hop's {@code Cookie} is computed for its own URI). Thread-safe; {@link #prepare} returns
 * {@code request} itself when it changes nothing.
 */
public interface Bridge {

    Request prepare(Request request);

    /** Sees the response to {@code sent}; returns it, or a replacement (closing the one it replaces). */
    default Response received(Request sent, Response response) {
        return response;
    }
}
