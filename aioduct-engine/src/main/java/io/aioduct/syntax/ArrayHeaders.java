package io.aioduct.syntax;

import io.aioduct.HttpHeaders;

/**
 * Headers held as alternating names and values in one array, trusted to be valid already (built by
 * {@link HttpHeaders.Builder}, or decoded from the wire by a codec that checked them).
 */
public final class ArrayHeaders implements HttpHeaders {
    public static final ArrayHeaders EMPTY = new ArrayHeaders(new String[0]);

    private final String[] fields;

    /** Takes ownership of {@code fields}: alternating names and values, already checked. */
    public ArrayHeaders(String[] fields) {
        this.fields = fields;
    }

    @Override
    public int size() {
        return fields.length >> 1;
    }

    @Override
    public String name(int index) {
        return fields[index << 1];
    }

    @Override
    public String value(int index) {
        return fields[(index << 1) + 1];
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < fields.length; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(fields[i]).append(": ").append(fields[i + 1]);
        }
        return sb.append('}').toString();
    }
}
