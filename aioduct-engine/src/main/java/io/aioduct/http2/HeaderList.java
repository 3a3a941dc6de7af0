package io.aioduct.http2;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A header list to send (a request head or trailers), as {@link HpackEncoder} encodes it: names in lower
 * case, pseudo-headers first (RFC 9113 section 8), held as alternating names and values in one array.
 * {@link Http2Messages} builds it from the engine's own headers.
 *
 * <p>Threading: built by one thread, then handed to the session; not shared.
 */
final class HeaderList {
    private String[] fields;
    private int size;

    /** A list with room for {@code expectedFields} fields before it grows. */
    HeaderList(int expectedFields) {
        this.fields = new String[Math.max(2, expectedFields * 2)];
    }

    /** Adds a field; {@code name} is in lower case already. */
    HeaderList add(String name, String value) {
        if (size == fields.length) {
            fields = Arrays.copyOf(fields, size * 2);
        }
        fields[size++] = name;
        fields[size++] = value;
        return this;
    }

    /** Number of fields. */
    int length() {
        return size >> 1;
    }

    String name(int i) {
        return fields[i << 1];
    }

    String value(int i) {
        return fields[(i << 1) + 1];
    }

    /** The value of the first field named {@code name}, or null. */
    @Nullable
    String first(String name) {
        for (int i = 0; i < size; i += 2) {
            if (fields[i].equals(name)) {
                return fields[i + 1];
            }
        }
        return null;
    }

    /** The size SETTINGS_MAX_HEADER_LIST_SIZE limits: each field's name and value octets plus 32. */
    long listSize() {
        long total = 0;
        for (int i = 0; i < size; i += 2) {
            total += fields[i].length() + fields[i + 1].length() + HpackDynamicTable.ENTRY_OVERHEAD;
        }
        return total;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size; i += 2) {
            sb.append(i == 0 ? "" : ", ").append(fields[i]).append(": ").append(fields[i + 1]);
        }
        return sb.append(']').toString();
    }
}
