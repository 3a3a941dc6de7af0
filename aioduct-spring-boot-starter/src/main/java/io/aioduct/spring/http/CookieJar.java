package io.aioduct.spring.http;

import io.aioduct.Interceptor;
import io.aioduct.Request;
import io.aioduct.Response;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the cookies responses set and sends them back with later requests they match, by the rules of
 * RFC 6265: host-only or domain cookies (a Domain the response host does not domain-match is refused),
 * path matching, Secure cookies over HTTPS only, expiry by Max-Age or Expires. Cookies a request
 * already carries are kept and the jar's appended in one {@code Cookie} header.
 *
 * <p>One jar per Spring client built with cookie handling on, in memory; no public-suffix list, so a
 * server may set a cookie for its parent domain. Thread-safe; never blocks. The clock is injectable.
 */
public final class CookieJar implements Interceptor {
    private final Clock clock;
    private final Map<Key, Stored> cookies = new LinkedHashMap<>();
    private long created;

    public CookieJar() {
        this(Clock.systemUTC());
    }

    public CookieJar(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<Response> intercept(Chain chain) {
        Request request = chain.request();
        return chain.proceed(withStoredCookies(request)).thenApply(response -> {
            store(response);
            return response;
        });
    }

    private Request withStoredCookies(Request request) {
        String jar = cookieHeader(request);
        if (jar.isEmpty()) {
            return request;
        }
        String own = String.join("; ", request.headers().all("Cookie"));
        return request.toBuilder()
                .setHeader("Cookie", own.isEmpty() ? jar : own + "; " + jar)
                .build();
    }

    /** The {@code name=value; ...} pairs to send with {@code request}, longest path first (RFC 6265 5.4). */
    synchronized String cookieHeader(Request request) {
        Instant now = clock.instant();
        String host = request.origin().host();
        String path = path(request.target());
        boolean secure = request.origin().secure();
        cookies.values().removeIf(c -> c.expires != null && !c.expires.isAfter(now));
        return cookies.values().stream()
                .filter(c -> c.hostOnly ? host.equals(c.domain) : domainMatches(host, c.domain))
                .filter(c -> pathMatches(path, c.path))
                .filter(c -> secure || !c.secure)
                .sorted(Comparator.comparingInt((Stored c) -> -c.path.length()).thenComparingLong(c -> c.created))
                .map(c -> c.name + "=" + c.value)
                .collect(Collectors.joining("; "));
    }

    private void store(Response response) {
        List<String> headers = response.headers().all("Set-Cookie");
        if (headers.isEmpty()) {
            return;
        }
        Request request = response.request();
        Instant now = clock.instant();
        List<SetCookie> parsed = new ArrayList<>(headers.size());
        for (String header : headers) {
            SetCookie c = SetCookie.parse(header, now);
            if (c != null) parsed.add(c);
        }
        synchronized (this) {
            for (SetCookie c : parsed) {
                store(c, request, now);
            }
        }
    }

    private void store(SetCookie c, Request request, Instant now) {
        String host = request.origin().host();
        boolean hostOnly = c.domain() == null;
        String domain = hostOnly ? host : c.domain();
        if (!hostOnly && !domainMatches(host, domain)) {
            return; // RFC 6265 5.3 step 6: a server may not set cookies for a domain it is not in
        }
        String path = c.path() != null ? c.path() : defaultPath(path(request.target()));
        Key key = new Key(c.name(), domain, path);
        if (c.maxAge() != null && c.maxAge().isZero()) {
            cookies.remove(key);
            return;
        }
        Instant expires = c.maxAge() == null ? null : expiry(now, c.maxAge());
        Stored old = cookies.get(key);
        long order = old != null ? old.created : created++;
        cookies.put(key, new Stored(c.name(), c.value(), domain, hostOnly, path, c.secure(), expires, order));
    }

    /** When a cookie of {@code maxAge} expires; a max-age beyond what an Instant holds never expires. */
    private static Instant expiry(Instant now, Duration maxAge) {
        try {
            return now.plus(maxAge);
        } catch (DateTimeException | ArithmeticException beyondTime) {
            return Instant.MAX;
        }
    }

    private static String path(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** RFC 6265 5.1.4: the directory of the request path. */
    private static String defaultPath(String path) {
        int last = path.lastIndexOf('/');
        return !path.startsWith("/") || last <= 0 ? "/" : path.substring(0, last);
    }

    /** RFC 6265 5.1.3; host names only, an IP address matches itself alone. */
    static boolean domainMatches(String host, String domain) {
        if (host.equals(domain)) {
            return true;
        }
        boolean ip = host.indexOf(':') >= 0 || host.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
        return !ip && host.endsWith(domain) && host.charAt(host.length() - domain.length() - 1) == '.';
    }

    /** RFC 6265 5.1.4. */
    static boolean pathMatches(String requestPath, String cookiePath) {
        return requestPath.equals(cookiePath)
                || requestPath.startsWith(cookiePath)
                        && (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/');
    }

    private record Key(String name, String domain, String path) {}

    private record Stored(
            String name,
            String value,
            String domain,
            boolean hostOnly,
            String path,
            boolean secure,
            @Nullable Instant expires,
            long created) {}
}
