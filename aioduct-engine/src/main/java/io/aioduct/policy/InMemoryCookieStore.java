package io.aioduct.policy;

import java.net.IDN;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@link CookieStore}: the storage model of RFC 6265bis section 5.7 and the retrieval of
 * section 5.8.3, in memory. Cookies are grouped by domain, so finding those for a request looks up the
 * host and each of its parent domains, never the whole store.
 *
 * <p>Limits, so a server cannot grow the store without bound: {@value #MAX_PER_DOMAIN} cookies per domain
 * and {@value #MAX_TOTAL} in all (Chrome's numbers, above the RFC's minimums of 50 and 3000); past either,
 * expired cookies go first, then the earliest created.
 *
 * <p>Thread-safe: one lock around the maps, held only for map work (parsing happens outside it); an empty
 * store answers without taking it.
 */
final class InMemoryCookieStore implements CookieStore {
    static final int MAX_PER_DOMAIN = 180;
    static final int MAX_TOTAL = 3000;

    private static final Comparator<Entry> HEADER_ORDER = Comparator.<Entry>comparingInt(
                    e -> -e.cookie.path().length())
            .thenComparing(e -> e.cookie.created())
            .thenComparingLong(e -> e.sequence);

    private final Clock clock;
    /** The suffix list, read on the first Domain attribute (not when a store is made). */
    private final Supplier<PublicSuffixes> suffixes;

    private final Object lock = new Object();
    /** domain -> (name, host-only, path) -> cookie; guarded by lock. */
    private final Map<String, Map<Key, Entry>> byDomain = new HashMap<>();

    private long sequence;
    private volatile int size;

    InMemoryCookieStore(Clock clock) {
        this(clock, PublicSuffixes::shipped);
    }

    InMemoryCookieStore(Clock clock, Supplier<PublicSuffixes> suffixes) {
        this.clock = clock;
        this.suffixes = suffixes;
    }

    private record Key(String name, boolean hostOnly, String path) {}

    /** A stored cookie and its place in the order of storing (ties of equal creation time). */
    private record Entry(Cookie cookie, long sequence) {}

    @Override
    public List<Cookie> cookiesFor(URI uri) {
        if (size == 0) return List.of();
        String host = CookieRules.host(uri);
        if (host == null) return List.of();
        Instant now = clock.instant();
        List<Entry> found = new ArrayList<>();
        synchronized (lock) {
            for (String domain = host; domain != null; domain = parent(domain, host)) {
                Map<Key, Entry> cookies = byDomain.get(domain);
                if (cookies == null) continue;
                for (Iterator<Entry> it = cookies.values().iterator(); it.hasNext(); ) {
                    Entry e = it.next();
                    if (e.cookie.isExpired(now)) {
                        it.remove();
                        size--;
                    } else if (e.cookie.matches(uri)) {
                        found.add(e);
                    }
                }
                if (cookies.isEmpty()) byDomain.remove(domain);
            }
        }
        if (found.isEmpty()) return List.of();
        found.sort(HEADER_ORDER);
        List<Cookie> cookies = new ArrayList<>(found.size());
        for (Entry e : found) cookies.add(e.cookie);
        return cookies;
    }

    /** The next domain up from {@code domain} that may hold cookies for {@code host}; null at the top. */
    private static @Nullable String parent(String domain, String host) {
        if (CookieRules.isIpLiteral(host)) return null;
        int dot = domain.indexOf('.');
        return dot < 0 ? null : domain.substring(dot + 1);
    }

    @Override
    public void store(URI uri, List<String> setCookies) {
        if (setCookies.isEmpty()) return;
        String host = CookieRules.host(uri);
        if (host == null) return;
        Instant now = clock.instant();
        List<SetCookie> parsed = new ArrayList<>(setCookies.size());
        for (String header : setCookies) {
            SetCookie c = SetCookie.parse(header, now);
            if (c != null) parsed.add(c);
        }
        boolean secureOrigin = CookieRules.isSecure(uri);
        String requestPath = CookieRules.path(uri);
        for (SetCookie c : parsed) {
            Cookie cookie = resolve(c, host, secureOrigin, requestPath, now);
            if (cookie != null) {
                synchronized (lock) {
                    put(cookie, secureOrigin, now);
                }
            }
        }
    }

    /**
     * RFC 6265bis 5.7 steps 1 to 20 that need no stored cookie: the cookie {@code c} becomes when a
     * response to {@code host} sets it, or null when the rules refuse it.
     */
    @Nullable
    Cookie resolve(SetCookie c, String host, boolean secureOrigin, String requestPath, Instant now) {
        boolean hostOnly = true;
        String domain = host;
        if (c.domain() != null) {
            String attribute = ascii(c.domain());
            if (attribute == null) return null;
            if (CookieRules.isIpLiteral(host)) {
                // An IP address has no subdomains: Domain may only repeat it, and the cookie stays host-only.
                if (!attribute.equals(host)) return null;
            } else if (suffixes.get().isPublicSuffix(attribute)) {
                // Step 9: Domain=com (or co.uk, github.io) is refused, unless the host itself is that suffix.
                if (!attribute.equals(host)) return null;
            } else if (!CookieRules.domainMatches(host, attribute)) {
                return null; // step 10: a server may not set a cookie for a domain it is not in
            } else {
                hostOnly = false;
                domain = attribute;
            }
        }
        if (c.secure() && !secureOrigin) return null; // step 14: Secure is set over https only
        if (c.sameSite() == Cookie.SameSite.NONE && !c.secure()) return null; // step 19: None needs Secure
        String path = c.path() != null ? c.path() : CookieRules.defaultPath(requestPath);
        if (!prefixAllows(c, hostOnly, path)) return null;
        return Cookie.builder(c.name(), c.value(), domain)
                .hostOnly(hostOnly)
                .path(path)
                .secure(c.secure())
                .httpOnly(c.httpOnly())
                .sameSite(c.sameSite())
                .partitioned(c.partitioned())
                .expires(c.expiry())
                .created(now)
                .build();
    }

    /**
     * Steps 20 and 21, the cookie prefixes (matched case-insensitively, as the RFC now asks): a {@code
     * __Secure-} cookie must be Secure; a {@code __Host-} one also host-only with an explicit {@code Path=/}.
     * A nameless cookie may not fake either through its value.
     */
    private static boolean prefixAllows(SetCookie c, boolean hostOnly, String path) {
        String name = c.name().isEmpty() ? c.value() : c.name();
        if (startsWithIgnoreCase(name, "__Secure-")) {
            return !c.name().isEmpty() && c.secure();
        }
        if (startsWithIgnoreCase(name, "__Host-")) {
            return !c.name().isEmpty() && c.secure() && hostOnly && c.path() != null && path.equals("/");
        }
        return true;
    }

    /** Steps 16, 22 and 23: leave Secure cookies alone, replace by name, domain and path, store. Under lock. */
    private void put(Cookie cookie, boolean secureOrigin, Instant now) {
        if (!cookie.secure() && !secureOrigin && shadowsSecure(cookie)) {
            return; // step 16: plain http may not overwrite (or shadow) a Secure cookie
        }
        Map<Key, Entry> cookies = byDomain.computeIfAbsent(cookie.domain(), d -> new LinkedHashMap<>());
        Key key = new Key(cookie.name(), cookie.hostOnly(), cookie.path());
        Entry old = cookies.remove(key);
        long order = sequence++;
        if (old != null) {
            size--; // step 22: the replacement takes the place of the one it replaces
            cookie = cookie.toBuilder().created(old.cookie.created()).build();
            order = old.sequence;
        }
        if (cookie.isExpired(now)) {
            if (cookies.isEmpty()) byDomain.remove(cookie.domain());
            return; // an expiry in the past deletes
        }
        cookies.put(key, new Entry(cookie, order));
        size++;
        if (cookies.size() > MAX_PER_DOMAIN) evict(cookies, now);
        if (size > MAX_TOTAL) evictAnywhere(now);
    }

    private boolean shadowsSecure(Cookie cookie) {
        for (Map<Key, Entry> cookies : byDomain.values()) {
            for (Entry e : cookies.values()) {
                Cookie old = e.cookie;
                if (old.secure()
                        && old.name().equals(cookie.name())
                        && (CookieRules.domainMatches(old.domain(), cookie.domain())
                                || CookieRules.domainMatches(cookie.domain(), old.domain()))
                        && CookieRules.pathMatches(cookie.path(), old.path())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Drops expired cookies of one domain, then the earliest created until it is within the limit. */
    private void evict(Map<Key, Entry> cookies, Instant now) {
        size -= removeExpired(cookies, now);
        while (cookies.size() > MAX_PER_DOMAIN) {
            cookies.values().remove(earliest(cookies.values()));
            size--;
        }
    }

    /** Drops expired cookies everywhere, then the earliest created anywhere until within the limit. */
    private void evictAnywhere(Instant now) {
        for (Iterator<Map<Key, Entry>> it = byDomain.values().iterator(); it.hasNext(); ) {
            Map<Key, Entry> cookies = it.next();
            size -= removeExpired(cookies, now);
            if (cookies.isEmpty()) it.remove();
        }
        while (size > MAX_TOTAL) {
            Entry oldest = null;
            Map<Key, Entry> in = null;
            for (Map<Key, Entry> cookies : byDomain.values()) {
                Entry first = earliest(cookies.values());
                if (oldest == null || first.sequence < oldest.sequence) {
                    oldest = first;
                    in = cookies;
                }
            }
            if (oldest == null || in == null) return;
            in.values().remove(oldest);
            size--;
            if (in.isEmpty()) byDomain.remove(oldest.cookie.domain());
        }
    }

    private static Entry earliest(Iterable<Entry> entries) {
        Entry earliest = null;
        for (Entry e : entries) {
            if (earliest == null || e.sequence < earliest.sequence) earliest = e;
        }
        if (earliest == null) throw new IllegalStateException("no cookie to evict");
        return earliest;
    }

    private static int removeExpired(Map<Key, Entry> cookies, Instant now) {
        int removed = 0;
        for (Iterator<Entry> it = cookies.values().iterator(); it.hasNext(); ) {
            if (it.next().cookie.isExpired(now)) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    @Override
    public List<Cookie> all() {
        Instant now = clock.instant();
        List<Cookie> all = new ArrayList<>();
        synchronized (lock) {
            for (Map<Key, Entry> cookies : byDomain.values()) {
                for (Entry e : cookies.values()) {
                    if (!e.cookie.isExpired(now)) all.add(e.cookie);
                }
            }
        }
        return all;
    }

    @Override
    public void clear() {
        synchronized (lock) {
            byDomain.clear();
            size = 0;
        }
    }

    /** The Domain attribute in ASCII (an IDN converted), or null when it is no valid name. */
    private static @Nullable String ascii(String domain) {
        if (domain.endsWith(".")) return null; // "example.com." names no host a request has
        for (int i = 0; i < domain.length(); i++) {
            if (domain.charAt(i) >= 0x80) {
                try {
                    return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
                } catch (IllegalArgumentException notAName) {
                    return null;
                }
            }
        }
        return domain;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    @Override
    public String toString() {
        return "CookieStore.inMemory[" + size + " cookies]";
    }
}
