package io.aioduct.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Resolving and encoding a {@code Location}: RFC 3986 §5.2 to the letter, and what servers really send. */
class LocationsTest {
    private static final String BASE = "http://a/b/c/d;p?q";

    /** RFC 3986 §5.4.1, every normal example ("g:h" is left out: its scheme is not http). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
            g       | http://a/b/c/g
            ./g     | http://a/b/c/g
            g/      | http://a/b/c/g/
            /g      | http://a/g
            //g     | http://g
            ?y      | http://a/b/c/d;p?y
            g?y     | http://a/b/c/g?y
            #s      | http://a/b/c/d;p?q#s
            g#s     | http://a/b/c/g#s
            g?y#s   | http://a/b/c/g?y#s
            ;x      | http://a/b/c/;x
            g;x     | http://a/b/c/g;x
            g;x?y#s | http://a/b/c/g;x?y#s
            ''      | http://a/b/c/d;p?q
            .       | http://a/b/c/
            ./      | http://a/b/c/
            ..      | http://a/b/
            ../     | http://a/b/
            ../g    | http://a/b/g
            ../..   | http://a/
            ../../  | http://a/
            ../../g | http://a/g
            """)
    void normalExamplesOfRfc3986(String reference, String expected) {
        assertThat(Locations.resolve(BASE, reference)).isEqualTo(expected);
    }

    /** RFC 3986 §5.4.2, the abnormal examples (strict parser). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ../../../g    | http://a/g
            ../../../../g | http://a/g
            /./g          | http://a/g
            /../g         | http://a/g
            g.            | http://a/b/c/g.
            .g            | http://a/b/c/.g
            g..           | http://a/b/c/g..
            ..g           | http://a/b/c/..g
            ./../g        | http://a/b/g
            ./g/.         | http://a/b/c/g/
            g/./h         | http://a/b/c/g/h
            g/../h        | http://a/b/c/h
            g;x=1/./y     | http://a/b/c/g;x=1/y
            g;x=1/../y    | http://a/b/c/y
            g?y/./x       | http://a/b/c/g?y/./x
            g?y/../x      | http://a/b/c/g?y/../x
            g#s/./x       | http://a/b/c/g#s/./x
            g#s/../x      | http://a/b/c/g#s/../x
            http:g        | http:g
            """)
    void abnormalExamplesOfRfc3986(String reference, String expected) {
        assertThat(Locations.resolve(BASE, reference)).isEqualTo(expected);
    }

    @Test
    void aQueryOnlyLocationKeepsThePath() {
        // java.net.URI.resolve gives http://h/dir/?page=2 here.
        assertThat(Locations.resolve("http://h/dir/list", "?page=2")).isEqualTo("http://h/dir/list?page=2");
        assertThat(Locations.resolve("http://h", "x")).isEqualTo("http://h/x");
        assertThat(Locations.resolve("https://h:8443/a/b", "HTTPS://Other/c")).isEqualTo("https://Other/c");
    }

    @Test
    void rawSpacesAndNonAsciiArePercentEncodedAsUtf8() {
        assertThat(Locations.encode("/a b/caf\u00e9?q=\u00fc ber#fr\u00e4g"))
                .isEqualTo("/a%20b/caf%C3%A9?q=%C3%BC%20ber#fr%C3%A4g");
        assertThat(Locations.encode("/emoji/\uD83D\uDE00")).isEqualTo("/emoji/%F0%9F%98%80");
        assertThat(Locations.encode("/x\"<>\\^`{|}[]")).isEqualTo("/x%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D");
    }

    @Test
    void utf8BytesInTheHeaderAreReadAsUtf8() {
        String wire = new String("/caf\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(Locations.encode(wire)).isEqualTo("/caf%C3%A9");
        assertThat(Locations.encode("/caf\u00e9"))
                .as("a Latin-1 byte that is not UTF-8")
                .isEqualTo("/caf%C3%A9");
    }

    @Test
    void existingEscapesAreNeverEncodedTwice() {
        assertThat(Locations.encode("/a%20b?c=%2F%e2%82%ac")).isEqualTo("/a%20b?c=%2F%e2%82%ac");
        assertThat(Locations.encode("/100%?x=%zz&y=%4")).isEqualTo("/100%25?x=%25zz&y=%254");
    }

    @Test
    void validReferencesComeBackUnchanged() {
        String valid = "https://h.example:8443/p/a;t=1/x.y?q=a+b&r=%20,c:d@e/f?g#h";
        assertThat(Locations.encode(valid)).isEqualTo(valid);
        assertThat(Locations.encode("  /trimmed\t")).isEqualTo("/trimmed");
    }

    @Test
    void aNonAsciiHostBecomesItsIdnaForm() {
        assertThat(Locations.encode("http://b\u00fccher.example:8080/\u00e4"))
                .isEqualTo("http://xn--bcher-kva.example:8080/%C3%A4");
    }

    @Test
    void anInvalidSchemeIsRefused() {
        assertThatThrownBy(() -> Locations.resolve(BASE, "1http://x/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid scheme");
    }
}
