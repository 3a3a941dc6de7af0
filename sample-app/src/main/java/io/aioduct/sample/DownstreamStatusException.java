package io.aioduct.sample;

import java.net.URI;

/** A downstream answered with an error status to a direct {@code AioductClient} call. */
final class DownstreamStatusException extends RuntimeException {

    DownstreamStatusException(int status, URI uri) {
        super("downstream answered " + status + " for " + uri);
    }
}
