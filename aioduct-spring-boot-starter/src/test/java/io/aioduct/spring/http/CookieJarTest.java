package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.HttpHeaders;
import io.aioduct.Interceptor;
import io.aioduct.Request;
import io.aioduct.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The cookie jar's RFC 6265 rules, with an injected clock and a fake next hop instead of a network. */
class CookieJarTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T12:00:00Z"));
    private final CookieJar jar = new CookieJar(clock);

    /** Sends {@code url} through the jar; the "server" answers with {@code setCookies}. Returns the Cookie sent. */
    private String exchange(String url, String... setCookies) {
        AtomicReference<String> sent = new AtomicReference<>();
        Request request = Request.builder("GET", url).build();
        jar.intercept(new Interceptor.Chain() {
                    @Override
                    public Request request() {
                        return request;
                    }

                    @Override
                    public CompletionStage<Response> proceed(Request r) {
                        sent.set(r.headers().first("Cookie"));
                        HttpHeaders.Builder h = HttpHeaders.builder();
                        for (String c : setCookies) h.add("Set-Cookie", c);
                        return CompletableFuture.completedFuture(
                                Response.builder(r, 200).headers(h.build()).build());
                    }
                })
                .toCompletableFuture()
                .join();
        return sent.get();
    }

    @Test
    void aCookieSetIsSentBackToTheSameHost() {
        assertThat(exchange("http://shop.example.com/cart", "sid=1")).isNull();
        assertThat(exchange("http://shop.example.com/cart")).isEqualTo("sid=1");
        assertThat(exchange("http://other.example.com/cart")).isNull();
    }

    @Test
    void aDomainCookieGoesToSubdomainsButOnlyFromADomainTheServerIsIn() {
        exchange("http://shop.example.com/", "wide=1; Domain=example.com", "foreign=1; Domain=evil.com");
        assertThat(exchange("http://api.example.com/")).isEqualTo("wide=1");
        assertThat(exchange("http://evil.com/")).isNull();
    }

    @Test
    void pathsMatchByPrefixAtSlashBoundariesLongestFirst() {
        exchange("http://h.example/docs/a", "root=1; Path=/", "docs=2; Path=/docs");
        assertThat(exchange("http://h.example/docs/guide")).isEqualTo("docs=2; root=1");
        assertThat(exchange("http://h.example/docsearch")).isEqualTo("root=1");
    }

    @Test
    void theDefaultPathIsTheRequestsDirectory() {
        exchange("http://h.example/app/login?next=x", "s=1");
        assertThat(exchange("http://h.example/app/home")).isEqualTo("s=1");
        assertThat(exchange("http://h.example/other")).isNull();
    }

    @Test
    void secureCookiesTravelOverHttpsOnly() {
        exchange("https://h.example/", "s=1; Secure");
        assertThat(exchange("http://h.example/")).isNull();
        assertThat(exchange("https://h.example/")).isEqualTo("s=1");
    }

    @Test
    void cookiesExpireByMaxAgeOnTheClock() {
        exchange("http://h.example/", "short=1; Max-Age=60", "session=2");
        clock.advance(Duration.ofSeconds(59));
        assertThat(exchange("http://h.example/")).isEqualTo("short=1; session=2");
        clock.advance(Duration.ofSeconds(2));
        assertThat(exchange("http://h.example/")).isEqualTo("session=2");
    }

    @Test
    void aMaxAgeTooLargeForAnInstantKeepsTheCookieForever() {
        exchange("http://h.example/", "forever=1; Max-Age=99999999999999999999", "long=2; Max-Age=9223372036854775807");
        clock.advance(Duration.ofDays(365L * 1000));
        assertThat(exchange("http://h.example/")).isEqualTo("forever=1; long=2");
    }

    @Test
    void aLaterCookieReplacesOrDeletesAnEarlierOne() {
        exchange("http://h.example/", "a=1", "b=1");
        exchange("http://h.example/", "a=2", "b=gone; Max-Age=0");
        assertThat(exchange("http://h.example/")).isEqualTo("a=2");
    }

    @Test
    void theRequestsOwnCookiesAreKept() {
        exchange("http://h.example/", "jar=1");
        AtomicReference<String> sent = new AtomicReference<>();
        Request own = Request.builder("GET", "http://h.example/")
                .header("Cookie", "own=1")
                .build();
        jar.intercept(new Interceptor.Chain() {
            @Override
            public Request request() {
                return own;
            }

            @Override
            public CompletionStage<Response> proceed(Request r) {
                sent.set(r.headers().first("Cookie"));
                return CompletableFuture.completedFuture(
                        Response.builder(r, 200).headers(HttpHeaders.empty()).build());
            }
        });
        assertThat(sent.get()).isEqualTo("own=1; jar=1");
    }

    @Test
    void anIpAddressHostMatchesOnlyItself() {
        assertThat(CookieJar.domainMatches("10.0.0.1", "0.0.1")).isFalse();
        assertThat(CookieJar.domainMatches("10.0.0.1", "10.0.0.1")).isTrue();
        assertThat(CookieJar.domainMatches("a.b.example", "b.example")).isTrue();
        assertThat(CookieJar.domainMatches("ab.example", "b.example")).isFalse();
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
