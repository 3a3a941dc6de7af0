/**
 * Connectors: how a runtime opens TCP connections. {@link io.aioduct.connect.SocketConfig} says where
 * and how; {@link io.aioduct.connect.ConnectorSend} (thread-safe) and {@link
 * io.aioduct.connect.ConnectorLocal} (owned by one core) open a {@link io.aioduct.connect.Transport};
 * a {@link io.aioduct.connect.Resolver} turns host names into addresses without blocking an event loop.
 * Several addresses race by Happy Eyeballs (RFC 8305): the decisions in {@code HappyEyeballs}, driven
 * by {@code LoopRace} on an event loop and by {@code BlockingRace} on virtual threads (docs/connect.md).
 */
@NullMarked
package io.aioduct.connect;

import org.jspecify.annotations.NullMarked;
