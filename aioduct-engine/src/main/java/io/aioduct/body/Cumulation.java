package io.aioduct.body;

import io.netty.buffer.ByteBuf;

/**
 * Bytes an event-loop driver read but could not decode yet (an incomplete frame or head), joined with
 * the next read. Both loop drivers (HTTP/1.1 and HTTP/2) keep such a remainder. Not thread-safe: the
 * caller's loop owns the buffers.
 */
public final class Cumulation {
    private Cumulation() {}

    /**
     * Copies {@code rest} then {@code in} into {@code into} (sized by the caller, who chooses heap or
     * direct), releases both, and returns {@code into}.
     */
    public static ByteBuf join(ByteBuf rest, ByteBuf in, ByteBuf into) {
        into.writeBytes(rest).writeBytes(in);
        rest.release();
        in.release();
        return into;
    }
}
