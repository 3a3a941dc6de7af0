package io.aioduct.bench.load;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * One request a scenario repeats: method, absolute URI, an optional body sent as is, and whether it asks
 * the server to close the connection afterwards ({@code Connection: close}), which makes every request
 * open a new connection on every client alike.
 */
public record Call(String method, URI uri, byte @Nullable [] body, boolean closeConnection) {
    public Call {
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new IllegalArgumentException("method must be GET or POST, was " + method);
        }
        if (method.equals("POST") && body == null) {
            throw new IllegalArgumentException("a POST needs a body");
        }
    }
}
