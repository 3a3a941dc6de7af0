package io.aioduct;

/** Headers held as alternating names and values in one array; already validated. */
final class ArrayHeaders implements HttpHeaders {
    static final ArrayHeaders EMPTY = new ArrayHeaders(new String[0]);

    private final String[] fields;

    ArrayHeaders(String[] fields) {
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
