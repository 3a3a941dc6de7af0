package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The in-memory store's RFC 6265bis storage and retrieval rules, on a manual clock, without a network. */
class InMemoryCookieStoreTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-10T12:00:00Z"));
    private final CookieStore store = CookieStore.inMemory(clock);

    private void set(String url, String... setCookies) {
        store.store(URI.create(url), List.of(setCookies));
    }

    /** The Cookie header a request to {@code url} would carry, or "" for none. */
    private String sent(String url) {
        return store.cookiesFor(URI.create(url)).stream().map(Cookie::pair).collect(Collectors.joining("; "));
    }

    @Test
    void aHostOnlyCookieGoesBackToItsHostAlone() {
        set("http://shop.example.com/cart", "sid=1");
        assertThat(sent("http://shop.example.com/cart")).isEqualTo("sid=1");
        assertThat(sent("http://api.shop.example.com/cart")).isEmpty();
        assertThat(sent("http://other.example.com/cart")).isEmpty();
        Cookie sid = store.all().get(0);
        assertThat(sid.hostOnly()).isTrue();
        assertThat(sid.domain()).isEqualTo("shop.example.com");
    }

    @Test
    void aDomainCookieGoesToSubdomainsButOnlyFromADomainTheServerIsIn() {
        set("http://shop.example.com/", "wide=1; Domain=example.com", "foreign=1; Domain=evil.com");
        set("http://shop.example.com/", "sibling=1; Domain=other.example.com");
        assertThat(sent("http://api.example.com/")).isEqualTo("wide=1");
        assertThat(sent("http://example.com/")).isEqualTo("wide=1");
        assertThat(sent("http://evil.com/")).isEmpty();
        assertThat(sent("http://other.example.com/")).isEqualTo("wide=1");
        assertThat(sent("http://notexample.com/")).isEmpty();
    }

    @Test
    void aDomainThatIsAPublicSuffixIsRefused() {
        set("http://shop.example.com/", "a=1; Domain=com");
        set("http://shop.example.co.uk/", "b=1; Domain=co.uk", "c=1; Domain=example.co.uk");
        set("http://me.github.io/", "d=1; Domain=github.io");
        set("http://a.b.kawasaki.jp/", "e=1; Domain=b.kawasaki.jp"); // *.kawasaki.jp
        assertThat(sent("http://other.com/")).isEmpty();
        assertThat(sent("http://other.co.uk/")).isEmpty();
        assertThat(sent("http://www.example.co.uk/")).isEqualTo("c=1");
        assertThat(sent("http://you.github.io/")).isEmpty();
        assertThat(sent("http://c.b.kawasaki.jp/")).isEmpty();
        assertThat(store.all()).extracting(Cookie::name).containsExactly("c");
    }

    @Test
    void aPublicSuffixThatIsTheHostItselfMakesAHostOnlyCookie() {
        set("http://github.io/", "a=1; Domain=github.io");
        set("http://localhost/", "b=1; Domain=localhost");
        assertThat(sent("http://github.io/")).isEqualTo("a=1");
        assertThat(sent("http://me.github.io/")).isEmpty();
        assertThat(sent("http://localhost/")).isEqualTo("b=1");
        assertThat(store.all()).allMatch(Cookie::hostOnly);
    }

    @Test
    void anIpAddressHostGetsHostOnlyCookiesAndNoDomainOfAnotherAddress() {
        set("http://127.0.0.1:8080/", "a=1", "b=1; Domain=127.0.0.1", "c=1; Domain=0.0.1", "d=1; Domain=0.0.0.1");
        set("http://[::1]:8080/", "v6=1");
        assertThat(sent("http://127.0.0.1:9090/")).as("cookies ignore the port").isEqualTo("a=1; b=1");
        assertThat(sent("http://10.0.0.1/")).isEmpty();
        assertThat(sent("http://[::1]/")).isEqualTo("v6=1");
        assertThat(store.all()).allMatch(Cookie::hostOnly);
    }

    @Test
    void anInternationalDomainIsComparedInItsAsciiForm() {
        set("http://shop.xn--bcher-kva.example/", "a=1; Domain=bücher.example");
        assertThat(sent("http://xn--bcher-kva.example/")).isEqualTo("a=1");
    }

    @Test
    void pathsMatchByPrefixAtSlashBoundariesLongestFirst() {
        set("http://h.example/docs/a", "root=1; Path=/", "docs=2; Path=/docs", "slash=3; Path=/docs/");
        assertThat(sent("http://h.example/docs/guide")).isEqualTo("slash=3; docs=2; root=1");
        assertThat(sent("http://h.example/docs")).isEqualTo("docs=2; root=1");
        assertThat(sent("http://h.example/docsearch")).isEqualTo("root=1");
        assertThat(sent("http://h.example")).isEqualTo("root=1");
    }

    @Test
    void equalPathsGoInTheOrderTheyWereCreatedAndAReplacementKeepsItsPlace() {
        set("http://h.example/", "first=1");
        clock.advance(Duration.ofSeconds(1));
        set("http://h.example/", "second=1");
        clock.advance(Duration.ofSeconds(1));
        set("http://h.example/", "first=2");
        assertThat(sent("http://h.example/")).isEqualTo("first=2; second=1");
        assertThat(store.all())
                .filteredOn(c -> c.name().equals("first"))
                .extracting(Cookie::created)
                .containsExactly(Instant.parse("2026-01-10T12:00:00Z"));
    }

    @Test
    void theDefaultPathIsTheRequestsDirectory() {
        set("http://h.example/app/login?next=x", "s=1");
        set("http://h.example/top", "t=1", "r=1; Path=relative");
        assertThat(sent("http://h.example/app/home")).isEqualTo("s=1; t=1; r=1");
        assertThat(sent("http://h.example/app")).isEqualTo("s=1; t=1; r=1");
        assertThat(sent("http://h.example/other")).isEqualTo("t=1; r=1");
    }

    @Test
    void secureCookiesAreSetAndSentOverHttpsOnly() {
        set("http://h.example/", "insecure=1; Secure");
        set("https://h.example/", "s=1; Secure");
        assertThat(sent("http://h.example/")).isEmpty();
        assertThat(sent("https://h.example/")).isEqualTo("s=1");
    }

    @Test
    void plainHttpCannotOverwriteOrShadowASecureCookie() {
        set("https://h.example/", "s=secret; Secure; Path=/");
        set("http://h.example/", "s=forged", "s=forged2; Path=/deeper", "s=wide; Domain=h.example");
        assertThat(sent("https://h.example/deeper")).isEqualTo("s=secret");
        set("https://h.example/", "s=rotated");
        assertThat(sent("https://h.example/")).as("https may replace it").isEqualTo("s=rotated");
    }

    @Test
    void sameSiteIsKeptAndDoesNotStopAClientSendingButNoneNeedsSecure() {
        set("https://h.example/", "strict=1; SameSite=Strict", "lax=1; SameSite=Lax", "none=1; SameSite=None; Secure");
        set("http://h.example/", "insecureNone=1; SameSite=None");
        assertThat(sent("https://h.example/")).isEqualTo("strict=1; lax=1; none=1");
        assertThat(store.all())
                .extracting(Cookie::sameSite)
                .containsExactlyInAnyOrder(Cookie.SameSite.STRICT, Cookie.SameSite.LAX, Cookie.SameSite.NONE);
    }

    @Test
    void httpOnlyAndPartitionedAreKeptAndSent() {
        set("https://h.example/", "h=1; HttpOnly", "p=1; Secure; Partitioned");
        assertThat(sent("https://h.example/")).isEqualTo("h=1; p=1");
        assertThat(store.all())
                .filteredOn(Cookie::httpOnly)
                .extracting(Cookie::name)
                .containsExactly("h");
        assertThat(store.all())
                .filteredOn(Cookie::partitioned)
                .extracting(Cookie::name)
                .containsExactly("p");
    }

    @Test
    void cookiesExpireOnTheClockByMaxAgeOrExpires() {
        set("http://h.example/", "short=1; Max-Age=60", "dated=1; Expires=Sat, 10 Jan 2026 12:02:00 GMT", "session=2");
        clock.advance(Duration.ofSeconds(59));
        assertThat(sent("http://h.example/")).isEqualTo("short=1; dated=1; session=2");
        clock.advance(Duration.ofSeconds(2));
        assertThat(sent("http://h.example/")).isEqualTo("dated=1; session=2");
        clock.advance(Duration.ofMinutes(1));
        assertThat(sent("http://h.example/")).isEqualTo("session=2");
        assertThat(store.all()).extracting(Cookie::persistent).containsExactly(false);
    }

    @Test
    void noCookieLivesPast400Days() {
        set("http://h.example/", "forever=1; Max-Age=99999999999999999999");
        clock.advance(Duration.ofDays(400).minusSeconds(1));
        assertThat(sent("http://h.example/")).isEqualTo("forever=1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(sent("http://h.example/")).isEmpty();
    }

    @Test
    void aLaterCookieReplacesByNameDomainAndPathOrDeletesWithAPastExpiry() {
        set("http://h.example/", "a=1", "b=1", "c=1", "d=1; Path=/x");
        set("http://h.example/", "a=2", "b=gone; Max-Age=0", "c=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        set("http://h.example/", "d=gone; Max-Age=0");
        assertThat(sent("http://h.example/x"))
                .as("d has another path: not deleted")
                .isEqualTo("d=1; a=2");
    }

    @Test
    void theSecurePrefixNeedsSecureAndTheHostPrefixAlsoHostOnlyAndPathSlash() {
        set("http://h.example/", "__Secure-a=1");
        set("https://h.example/", "__Secure-b=1", "__Secure-c=1; Secure", "__secure-d=1");
        set("https://www.h.example/", "__Host-e=1; Secure; Path=/; Domain=h.example");
        set("https://www.h.example/", "__Host-f=1; Secure", "__Host-g=1; Secure; Path=/docs");
        set("https://www.h.example/", "__Host-h=1; Secure; Path=/", "__HOST-i=1; Path=/");
        set("https://www.h.example/", "__Host-k; Secure; Path=/", "__Secure-l; Secure");
        assertThat(store.all()).extracting(Cookie::name).containsExactlyInAnyOrder("__Secure-c", "__Host-h");
    }

    @Test
    void aNamelessCookieIsSentAsItsValue() {
        set("http://h.example/", "token-only", "a=1");
        assertThat(sent("http://h.example/")).isEqualTo("token-only; a=1");
        set("http://h.example/", "replaced");
        assertThat(sent("http://h.example/")).isEqualTo("replaced; a=1");
    }

    @Test
    void aDomainKeepsAtMost180CookiesDroppingTheEarliest() {
        for (int i = 0; i < 200; i++) set("http://h.example/", "c" + i + "=1");
        assertThat(store.all()).hasSize(InMemoryCookieStore.MAX_PER_DOMAIN);
        assertThat(store.all())
                .extracting(Cookie::name)
                .doesNotContain("c0", "c19")
                .contains("c20", "c199");
    }

    @Test
    void theStoreKeepsAtMost3000CookiesInAll() {
        for (int d = 0; d < 20; d++) {
            for (int i = 0; i < 160; i++) set("http://h" + d + ".example/", "c" + i + "=1");
        }
        assertThat(store.all()).hasSize(InMemoryCookieStore.MAX_TOTAL);
        assertThat(sent("http://h0.example/"))
                .as("the earliest stored went first")
                .isEmpty();
        assertThat(sent("http://h19.example/").split("; ")).hasSize(160);
    }

    @Test
    void clearForgetsEverything() {
        set("http://h.example/", "a=1");
        store.clear();
        assertThat(store.all()).isEmpty();
        assertThat(sent("http://h.example/")).isEmpty();
    }

    @Test
    void aCookieMatchesByHostPathAndScheme() {
        Cookie c = Cookie.builder("a", "1", "example.com")
                .hostOnly(false)
                .path("/docs")
                .secure(true)
                .build();
        assertThat(c.matches(URI.create("https://www.example.com/docs/x"))).isTrue();
        assertThat(c.matches(URI.create("http://www.example.com/docs/x"))).isFalse();
        assertThat(c.matches(URI.create("https://www.example.com/doc"))).isFalse();
        assertThat(c.matches(URI.create("https://badexample.com/docs"))).isFalse();
        assertThat(c.toString()).isEqualTo("a=1; Domain=example.com; Path=/docs; Secure");
    }

    @Test
    void theDomainMatchRuleTreatsAnIpAsItselfOnly() {
        assertThat(CookieRules.domainMatches("10.0.0.1", "0.0.1")).isFalse();
        assertThat(CookieRules.domainMatches("10.0.0.1", "10.0.0.1")).isTrue();
        assertThat(CookieRules.domainMatches("a.b.example", "b.example")).isTrue();
        assertThat(CookieRules.domainMatches("ab.example", "b.example")).isFalse();
    }

    static final class ManualClock extends Clock {
        private volatile Instant now;

        ManualClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
