package io.aioduct;

import io.aioduct.syntax.ArrayHeaders;
import io.aioduct.syntax.HeaderRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, ordered list of HTTP header fields. Names compare case-insensitively; a name may
 * occur several times (multi-valued headers keep their order). Safe to share between threads.
 *
 * <p>Indexed access ({@link #size()}, {@link #name(int)}, {@link #value(int)}) walks the fields
 * without allocating. Response headers are decoded lazily from the wire bytes on first access.
 */
public interface HttpHeaders {

    /** The number of header fields (a name with two values counts twice). */
    int size();

    /** The name of field {@code index}, as it was given or received. */
    String name(int index);

    /** The value of field {@code index}. */
    String value(int index);

    /** The first value of {@code name}, or null when absent. */
    default @Nullable String first(String name) {
        for (int i = 0, n = size(); i < n; i++) {
            if (HeaderRules.nameEquals(name(i), name)) {
                return value(i);
            }
        }
        return null;
    }

    /** Every value of {@code name} in order; empty when absent. */
    default List<String> all(String name) {
        List<String> values = null;
        for (int i = 0, n = size(); i < n; i++) {
            if (HeaderRules.nameEquals(name(i), name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(value(i));
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    default boolean contains(String name) {
        return first(name) != null;
    }

    default void forEach(BiConsumer<String, String> action) {
        for (int i = 0, n = size(); i < n; i++) {
            action.accept(name(i), value(i));
        }
    }

    /** The fields grouped by name (first spelling wins), in first-occurrence order. A new map each call. */
    default Map<String, List<String>> toMap() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        outer:
        for (int i = 0, n = size(); i < n; i++) {
            String name = name(i);
            for (Map.Entry<String, List<String>> e : map.entrySet()) {
                if (HeaderRules.nameEquals(e.getKey(), name)) {
                    e.getValue().add(value(i));
                    continue outer;
                }
            }
            List<String> values = new ArrayList<>(1);
            values.add(value(i));
            map.put(name, values);
        }
        return map;
    }

    static HttpHeaders empty() {
        return ArrayHeaders.EMPTY;
    }

    /**
     * Headers from alternating names and values: {@code of("Accept", "text/plain", "X-A", "1")}.
     *
     * @throws IllegalArgumentException if the count is odd or a name or value is illegal
     */
    static HttpHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "headers need name/value pairs, got an odd count: " + namesAndValues.length);
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    static Builder builder() {
        return new Builder();
    }

    /** Collects header fields, checking every name and value as it is added. Not thread-safe. */
    final class Builder {
        private String[] fields = new String[16];
        private int count;

        Builder() {}

        /**
         * Appends a field, keeping existing values of the same name. Spaces and tabs around the value are
         * dropped (they are not part of a field value, RFC 9110 5.5), so {@code " v "} is stored and sent
         * as {@code "v"}.
         *
         * @throws IllegalArgumentException naming the header, if the name is not an HTTP token or the
         *     value holds CR, LF, NUL or another forbidden character
         */
        public Builder add(String name, String value) {
            HeaderRules.checkName(name);
            HeaderRules.checkValue(name, value);
            if (count * 2 == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            fields[count * 2] = name;
            fields[count * 2 + 1] = HeaderRules.trimOptionalWhitespace(value);
            count++;
            return this;
        }

        /** Replaces every value of {@code name} with this one. */
        public Builder set(String name, String value) {
            remove(name);
            return add(name, value);
        }

        /** Removes every value of {@code name}. */
        public Builder remove(String name) {
            int w = 0;
            for (int r = 0; r < count; r++) {
                if (!HeaderRules.nameEquals(fields[r * 2], name)) {
                    fields[w * 2] = fields[r * 2];
                    fields[w * 2 + 1] = fields[r * 2 + 1];
                    w++;
                }
            }
            Arrays.fill(fields, w * 2, count * 2, null);
            count = w;
            return this;
        }

        public Builder addAll(HttpHeaders headers) {
            for (int i = 0, n = headers.size(); i < n; i++) {
                add(headers.name(i), headers.value(i));
            }
            return this;
        }

        public boolean contains(String name) {
            for (int i = 0; i < count; i++) {
                if (HeaderRules.nameEquals(fields[i * 2], name)) {
                    return true;
                }
            }
            return false;
        }

        public HttpHeaders build() {
            return count == 0 ? ArrayHeaders.EMPTY : new ArrayHeaders(Arrays.copyOf(fields, count * 2));
        }
    }
}
