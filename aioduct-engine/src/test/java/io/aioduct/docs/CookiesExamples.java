package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.Cookie;
import io.aioduct.policy.CookieStore;
import io.aioduct.testing.EngineTest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The code of docs/cookies.md, run. */
class CookiesExamples extends EngineTest {

    @Test
    void oneSwitchTurnsCookiesOn() {
        server.route("/login", (req, ex) -> ex.respond(204, new byte[0], "Set-Cookie", "session=s1; Path=/; HttpOnly"));
        server.route("/home", (req, ex) -> ex.respond(200, String.valueOf(req.header("Cookie"))));
        String base = server.uri("");
        // tag::enable[]
        try (HttpEngine engine = Aioduct.pooled()) {
            CookieStore cookies = CookieStore.inMemory();
            AioductClient client =
                    AioductClient.builder(engine).cookieStore(cookies).build();

            client.get(base + "/login").execute().close(); // Set-Cookie: session=s1; Path=/; HttpOnly
            try (Response home = client.get(base + "/home").execute()) { // Cookie: session=s1
                System.out.println(home.body().string());
            }
            for (Cookie c : cookies.all()) {
                System.out.println(c); // session=s1; Path=/; HttpOnly
            }
            cookies.clear(); // log out
            // end::enable[]
            assertThat(client.get(base + "/home").execute().body().string()).isEqualTo("null");
        }
    }

    @Test
    void aStoreOnAClockOfYourOwn() {
        // tag::clock[]
        Instant start = Instant.parse("2026-01-10T12:00:00Z");
        CookieStore store = CookieStore.inMemory(Clock.fixed(start, ZoneOffset.UTC));
        store.store(
                URI.create("https://shop.example.com/cart"),
                List.of(
                        "cart=42; Max-Age=60", // expires a minute after start
                        "wide=1; Domain=example.com", // sent to example.com and its subdomains
                        "evil=1; Domain=com")); // refused: com is a public suffix
        List<Cookie> sent = store.cookiesFor(URI.create("https://api.example.com/"));
        // [wide=1; Domain=example.com; Path=/]
        // end::clock[]
        assertThat(sent).extracting(Cookie::pair).containsExactly("wide=1");
        assertThat(store.cookiesFor(URI.create("https://shop.example.com/x")))
                .extracting(Cookie::pair)
                .containsExactly("cart=42", "wide=1");
        CookieStore later = CookieStore.inMemory(Clock.fixed(start.plus(Duration.ofMinutes(2)), ZoneOffset.UTC));
        assertThat(later.cookiesFor(URI.create("https://shop.example.com/x"))).isEmpty();
    }
}
