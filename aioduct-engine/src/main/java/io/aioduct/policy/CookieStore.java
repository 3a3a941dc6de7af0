package io.aioduct.policy;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Where a client keeps the cookies servers set, and what it sends back: the SPI behind {@code
 * AioductClient.Builder.cookieStore}. With a store installed, every request the client sends (each
 * redirect hop, retry and answered challenge included) gets a {@code Cookie} header from {@link
 * #cookiesFor}, and every {@code Set-Cookie} of every response it receives goes to {@link #store}.
 *
 * <p>{@link #inMemory()} is the built-in store: RFC 6265bis rules (host-only and domain cookies refused
 * for a public suffix, path, Secure, HttpOnly, SameSite, Partitioned, Max-Age and Expires, the {@code
 * __Secure-} and {@code __Host-} prefixes, size limits), in memory, for the life of the store. Share one
 * store between clients to share their cookies; give each its own to keep them apart.
 *
 * <p>Threading: implementations are thread-safe, as requests run concurrently, and must not block for
 * long (they run on the event loop that delivers the response). A store that throws fails the request
 * being sent or the response being received, with its exception.
 */
public interface CookieStore {

    /**
     * The cookies to send with a request to {@code uri} (absolute, http or https), in the order of the
     * {@code Cookie} header: longer paths first, then earlier created (RFC 6265bis 5.8.3). Expired cookies
     * are not returned. Empty when none match.
     */
    List<Cookie> cookiesFor(URI uri);

    /**
     * Keeps what the {@code Set-Cookie} header values {@code setCookies} of a response to {@code uri}
     * set: new cookies are added, a cookie of the same name, domain and path replaced, one with an expiry in
     * the past deleted; a header the rules refuse is ignored (never an error).
     */
    void store(URI uri, List<String> setCookies);

    /** Every cookie held and not expired, in no particular order. */
    List<Cookie> all();

    /** Forgets every cookie (a log-out). */
    void clear();

    /** A new, empty in-memory store on the system clock. */
    static CookieStore inMemory() {
        return new InMemoryCookieStore(Clock.systemUTC());
    }

    /** A new, empty in-memory store whose expiry times and creation order come from {@code clock}. */
    static CookieStore inMemory(Clock clock) {
        return new InMemoryCookieStore(Objects.requireNonNull(clock, "clock"));
    }
}
