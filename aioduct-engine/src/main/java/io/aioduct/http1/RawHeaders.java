package io.aioduct.http1;

import io.aioduct.HttpHeaders;
import io.aioduct.syntax.ReasonPhrase;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Response headers kept as the bytes that arrived, decoded into strings only when asked for. Looking a
 * header up by name compares bytes in place, so a response whose headers nobody reads costs one array
 * copy. The status line's reason phrase arrived just before the fields and is kept the same way, at the
 * start of the same array, so the response carries it without a string or an object of its own.
 * Immutable after construction; concurrent lazy decoding may build a string twice, harmlessly.
 */
final class RawHeaders implements HttpHeaders, ReasonPhrase {
    private final byte[] bytes;
    /** The reason phrase is {@code bytes[0, reasonLength)}. */
    private final int reasonLength;
    /** Per field: name start, name end, value start, value end (offsets into {@link #bytes}). */
    private final int[] offsets;

    private final int count;
    private @Nullable String[] strings;
    private @Nullable String reason;

    RawHeaders(byte[] bytes, int[] offsets, int count) {
        this(bytes, 0, offsets, count);
    }

    RawHeaders(byte[] bytes, int reasonLength, int[] offsets, int count) {
        this.bytes = bytes;
        this.reasonLength = reasonLength;
        this.offsets = offsets;
        this.count = count;
    }

    @Override
    public String reasonPhrase() {
        String r = reason;
        if (r == null) {
            r = reasonLength == 0 ? "" : new String(bytes, 0, reasonLength, StandardCharsets.ISO_8859_1);
            reason = r;
        }
        return r;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public String name(int index) {
        return string(index, 0);
    }

    @Override
    public String value(int index) {
        return string(index, 1);
    }

    private String string(int index, int part) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("header index " + index + " out of 0.." + (count - 1));
        }
        String[] cache = strings;
        if (cache == null) {
            cache = new String[count * 2];
            strings = cache;
        }
        int slot = index * 2 + part;
        String s = cache[slot];
        if (s == null) {
            int start = offsets[index * 4 + part * 2];
            int end = offsets[index * 4 + part * 2 + 1];
            s = new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
            cache[slot] = s;
        }
        return s;
    }

    @Override
    public @Nullable String first(String name) {
        int i = indexOf(name);
        return i < 0 ? null : value(i);
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    private int indexOf(String name) {
        int len = name.length();
        for (int i = 0; i < count; i++) {
            int start = offsets[i * 4];
            if (offsets[i * 4 + 1] - start == len && matches(start, name)) {
                return i;
            }
        }
        return -1;
    }

    private boolean matches(int start, String name) {
        for (int j = 0; j < name.length(); j++) {
            int a = bytes[start + j];
            int b = name.charAt(j);
            if (a != b && toLower(a) != toLower(b)) {
                return false;
            }
        }
        return true;
    }

    private static int toLower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            if (i > 0) sb.append(", ");
            sb.append(name(i)).append(": ").append(value(i));
        }
        return sb.append('}').toString();
    }
}
