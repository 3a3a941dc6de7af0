package io.aioduct.policy;

import io.aioduct.Request;
import io.aioduct.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@link Authenticator#digest}: HTTP Digest access authentication, RFC 7616. Thread-safe: the only state is
 * the nonce counts, in a concurrent map. The cnonce source is injected so tests can reproduce the RFC's
 * worked example (3.9.1).
 */
final class DigestAuthenticator implements Authenticator {
    /**
     * Nonce counts kept at most: a server hands out a nonce per challenge, so the map would grow forever;
     * forgetting an old nonce only restarts its count, which a server sees as a replay and answers with a
     * fresh challenge.
     */
    private static final int MAX_NONCES = 256;

    /** The algorithms understood, strongest first: with several challenges the strongest is answered. */
    enum Algorithm {
        SHA_512_256("SHA-512-256", "SHA-512/256"),
        SHA_256("SHA-256", "SHA-256"),
        MD5("MD5", "MD5");

        final String token;
        final String jca;

        Algorithm(String token, String jca) {
            this.token = token;
            this.jca = jca;
        }

        /** The algorithm a challenge's {@code algorithm} names (without any -sess), or null if unknown. */
        static @Nullable Algorithm of(String token) {
            for (Algorithm a : values()) {
                if (a.token.equalsIgnoreCase(token)) return a;
            }
            return null;
        }

        String hash(String data) {
            try {
                byte[] digest = MessageDigest.getInstance(jca).digest(data.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no " + jca + " MessageDigest", e);
            }
        }
    }

    private final String user;
    private final String password;
    private final Supplier<String> cnonces;
    private final ConcurrentHashMap<String, AtomicInteger> nonceCounts = new ConcurrentHashMap<>();

    DigestAuthenticator(String user, String password, Supplier<String> cnonces) {
        this.user = Objects.requireNonNull(user, "user");
        this.password = Objects.requireNonNull(password, "password");
        this.cnonces = cnonces;
    }

    @Override
    public @Nullable Request authenticate(Response response, List<Challenge> challenges) {
        Challenge best = null;
        Algorithm bestAlgorithm = null;
        for (Challenge c : challenges) {
            Algorithm a = answerable(c);
            if (a != null && (bestAlgorithm == null || a.ordinal() < bestAlgorithm.ordinal())) {
                best = c;
                bestAlgorithm = a;
            }
        }
        if (best == null) return null;
        Request challenged = response.request();
        String value =
                credentials(best, bestAlgorithm, challenged.method(), challenged.target(), countKey(challenged, best));
        return challenged.toBuilder()
                .setHeader(Authenticator.credentialsField(response), value)
                .build();
    }

    /** The algorithm to answer {@code c} with, or null when it is not a Digest challenge this class can answer. */
    private static @Nullable Algorithm answerable(Challenge c) {
        if (!c.hasScheme("Digest") || c.parameter("nonce") == null || c.realm() == null) return null;
        String name = c.parameter("algorithm");
        boolean sess = name != null && name.toLowerCase(Locale.ROOT).endsWith("-sess");
        Algorithm a = name == null ? Algorithm.MD5 : Algorithm.of(sess ? name.substring(0, name.length() - 5) : name);
        if (a == null) return null;
        String qop = c.parameter("qop");
        if (qop == null) return sess ? null : a; // RFC 2069 form; -sess needs a cnonce, which needs a qop
        return offersAuth(qop) ? a : null; // auth-int alone would need the body hashed: not supported
    }

    private static boolean offersAuth(String qopList) {
        for (String q : qopList.split(",", -1)) {
            if (q.strip().equalsIgnoreCase("auth")) return true;
        }
        return false;
    }

    private static String countKey(Request request, Challenge c) {
        return request.origin() + " " + c.realm() + " " + c.parameter("nonce");
    }

    /** The Authorization value answering {@code c} for {@code method} on {@code uri}. */
    String credentials(Challenge c, Algorithm algorithm, String method, String uri, String countKey) {
        String realm = Objects.requireNonNull(c.realm());
        String nonce = Objects.requireNonNull(c.parameter("nonce"));
        String algorithmName = c.parameter("algorithm");
        boolean sess =
                algorithmName != null && algorithmName.toLowerCase(Locale.ROOT).endsWith("-sess");
        boolean qop = c.parameter("qop") != null;
        String ha1 = algorithm.hash(user + ":" + realm + ":" + password);
        String cnonce = qop ? cnonces.get() : "";
        if (sess) ha1 = algorithm.hash(ha1 + ":" + nonce + ":" + cnonce);
        String ha2 = algorithm.hash(method + ":" + uri);
        String nc = qop ? String.format("%08x", nextCount(countKey)) : "";
        String response = qop
                ? algorithm.hash(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
                : algorithm.hash(ha1 + ":" + nonce + ":" + ha2);

        StringBuilder sb = new StringBuilder("Digest ");
        boolean userhash = "true".equalsIgnoreCase(c.parameter("userhash"));
        if (userhash) {
            sb.append("username=\"").append(algorithm.hash(user + ":" + realm)).append('"');
        } else if (user.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
            sb.append("username=");
            Challenge.quote(user, sb);
        } else {
            sb.append("username*=UTF-8''").append(percentEncode(user)); // RFC 7616 3.4.4, RFC 8187
        }
        sb.append(", realm=");
        Challenge.quote(realm, sb);
        sb.append(", uri=");
        Challenge.quote(uri, sb);
        if (algorithmName != null) sb.append(", algorithm=").append(algorithmName);
        sb.append(", nonce=");
        Challenge.quote(nonce, sb);
        if (qop) {
            sb.append(", nc=").append(nc).append(", cnonce=");
            Challenge.quote(cnonce, sb);
            sb.append(", qop=auth");
        }
        sb.append(", response=\"").append(response).append('"');
        String opaque = c.parameter("opaque");
        if (opaque != null) {
            sb.append(", opaque=");
            Challenge.quote(opaque, sb);
        }
        if (userhash) sb.append(", userhash=true");
        return sb.toString();
    }

    private int nextCount(String key) {
        if (nonceCounts.size() >= MAX_NONCES) nonceCounts.clear();
        return nonceCounts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    /** RFC 8187 value-chars: attr-char kept, every other UTF-8 byte percent-encoded. */
    private static String percentEncode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean attrChar = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0;
            if (attrChar) {
                sb.append((char) c);
            } else {
                sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Authenticator.digest"; // never the credentials
    }
}
