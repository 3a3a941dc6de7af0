/**
 * HTTP/2: one client implementation for every runtime. {@link io.aioduct.http2.Http2Session} is the
 * protocol (frames, HPACK, settings, flow control, GOAWAY and RST_STREAM) without I/O; an event-loop
 * driver feeds it on the channel's loop, a blocking driver from a reader virtual thread.
 */
@NullMarked
package io.aioduct.http2;

import org.jspecify.annotations.NullMarked;
