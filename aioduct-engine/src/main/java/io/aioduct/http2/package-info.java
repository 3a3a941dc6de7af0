/**
 * HTTP/2: one client implementation for every runtime. {@link io.aioduct.http2.Http2Session} is the
 * protocol (frames, HPACK, settings, flow control, GOAWAY and RST_STREAM) without I/O; an event-loop
 * driver feeds it on the channel's loop, a blocking driver from a reader virtual thread.
 *
 * <p>HPACK (RFC 7541) is our own, not Netty's: {@code HpackDecoder} hands each response
 * field to {@code ResponseHeaderBlock} as plain {@code String}s (static-table entries and
 * known names as shared constants, dynamic-table hits as the {@code String} stored once), which become the
 * response's headers in one exactly-sized array; {@code HpackEncoder} writes a request's
 * {@code HeaderList} without building Netty header objects. Netty's codec would build an
 * {@code AsciiString} and a hash entry per field, which the engine then copied.
 */
@NullMarked
package io.aioduct.http2;

import org.jspecify.annotations.NullMarked;
