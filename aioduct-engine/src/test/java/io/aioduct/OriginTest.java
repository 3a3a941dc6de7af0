package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OriginTest {

    @Test
    void originsDifferingOnlyInCaseAreEqualWithEqualHashCodes() {
        Origin a = new Origin("HTTP", "Example.COM", 8080);
        Origin b = new Origin("http", "example.com", 8080);

        assertThat(a).isEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        assertThat(a.scheme()).isEqualTo("http");
        assertThat(a.host()).isEqualTo("example.com");
    }

    @Test
    void schemeHostAndPortEachMatter() {
        Origin base = new Origin("http", "example.com", 80);

        assertThat(base).isNotEqualTo(new Origin("https", "example.com", 80));
        assertThat(base).isNotEqualTo(new Origin("http", "example.org", 80));
        assertThat(base).isNotEqualTo(new Origin("http", "example.com", 81));
        assertThat(base).isNotEqualTo("http://example.com:80");
        assertThat(base).isNotEqualTo(null);
    }

    @Test
    void aUrlWithAnExplicitDefaultPortHasTheSameOriginAsOneWithout() {
        assertThat(Request.builder("GET", "http://h:80/").build().origin())
                .isEqualTo(Request.builder("GET", "http://h/").build().origin());
        assertThat(Request.builder("GET", "https://h:443/").build().origin())
                .isEqualTo(Request.builder("GET", "https://h/").build().origin());
    }

    @ParameterizedTest
    @CsvSource({
        "http, example.com, 80, example.com",
        "http, example.com, 8080, example.com:8080",
        "https, example.com, 443, example.com",
        "https, example.com, 80, example.com:80",
        "http, example.com, 443, example.com:443",
        "http, ::1, 80, [::1]",
        "https, 2001:db8::1, 8443, [2001:db8::1]:8443",
        "HTTPS, EXAMPLE.com, 443, example.com"
    })
    void hostHeaderOmitsTheDefaultPortAndBracketsIpv6(String scheme, String host, int port, String expected) {
        assertThat(new Origin(scheme, host, port).hostHeader()).isEqualTo(expected);
    }

    @Test
    void toStringAlwaysShowsThePort() {
        assertThat(new Origin("https", "example.com", 443)).hasToString("https://example.com:443");
        assertThat(new Origin("http", "::1", 8080)).hasToString("http://[::1]:8080");
    }

    @Test
    void secureOnlyForHttps() {
        assertThat(new Origin("https", "h", 443).secure()).isTrue();
        assertThat(new Origin("http", "h", 443).secure()).isFalse();
        assertThat(Origin.defaultPort("https")).isEqualTo(443);
        assertThat(Origin.defaultPort("http")).isEqualTo(80);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, Integer.MAX_VALUE})
    void rejectsAPortOutsideTheValidRange(int port) {
        assertThatThrownBy(() -> new Origin("http", "h", port))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port " + port + " is outside 1..65535");
    }

    @Test
    void rejectsNullSchemeOrHost() {
        assertThatThrownBy(() -> new Origin(null, "h", 80))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("scheme");
        assertThatThrownBy(() -> new Origin("http", null, 80))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("host");
    }
}
