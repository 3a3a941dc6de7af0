package io.aioduct.syntax;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * The values of {@code Authorization} fields a client builds from credentials: Basic (RFC 7617) and Bearer
 * (RFC 6750), and the token68 syntax (RFC 9110 11.2) both rest on. Stateless. No message here ever quotes a
 * user, password or token: an exception ends up in logs.
 */
public final class Credentials {
    private Credentials() {}

    /**
     * {@code Basic base64(user ":" password)}, UTF-8 encoded (RFC 7617 2.1: the only charset a server may
     * announce, and what every current browser sends).
     *
     * @throws IllegalArgumentException if {@code user} contains ':' (the server would split there, RFC 7617
     *     2) or either part contains a control character
     */
    public static String basic(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        int colon = user.indexOf(':');
        if (colon >= 0) {
            throw new IllegalArgumentException("basic auth user-id contains ':' at index " + colon
                    + "; RFC 7617 2 forbids it (the server splits user and password at the first ':')");
        }
        checkNoControl("user-id", user);
        checkNoControl("password", password);
        byte[] pair = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(pair);
    }

    /**
     * {@code Bearer token}.
     *
     * @throws IllegalArgumentException if {@code token} is not token68 syntax (RFC 6750 2.1)
     */
    public static String bearer(String token) {
        Objects.requireNonNull(token, "token");
        int bad = token68Error(token);
        if (bad >= 0) {
            throw new IllegalArgumentException(
                    token.isEmpty()
                            ? "bearer token is empty"
                            : "bearer token is not RFC 6750 token68 syntax: the character at index " + bad
                                    + " is not allowed (only letters, digits, '-._~+/', then trailing '=')");
        }
        return "Bearer " + token;
    }

    /** Whether {@code c} may appear in a token68 before its trailing '='s. */
    public static boolean isToken68Char(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~'
                || c == '+'
                || c == '/';
    }

    /** The index of the first character that breaks token68 syntax in {@code s} (0 when empty), or -1. */
    static int token68Error(String s) {
        if (s.isEmpty()) return 0;
        int i = 0;
        while (i < s.length() && isToken68Char(s.charAt(i))) i++;
        if (i == 0) return 0;
        while (i < s.length() && s.charAt(i) == '=') i++;
        return i == s.length() ? -1 : i;
    }

    private static void checkNoControl(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(
                        "basic auth " + what + " contains a control character at index " + i + " (RFC 7617 2)");
            }
        }
    }
}
