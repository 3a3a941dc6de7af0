package io.aioduct.http1;

import static io.aioduct.http1.CodecFixtures.parsed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.aioduct.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lazily decoded response headers, built by the parser and directly from offsets. */
class RawHeadersTest {

    private static HttpHeaders headersOf(String fieldLines) {
        return parsed("HTTP/1.1 200 OK\r\n" + fieldLines + "\r\n").headers;
    }

    @Test
    void indexedAccessReturnsNamesAndValuesInOrder() {
        HttpHeaders h = headersOf("A: 1\r\nB: 2\r\na: 3\r\n");

        assertThat(h.size()).isEqualTo(3);
        assertThat(h.name(0)).isEqualTo("A");
        assertThat(h.value(0)).isEqualTo("1");
        assertThat(h.name(2)).isEqualTo("a");
        assertThat(h.value(2)).isEqualTo("3");
    }

    @Test
    void indexOutsideTheFieldsIsRejected() {
        HttpHeaders h = headersOf("A: 1\r\n");

        assertThatThrownBy(() -> h.name(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> h.value(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> headersOf("").name(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void decodesEachStringOnceAndReturnsTheSameInstance() {
        HttpHeaders h = headersOf("X-A: value\r\n");

        assertThat(h.value(0)).isSameAs(h.value(0));
        assertThat(h.name(0)).isSameAs(h.name(0));
    }

    @Test
    void firstAllAndContainsMatchAsciiCaseInsensitively() {
        HttpHeaders h = headersOf("Content-Type: a\r\nCONTENT-TYPE: b\r\ncontent-type: c\r\nX: y\r\n");

        assertThat(h.first("content-TYPE")).isEqualTo("a");
        assertThat(h.all("Content-type")).containsExactly("a", "b", "c");
        assertThat(h.contains("CoNtEnT-TyPe")).isTrue();
        assertThat(h.first("Content-Typ")).isNull();
        assertThat(h.first("Content-Types")).isNull();
        assertThat(h.all("Missing")).isEmpty();
    }

    @Test
    void lookupsAgreeOnNamesThatOnlyMatchOutsideAscii() {
        // U+017F (long s) upper-cases to 'S' and U+212A (Kelvin sign) lower-cases to 'k'; header names are
        // ASCII tokens, so neither spelling names "Set-Cookie" / "Keep-Alive", for any of the lookups.
        HttpHeaders h = headersOf("Set-Cookie: a=1\r\nKeep-Alive: timeout=5\r\n");

        assertThat(h.first("\u017Fet-cookie")).isNull();
        assertThat(h.contains("\u212Aeep-alive")).isFalse();
        assertThat(h.all("\u017Fet-cookie")).as("all() agrees with first()").isEmpty();
        assertThat(h.all("\u212Aeep-alive")).as("all() agrees with contains()").isEmpty();
    }

    @Test
    void forEachToMapAndToStringKeepOrderAndFirstSpelling() {
        HttpHeaders h = headersOf("Vary: a\r\nX-B: 1\r\nvary: b\r\n");

        List<String> seen = new ArrayList<>();
        h.forEach((n, v) -> seen.add(n + "=" + v));
        assertThat(seen).containsExactly("Vary=a", "X-B=1", "vary=b");
        assertThat(h.toMap()).containsExactly(entry("Vary", List.of("a", "b")), entry("X-B", List.of("1")));
        assertThat(h.toString()).isEqualTo("{Vary: a, X-B: 1, vary: b}");
    }

    @Test
    void decodesBytesAsIso88591() {
        byte[] bytes = "Xcaf\u00e9\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        RawHeaders h = new RawHeaders(bytes, new int[] {0, 1, 1, 6}, 1);

        assertThat(h.name(0)).isEqualTo("X");
        assertThat(h.value(0)).isEqualTo("caf\u00e9\u00ff");
        assertThat(h.first("x")).isEqualTo("caf\u00e9\u00ff");
    }

    @Test
    void emptyHeadersHaveNothing() {
        RawHeaders h = new RawHeaders(new byte[0], new int[0], 0);

        assertThat(h.size()).isZero();
        assertThat(h.first("A")).isNull();
        assertThat(h.contains("A")).isFalse();
        assertThat(h.toString()).isEqualTo("{}");
        assertThat(h.toMap()).isEmpty();
    }
}
