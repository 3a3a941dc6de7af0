package io.aioduct.chain;

import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.policy.Cookie;
import io.aioduct.policy.CookieStore;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The cookie bridge: every request the chain sends gets the {@code Cookie} header its {@link CookieStore}
 * gives for the request's URI, and every {@code Set-Cookie} of every response received (each redirect hop's
 * included) goes to the store before any follow-up looks at the response.
 *
 * <p>A {@code Cookie} header the caller set is kept: its pairs come first, then the store's cookies of other
 * names, all in one header (RFC 6265bis 5.8.3 says one), so on a clash of names the caller's value wins. The
 * bridge remembers, in a request attribute, which part of the header was the caller's: when a follow-up is
 * built from a request the bridge prepared, that hop's store cookies are computed afresh for its own URI
 * instead of being taken for the caller's; if the follow-up dropped the header (a cross-origin redirect),
 * the caller's part is gone with it. Thread-safe as its store is.
 */
public final class Cookies implements Bridge {
    /** The request attribute holding what the bridge last did to the Cookie header ({@link Added}). */
    static final String ADDED = "io.aioduct.chain.Cookies.added";

    /** The header the bridge wrote, and the caller's part of it (empty when the caller set none). */
    private record Added(String header, String caller) {}

    private final CookieStore store;

    public Cookies(CookieStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public Request prepare(Request request) {
        String caller = callerCookies(request);
        List<Cookie> cookies = store.cookiesFor(request.uri());
        if (cookies.isEmpty() && request.attribute(ADDED) == null) return request;
        String header = merge(caller, cookies);
        Request.Builder b = request.toBuilder().attribute(ADDED, new Added(header, caller));
        if (header.isEmpty()) {
            b.removeHeader("Cookie");
        } else {
            b.setHeader("Cookie", header);
        }
        return b.build();
    }

    /** The caller's own cookies: the header as it stands, unless the bridge wrote it on an earlier hop. */
    private static String callerCookies(Request request) {
        List<String> values = request.headers().all("Cookie");
        String header = String.join("; ", values);
        if (request.attribute(ADDED) instanceof Added added) {
            if (values.isEmpty()) return ""; // a follow-up dropped it: the caller's cookies went with it
            if (header.equals(added.header)) return added.caller;
        }
        return header;
    }

    private static String merge(String caller, List<Cookie> cookies) {
        if (cookies.isEmpty()) return caller;
        Set<String> callerNames = names(caller);
        StringBuilder header = new StringBuilder(caller);
        for (Cookie c : cookies) {
            if (callerNames.contains(c.name())) continue;
            if (!header.isEmpty()) header.append("; ");
            header.append(c.pair());
        }
        return header.toString();
    }

    private static Set<String> names(String header) {
        if (header.isEmpty()) return Set.of();
        Set<String> names = new HashSet<>();
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            names.add((eq < 0 ? "" : pair.substring(0, eq)).strip());
        }
        return names;
    }

    @Override
    public Response received(Request sent, Response response) {
        List<String> setCookies = response.headers().all("Set-Cookie");
        if (!setCookies.isEmpty()) store.store(sent.uri(), setCookies);
        return response;
    }

    @Override
    public String toString() {
        return "Cookies[" + store + "]";
    }
}
