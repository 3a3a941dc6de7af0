/**
 * HTTP/1.1: one codec (response parser, body decoder, request writer) over Netty {@code ByteBuf}s,
 * shared by the event-loop connection and the blocking-socket connection so that every runtime frames
 * and rejects messages identically.
 */
@NullMarked
package io.aioduct.http1;

import org.jspecify.annotations.NullMarked;
