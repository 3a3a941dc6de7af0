package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpHeadersTest {

    @Test
    void addKeepsEveryValueInOrderAndTheNameAsGiven() {
        HttpHeaders h = HttpHeaders.builder()
                .add("Accept", "text/html")
                .add("X-Trace", "1")
                .add("accept", "application/json")
                .build();

        assertThat(h.size()).isEqualTo(3);
        assertThat(h.name(0)).isEqualTo("Accept");
        assertThat(h.name(2)).isEqualTo("accept");
        assertThat(h.value(1)).isEqualTo("1");
        assertThat(h.all("ACCEPT")).containsExactly("text/html", "application/json");
        assertThat(h.first("aCcEpT")).isEqualTo("text/html");
    }

    @Test
    void lookupsAreCaseInsensitive() {
        HttpHeaders h = HttpHeaders.of("Content-Type", "text/plain");

        assertThat(h.contains("content-type")).isTrue();
        assertThat(h.contains("CONTENT-TYPE")).isTrue();
        assertThat(h.first("content-TYPE")).isEqualTo("text/plain");
        assertThat(h.all("Content-type")).containsExactly("text/plain");
    }

    @Test
    void absentNamesGiveNullAndAnEmptyList() {
        HttpHeaders h = HttpHeaders.of("A", "1");

        assertThat(h.first("B")).isNull();
        assertThat(h.all("B")).isEmpty();
        assertThat(h.contains("B")).isFalse();
        assertThat(h.contains("AA")).as("no prefix matching").isFalse();
    }

    @Test
    void nameLookupFoldsOnlyAsciiCase() {
        // HeaderRules.nameEquals promises an ASCII comparison; String.regionMatches(ignoreCase) also
        // folds U+017F (long s) to 'S' and U+212A (Kelvin sign) to 'K'.
        HttpHeaders h = HttpHeaders.of("Set-Cookie", "id=1", "Keep-Alive", "timeout=5");

        assertThat(h.first("\u017Fet-Cookie")).isNull();
        assertThat(h.contains("\u212Aeep-Alive")).isFalse();
    }

    @Test
    void setReplacesEveryValueWhateverItsCase() {
        HttpHeaders h = HttpHeaders.builder()
                .add("X-A", "1")
                .add("Other", "o")
                .add("x-a", "2")
                .set("X-a", "3")
                .build();

        assertThat(h.all("x-a")).containsExactly("3");
        assertThat(h.size()).isEqualTo(2);
        assertThat(h.name(0)).isEqualTo("Other");
        assertThat(h.name(1)).as("set appends the new field").isEqualTo("X-a");
    }

    @Test
    void removeDropsEveryValueAndKeepsTheOthersInOrder() {
        HttpHeaders.Builder b = HttpHeaders.builder()
                .add("A", "1")
                .add("X", "x1")
                .add("B", "2")
                .add("x", "x2")
                .add("C", "3");

        b.remove("X");

        assertThat(b.contains("x")).isFalse();
        assertThat(b.contains("b")).isTrue();
        HttpHeaders h = b.build();
        assertThat(h.toMap())
                .containsExactly(
                        Map.entry("A", List.of("1")), Map.entry("B", List.of("2")), Map.entry("C", List.of("3")));
    }

    @Test
    void removeOfAnAbsentNameChangesNothing() {
        HttpHeaders h = HttpHeaders.builder().add("A", "1").remove("B").build();

        assertThat(h.size()).isEqualTo(1);
        assertThat(h.first("A")).isEqualTo("1");
    }

    @Test
    void toMapGroupsByNameKeepingTheFirstSpellingAndFirstOccurrenceOrder() {
        HttpHeaders h = HttpHeaders.of("Via", "a", "Accept", "x", "VIA", "b", "accept", "y", "Host", "h");

        Map<String, List<String>> map = h.toMap();

        assertThat(map)
                .containsExactly(
                        Map.entry("Via", List.of("a", "b")),
                        Map.entry("Accept", List.of("x", "y")),
                        Map.entry("Host", List.of("h")));
        map.clear();
        assertThat(h.toMap()).as("a new map each call").hasSize(3);
    }

    @Test
    void forEachVisitsFieldsInOrder() {
        List<String> seen = new ArrayList<>();

        HttpHeaders.of("A", "1", "B", "2", "a", "3").forEach((n, v) -> seen.add(n + "=" + v));

        assertThat(seen).containsExactly("A=1", "B=2", "a=3");
    }

    @Test
    void allReturnsAnUnmodifiableList() {
        List<String> values = HttpHeaders.of("A", "1", "A", "2").all("a");

        assertThatThrownBy(() -> values.add("3")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void builtHeadersDoNotChangeWhenTheBuilderDoes() {
        HttpHeaders.Builder b = HttpHeaders.builder().add("A", "1");
        HttpHeaders built = b.build();

        b.set("A", "2").add("B", "3");

        assertThat(built.size()).isEqualTo(1);
        assertThat(built.first("A")).isEqualTo("1");
        assertThat(b.build().first("A")).isEqualTo("2");
    }

    @Test
    void theBuilderGrowsPastItsInitialCapacity() {
        HttpHeaders.Builder b = HttpHeaders.builder();
        for (int i = 0; i < 40; i++) {
            b.add("X-" + i, "v" + i);
        }
        b.remove("X-0").remove("X-39").add("Last", "end");

        HttpHeaders h = b.build();

        assertThat(h.size()).isEqualTo(39);
        assertThat(h.name(0)).isEqualTo("X-1");
        assertThat(h.first("x-20")).isEqualTo("v20");
        assertThat(h.first("X-39")).isNull();
        assertThat(h.name(38)).isEqualTo("Last");
    }

    @Test
    void ofRejectsAnOddNumberOfArguments() {
        assertThatThrownBy(() -> HttpHeaders.of("A", "1", "B"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("headers need name/value pairs, got an odd count: 3");
    }

    @Test
    void ofValidatesNamesAndValues() {
        assertThatThrownBy(() -> HttpHeaders.of("Bad Name", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name 'Bad Name'");
        assertThatThrownBy(() -> HttpHeaders.of("X-A", "a\nb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header 'X-A' value");
    }

    @Test
    void emptyHeadersHaveNothing() {
        HttpHeaders h = HttpHeaders.empty();

        assertThat(h.size()).isZero();
        assertThat(h.first("A")).isNull();
        assertThat(h.all("A")).isEmpty();
        assertThat(h.toMap()).isEmpty();
        assertThat(HttpHeaders.of().size()).isZero();
        assertThat(HttpHeaders.builder().build().size()).isZero();
    }

    @Test
    void addAllCopiesEveryField() {
        HttpHeaders src = HttpHeaders.of("A", "1", "A", "2");

        HttpHeaders h = HttpHeaders.builder().add("B", "0").addAll(src).build();

        assertThat(h.size()).isEqualTo(3);
        assertThat(h.all("a")).containsExactly("1", "2");
    }

    @Test
    void toStringListsTheFields() {
        assertThat(HttpHeaders.of("A", "1", "B", "2")).hasToString("{A: 1, B: 2}");
    }
}
