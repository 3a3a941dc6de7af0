package io.aioduct.syntax;

/**
 * The RFC 9110 rules for header names and values, shared by request building and response parsing.
 * Stateless.
 */
public final class HeaderRules {
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) TOKEN[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TOKEN[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TOKEN[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TOKEN[c] = true;
    }

    private HeaderRules() {}

    /** Whether {@code c} may appear in a token (header name, method). */
    public static boolean isTokenChar(int c) {
        return c < 128 && c >= 0 && TOKEN[c];
    }

    /** Whether byte {@code b} may appear in a field value: HTAB, SP, VCHAR or obs-text. */
    public static boolean isValueByte(int b) {
        // The common case (a visible char or space) first: one compare per byte fewer on every field value.
        return (b >= 0x20 && b != 0x7f && b <= 0xff) || b == '\t';
    }

    /**
     * ASCII case-insensitive comparison; header names are ASCII tokens, so only A-Z fold (never a
     * Unicode case mapping such as the long s or the Kelvin sign).
     */
    public static boolean nameEquals(String a, String b) {
        int n = a.length();
        if (n != b.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x >= 'A' && x <= 'Z') x += 32;
                if (y >= 'A' && y <= 'Z') y += 32;
                if (x != y) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Rejects a name that is empty or holds a character outside the token set. */
    public static void checkName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("header name is null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("header name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isTokenChar(c)) {
                throw new IllegalArgumentException("header name '" + printable(name) + "' has an illegal character "
                        + describe(c) + " at index " + i);
            }
        }
    }

    /** Rejects a value holding CR, LF, NUL, other controls, or characters beyond ISO-8859-1. */
    public static void checkValue(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("header '" + name + "' has a null value");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isValueByte(c)) {
                throw new IllegalArgumentException("header '" + name + "' value has an illegal character "
                        + describe(c) + " at index " + i
                        + (c == '\r' || c == '\n' ? " (CR/LF would split the header)" : ""));
            }
        }
    }

    /**
     * {@code value} without its leading and trailing SP and HTAB: RFC 9110 5.5 defines a field value
     * without the optional whitespace around it, so a recipient would drop it anyway and it only wastes
     * bytes (and HPACK table space) on the wire. Returns {@code value} itself, allocating nothing, when
     * there is none to drop, which is the common case.
     */
    public static String trimOptionalWhitespace(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isOptionalWhitespace(value.charAt(start))) start++;
        while (end > start && isOptionalWhitespace(value.charAt(end - 1))) end--;
        return start == 0 && end == value.length() ? value : value.substring(start, end);
    }

    private static boolean isOptionalWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    /** A character as a reader wants to see it in an error message. */
    public static String describe(int c) {
        return switch (c) {
            case '\r' -> "CR (0x0d)";
            case '\n' -> "LF (0x0a)";
            case 0 -> "NUL (0x00)";
            case ' ' -> "space";
            default ->
                c < 0x20 || c == 0x7f
                        ? String.format("control 0x%02x", c)
                        : c > 0x7e ? String.format("'%c' (U+%04X)", (char) c, c) : "'" + (char) c + "'";
        };
    }

    /** {@code s} with control characters shown as '?', safe to put in a one-line message. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
