package io.aioduct.policy;

import io.aioduct.Request;
import java.net.URI;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * Which redirects a client follows (301, 302, 303, 307, 308), and how far. The default, {@link #normal()},
 * follows up to {@value #DEFAULT_MAX_HOPS} hops and never from https to http (that 3xx is handed back
 * as it is); {@link #always()} also follows downgrades; {@link #never()} hands every 3xx back. Immutable:
 * each {@code with}-method returns a new policy.
 */
public final class RedirectPolicy {
    /** The most hops followed for one call by default, as in OkHttp and Chrome. */
    public static final int DEFAULT_MAX_HOPS = 20;

    private static final BiPredicate<Request, URI> ANY = (request, target) -> true;
    private static final RedirectPolicy NEVER = new RedirectPolicy(0, false, ANY, false);
    private static final RedirectPolicy NORMAL = new RedirectPolicy(DEFAULT_MAX_HOPS, false, ANY, false);

    private final int maxHops;
    private final boolean allowDowngrade;
    private final BiPredicate<Request, URI> filter;
    private final boolean referer;

    private RedirectPolicy(int maxHops, boolean allowDowngrade, BiPredicate<Request, URI> filter, boolean referer) {
        this.maxHops = maxHops;
        this.allowDowngrade = allowDowngrade;
        this.filter = filter;
        this.referer = referer;
    }

    /** Follows no redirect: every 3xx is the call's response. */
    public static RedirectPolicy never() {
        return NEVER;
    }

    /** The default: up to {@value #DEFAULT_MAX_HOPS} hops, never from https to http. */
    public static RedirectPolicy normal() {
        return NORMAL;
    }

    /** Like {@link #normal()}, but also follows a redirect from https to http. */
    public static RedirectPolicy always() {
        return NORMAL.withDowngrade(true);
    }

    /**
     * At most {@code hops} redirects per call; one more fails the call with an error naming the limit and
     * the last location. Zero is {@link #never()}.
     */
    public RedirectPolicy withMaxHops(int hops) {
        if (hops < 0) throw new IllegalArgumentException("maxHops must be >= 0, was " + hops);
        return new RedirectPolicy(hops, allowDowngrade, filter, referer);
    }

    /** Whether a redirect from https to http is followed. */
    public RedirectPolicy withDowngrade(boolean allow) {
        return new RedirectPolicy(maxHops, allow, filter, referer);
    }

    /**
     * Follows a redirect only when {@code filter} accepts the request that got it and the target URI (after
     * the built-in rules); a refused redirect is handed back as the response. Must be fast and thread-safe.
     */
    public RedirectPolicy withFilter(BiPredicate<Request, URI> filter) {
        return new RedirectPolicy(maxHops, allowDowngrade, Objects.requireNonNull(filter, "filter"), referer);
    }

    /**
     * Whether each hop sends a {@code Referer} naming the URI that redirected (without its fragment and
     * user info, and never from https to http); off by default.
     */
    public RedirectPolicy withReferer(boolean send) {
        return new RedirectPolicy(maxHops, allowDowngrade, filter, send);
    }

    public int maxHops() {
        return maxHops;
    }

    public boolean allowsDowngrade() {
        return allowDowngrade;
    }

    public BiPredicate<Request, URI> filter() {
        return filter;
    }

    public boolean sendsReferer() {
        return referer;
    }

    /** True when no redirect is ever followed. */
    public boolean isNever() {
        return maxHops == 0;
    }

    @Override
    public String toString() {
        return "RedirectPolicy[maxHops=" + maxHops + ", downgrade=" + allowDowngrade + ", referer=" + referer
                + (filter == ANY ? "" : ", filtered") + "]";
    }
}
