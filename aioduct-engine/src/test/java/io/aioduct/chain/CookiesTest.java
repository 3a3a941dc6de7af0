package io.aioduct.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.policy.CookieStore;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The cookie bridge inside the chain, hop by hop, against a scripted "network": each hop gets the cookies
 * for its own URI (a rotated session, a path-scoped cookie), the caller's own Cookie header survives a
 * same-origin hop and is dropped with the header on a cross-origin one. The follow-up here builds hops the
 * way the redirect policy does: a new request with the headers copied (Cookie only within the origin) and
 * the attributes copied.
 */
class CookiesTest {
    private final CookieStore store = CookieStore.inMemory();
    /** URL -> the response headers the "server" answers with (a Location makes it a 302). */
    private final Map<String, String[]> script = new LinkedHashMap<>();
    /** The Cookie header of every request that reached the network, "-" for none. */
    private final List<String> sent = new ArrayList<>();

    private final FollowUp followLocation = (call, request, response) -> {
        String location = response.headers().first("Location");
        if (location == null) return null;
        URI target = request.uri().resolve(location);
        boolean crossOrigin = !target.getHost().equals(request.uri().getHost())
                || target.getPort() != request.uri().getPort();
        Request.Builder next = Request.builder("GET", target);
        request.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("cookie") || !crossOrigin) next.header(name, value);
        });
        request.attributes().forEach(next::attribute);
        return FollowUp.Next.now(next.build());
    };

    private final FollowUps chain = new FollowUps(List.of(followLocation), List.of(new Cookies(store)), new Delays() {
        @Override
        public CompletionStage<Void> after(Duration delay) {
            throw new AssertionError("no follow-up here waits");
        }

        @Override
        public void sleep(Duration delay) {
            throw new AssertionError("no follow-up here waits");
        }
    });

    private void on(String url, String... headers) {
        script.put(url, headers);
    }

    private Response call(Request request) {
        return chain.run(
                        request,
                        r -> {
                            sent.add(String.valueOf(r.headers().first("Cookie")).replace("null", "-"));
                            String[] headers = script.getOrDefault(r.uri().toString(), new String[0]);
                            HttpHeaders.Builder h = HttpHeaders.builder();
                            boolean redirect = false;
                            for (int i = 0; i < headers.length; i += 2) {
                                h.add(headers[i], headers[i + 1]);
                                redirect |= headers[i].equals("Location");
                            }
                            return CompletableFuture.completedFuture(Response.builder(r, redirect ? 302 : 200)
                                    .headers(h.build())
                                    .build());
                        },
                        true)
                .toCompletableFuture()
                .join();
    }

    private Response get(String url, @Nullable String cookie) {
        Request.Builder b = Request.builder("GET", url);
        if (cookie != null) b.header("Cookie", cookie);
        return call(b.build());
    }

    @Test
    void aSessionRotatedByARedirectIsSentNewOnTheNextHop() {
        store.store(URI.create("http://h.example/"), List.of("session=old"));
        on("http://h.example/login", "Location", "/home", "Set-Cookie", "session=new");
        get("http://h.example/login", null).close();
        assertThat(sent).containsExactly("session=old", "session=new");
    }

    @Test
    void eachHopGetsTheCookiesOfItsOwnPath() {
        store.store(URI.create("http://h.example/a/x"), List.of("scoped=1; Path=/a"));
        on("http://h.example/a/x", "Location", "/b/y");
        get("http://h.example/a/x", null).close();
        assertThat(sent).containsExactly("scoped=1", "-");
    }

    @Test
    void theCallersCookieStaysWithinTheOriginAndTheNewOriginGetsItsOwn() {
        store.store(URI.create("http://other.example/"), List.of("theirs=1"));
        on("http://h.example/start", "Location", "/same", "Set-Cookie", "mine=1");
        on("http://h.example/same", "Location", "http://other.example/landing");
        get("http://h.example/start", "caller=1").close();
        assertThat(sent).containsExactly("caller=1", "caller=1; mine=1", "theirs=1");
    }

    @Test
    void aRequestWithoutCookiesPassesUntouched() {
        Request request = Request.builder("GET", "http://h.example/").build();
        assertThat(new Cookies(store).prepare(request)).isSameAs(request);
    }
}
