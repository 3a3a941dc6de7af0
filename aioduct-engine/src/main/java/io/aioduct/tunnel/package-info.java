/**
 * Opening a tunnel through a proxy over an already connected transport: HTTP {@code CONNECT}, SOCKS5
 * and SOCKS4a handshakes, the same codecs for loop and blocking transports. Not exported.
 */
@NullMarked
package io.aioduct.tunnel;

import org.jspecify.annotations.NullMarked;
