package io.aioduct.spring.http;

import io.aioduct.AioductException;
import io.aioduct.HttpHeaders;
import io.aioduct.Interceptor;
import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.event.EventListener;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows redirects (301, 302, 303, 307, 308) the way browsers and the JDK client do: 303, and 301/302
 * after a POST, become a GET without a body; 307 and 308 repeat the method and the body, and are not
 * followed when the body cannot be sent again. HTTPS is never redirected to plain HTTP. Credentials
 * ({@code Authorization}, {@code Cookie}, {@code Proxy-Authorization}) are dropped when the origin
 * changes. After {@value #MAX_REDIRECTS} hops the exchange fails.
 *
 * <p>Each redirect response's body is drained in the background when it is small (so its connection
 * can be reused) or closed otherwise. Each redirect followed is reported to the listener it was given.
 * Stateless and thread-safe; it never blocks. Written against the engine's
 * {@link Interceptor} alone, so it can move into the engine's policy chain unchanged.
 */
public final class FollowRedirects implements Interceptor {
    /** The most hops followed for one request, as in OkHttp and Chrome. */
    public static final int MAX_REDIRECTS = 20;

    /** Redirect bodies up to this size are read and dropped so the connection stays reusable. */
    private static final long DRAIN_LIMIT = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(FollowRedirects.class);

    private final EventListener listener;

    /** Follows redirects, reporting none. */
    public FollowRedirects() {
        this(EventListener.NONE);
    }

    /**
     * Follows redirects and reports each one it follows to {@code listener} ({@link EventListener#redirect}),
     * normally the engine's own ({@code engine.config().eventListener()}), so redirects are counted with the
     * engine's other events.
     */
    public FollowRedirects(EventListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public CompletionStage<Response> intercept(Chain chain) {
        Request first = chain.request();
        return follow(chain, first, chain.proceed(first), 0);
    }

    private CompletionStage<Response> follow(Chain chain, Request sent, CompletionStage<Response> stage, int hops) {
        return stage.thenCompose(response -> {
            Request next;
            try {
                next = redirectFor(sent, response);
            } catch (RuntimeException e) {
                response.close();
                return CompletableFuture.failedFuture(e);
            }
            if (next == null) {
                return CompletableFuture.completedFuture(response);
            }
            if (hops >= MAX_REDIRECTS) {
                response.close();
                return CompletableFuture.failedFuture(new AioductException("too many redirects: gave up after "
                        + MAX_REDIRECTS + " hops, the last to " + next.uri() + " (from " + sent.uri() + ")"));
            }
            reportRedirect(sent, response.status(), next);
            discard(response);
            return follow(chain, next, chain.proceed(next), hops + 1);
        });
    }

    /** The request a redirect asks for, or null when {@code response} is not one this policy follows. */
    static @Nullable Request redirectFor(Request sent, Response response) {
        int status = response.status();
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            return null;
        }
        String location = response.headers().first("Location");
        if (location == null || location.isBlank()) {
            return null;
        }
        URI target;
        try {
            target = sent.uri().resolve(location.trim());
        } catch (IllegalArgumentException e) {
            return null; // an unparsable Location: hand the redirect itself to the caller
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        if (sent.origin().secure() && scheme.equals("http")) {
            return null;
        }
        boolean keepBody = status == 307 || status == 308;
        String method = sent.method();
        if (status == 303 && !method.equals("HEAD") || (status == 301 || status == 302) && method.equals("POST")) {
            method = "GET";
        }
        RequestBody body = keepBody ? sent.body() : null;
        if (body != null && !body.repeatable()) {
            return null;
        }
        Request.Builder next;
        try {
            next = Request.builder(method, target);
        } catch (IllegalArgumentException e) {
            return null;
        }
        Request built = next.build();
        copyHeaders(sent.headers(), next, !keepBody, !sameOrigin(sent.origin(), built.origin()));
        next.body(body);
        copyTimeouts(sent, next);
        // Attributes describe the caller's request (its URI template, that a Spring client sent it): every hop keeps
        // them.
        sent.attributes().forEach(next::attribute);
        return next.build();
    }

    /** A listener's failure never stops the redirect (EventListener's rule, kept here as the engine keeps it). */
    private void reportRedirect(Request sent, int status, Request next) {
        try {
            listener.redirect(sent, status, next.uri());
        } catch (RuntimeException e) {
            log.warn(
                    "aioduct: event listener {} failed on a redirect",
                    listener.getClass().getName(),
                    e);
        }
    }

    private static void copyHeaders(HttpHeaders headers, Request.Builder next, boolean dropBody, boolean crossOrigin) {
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i).toLowerCase(Locale.ROOT);
            boolean drop = switch (name) {
                case "content-length", "transfer-encoding" -> true;
                case "content-type", "content-encoding", "content-language", "content-location" -> dropBody;
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

    private static boolean sameOrigin(Origin a, Origin b) {
        return a.equals(b);
    }

    /**
     * Reads a small redirect body to its end in the background (its connection then goes back to the
     * pool), else closes it. Never waited for: in a blocking chain the next hop must start on the
     * caller's thread, not on the event loop that finishes the read.
     */
    private static void discard(Response response) {
        long length = response.body().contentLength();
        if (length < 0 || length > DRAIN_LIMIT) {
            response.close();
        } else {
            response.body().bytesAsync();
        }
    }
}
