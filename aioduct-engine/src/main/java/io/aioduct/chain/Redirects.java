package io.aioduct.chain;

import io.aioduct.AioductException;
import io.aioduct.HttpHeaders;
import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.event.EventListener;
import io.aioduct.policy.RedirectPolicy;
import io.aioduct.syntax.UrlParser;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Follows redirects (301, 302, 303, 307, 308) as {@link RedirectPolicy} allows; docs/redirects.md has the
 * rules with their sources. In short: the {@code Location} is made valid and resolved per RFC 3986 §5.2
 * ({@link Locations}); 303 turns any method but HEAD into a GET without body, 301 and 302 turn a POST into
 * one (RFC 9110 §15.4.2, §15.4.3: what every browser does), every other case repeats the method and the
 * body, and a body that cannot be sent again hands the 3xx back rather than send a request without it. A hop
 * to another origin drops the credentials; https to http is followed only when the policy allows it.
 *
 * <p>A redirect that is not followed is the call's response, untouched. One followed is reported to the
 * engine's listener ({@link EventListener#redirect}) and its body discarded ({@link FollowUpCall#discard}:
 * a small one is drained so the connection is reused). One more than {@link RedirectPolicy#maxHops()} fails
 * the call with an {@link AioductException} naming the limit and the location. Stateless and thread-safe.
 */
public final class Redirects implements FollowUp {
    /** The counter of hops followed in a call ({@link FollowUpCall#count}). */
    static final String HOPS = "redirect";

    private final RedirectPolicy policy;
    private final EventListener listener;

    /** Follows redirects as {@code policy} says, reporting each to {@code listener} (guarded here). */
    public Redirects(RedirectPolicy policy, EventListener listener) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.listener = EventListener.guarded(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public @Nullable Next onResponse(FollowUpCall call, Request sent, Response response) {
        Request next = redirectFor(sent, response);
        if (next == null) {
            return null;
        }
        URI target = next.uri();
        if (call.count(HOPS) >= policy.maxHops()) {
            throw new AioductException("too many redirects: the limit is " + policy.maxHops()
                    + " (RedirectPolicy.withMaxHops), and " + sent.uri() + " answered " + response.status()
                    + " again, to " + target + "; a redirect loop, or raise the limit");
        }
        call.increment(HOPS);
        listener.redirect(sent, response.status(), target);
        FollowUpCall.discard(response);
        return Next.now(next);
    }

    /** The request {@code response} redirects {@code sent} to, or null when it is not followed. */
    @Nullable
    Request redirectFor(Request sent, Response response) {
        int status = response.status();
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            return null;
        }
        String location = response.headers().first("Location");
        if (location == null || location.isBlank()) {
            return null; // RFC 9110 §15.4: no Location, nothing to follow; the caller gets the 3xx
        }
        Request.Builder builder;
        Origin to;
        boolean toGet;
        try {
            String target = Locations.resolve(base(sent), Locations.encode(location));
            String scheme = target.substring(0, target.indexOf(':'));
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return null;
            }
            toGet = status == 303 && !sent.method().equals("HEAD")
                    || (status == 301 || status == 302) && sent.method().equals("POST");
            to = UrlParser.parse(target).origin();
            builder = Request.builder(toGet ? "GET" : sent.method(), target);
            RequestBody body = toGet ? null : sent.body();
            if (body != null && !body.repeatable()) {
                return null; // sent once already: repeating the method without it would lose data
            }
            builder.body(body);
            var trailers = sent.trailers();
            if (body != null && trailers != null) builder.trailers(trailers);
        } catch (IllegalArgumentException unusable) {
            return null; // a Location no URI can be made of: the caller sees the 3xx and its header
        }
        boolean downgrade = sent.origin().secure() && !to.secure();
        if (downgrade && !policy.allowsDowngrade()) {
            return null;
        }
        copyHeaders(sent.headers(), builder, toGet, !sent.origin().equals(to));
        if (downgrade) {
            builder.removeHeader("Referer"); // RFC 9110 §10.1.3: never from https to http
        } else if (policy.sendsReferer()) {
            builder.setHeader("Referer", base(sent)); // a request URI has no fragment nor user info
        }
        copyTimeouts(sent, builder);
        // Attributes describe the caller's request (its URI template, that a Spring client sent it).
        sent.attributes().forEach(builder::attribute);
        Request next = builder.build();
        return policy.filter().test(sent, next.uri()) ? next : null;
    }

    private static String base(Request sent) {
        return sent.origin().scheme() + "://" + sent.origin().hostHeader() + sent.target();
    }

    /**
     * The sent request's headers minus those that must not follow: the framing (the client frames each
     * body itself), the body's description when the body is dropped, and the credentials and {@code Host}
     * when the origin changes (cookies for the new origin come from the cookie store, if any).
     */
    private static void copyHeaders(
            HttpHeaders headers, Request.Builder next, boolean bodyDropped, boolean crossOrigin) {
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i).toLowerCase(Locale.ROOT);
            boolean drop = switch (name) {
                case "content-length", "transfer-encoding" -> true;
                case "content-type", "content-encoding", "content-language", "content-location" -> bodyDropped;
                case "host", "authorization", "cookie", "proxy-authorization" -> crossOrigin;
                default -> false;
            };
            if (!drop) {
                next.header(headers.name(i), headers.value(i));
            }
        }
    }

    private static void copyTimeouts(Request sent, Request.Builder next) {
        Duration t;
        if ((t = sent.connectTimeout()) != null) next.connectTimeout(t);
        if ((t = sent.responseTimeout()) != null) next.responseTimeout(t);
        if ((t = sent.readTimeout()) != null) next.readTimeout(t);
        if ((t = sent.totalTimeout()) != null) next.totalTimeout(t);
    }
}
