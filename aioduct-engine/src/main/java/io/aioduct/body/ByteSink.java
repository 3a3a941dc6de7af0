package io.aioduct.body;

import io.netty.buffer.ByteBuf;

/** Receives payload bytes: {@code length} bytes of {@code in} at {@code index}, valid only during the call. */
@FunctionalInterface
public interface ByteSink {
    void onData(ByteBuf in, int index, int length);
}
