package io.aioduct.http2;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The HPACK static table (RFC 7541 Appendix A), its names and values as shared {@code String} constants,
 * and a lookup from a literal name's octets to the table's own {@code String}, so a well-known name sent as
 * a literal costs no allocation either.
 *
 * <p>Threading: immutable after class initialisation; shared by every session.
 */
final class HpackStaticTable {
    /** Number of entries; indices 1 to {@code LENGTH} (RFC 7541 section 2.3.3). */
    static final int LENGTH = 61;

    // Index 0 is unused: HPACK indices start at 1.
    private static final String[] NAMES = {
        "",
        ":authority",
        ":method",
        ":method",
        ":path",
        ":path",
        ":scheme",
        ":scheme",
        ":status",
        ":status",
        ":status",
        ":status",
        ":status",
        ":status",
        ":status",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "accept-ranges",
        "accept",
        "access-control-allow-origin",
        "age",
        "allow",
        "authorization",
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-range",
        "content-type",
        "cookie",
        "date",
        "etag",
        "expect",
        "expires",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "last-modified",
        "link",
        "location",
        "max-forwards",
        "proxy-authenticate",
        "proxy-authorization",
        "range",
        "referer",
        "refresh",
        "retry-after",
        "server",
        "set-cookie",
        "strict-transport-security",
        "transfer-encoding",
        "user-agent",
        "vary",
        "via",
        "www-authenticate",
    };

    private static final String[] VALUES = new String[LENGTH + 1];

    static {
        Arrays.fill(VALUES, "");
        VALUES[2] = "GET";
        VALUES[3] = "POST";
        VALUES[4] = "/";
        VALUES[5] = "/index.html";
        VALUES[6] = "http";
        VALUES[7] = "https";
        VALUES[8] = "200";
        VALUES[9] = "204";
        VALUES[10] = "206";
        VALUES[11] = "304";
        VALUES[12] = "400";
        VALUES[13] = "404";
        VALUES[14] = "500";
        VALUES[16] = "gzip, deflate";
    }

    // Open addressing over the distinct names, keyed by a hash of their octets; a power of two well
    // above the 52 names, so a probe ends in one or two steps.
    private static final @Nullable String[] BY_HASH = new String[256];
    /** The first index with the name in the same slot of {@link #BY_HASH}. */
    private static final int[] FIRST_INDEX = new int[256];

    static {
        for (int i = 1; i <= LENGTH; i++) {
            String name = NAMES[i];
            int slot = hash(name) & (BY_HASH.length - 1);
            while (BY_HASH[slot] != null && !name.equals(BY_HASH[slot])) {
                slot = (slot + 1) & (BY_HASH.length - 1);
            }
            if (BY_HASH[slot] == null) {
                BY_HASH[slot] = name;
                FIRST_INDEX[slot] = i;
            }
        }
    }

    private HpackStaticTable() {}

    /** The name at {@code index} (1 to {@link #LENGTH}). */
    static String name(int index) {
        return NAMES[index];
    }

    /** The value at {@code index} (1 to {@link #LENGTH}); empty for the name-only entries. */
    static String value(int index) {
        return VALUES[index];
    }

    /** The first index of an entry named {@code name}, or 0 if the table has none. */
    static int nameIndex(String name) {
        int slot = hash(name) & (BY_HASH.length - 1);
        String candidate;
        while ((candidate = BY_HASH[slot]) != null) {
            if (candidate.equals(name)) {
                return FIRST_INDEX[slot];
            }
            slot = (slot + 1) & (BY_HASH.length - 1);
        }
        return 0;
    }

    /**
     * The index of the entry {@code name: value}; else the first index of one named {@code name}, negated;
     * else 0.
     */
    static int find(String name, String value) {
        int first = nameIndex(name);
        if (first == 0) {
            return 0;
        }
        // Entries of one name are adjacent (RFC 7541 Appendix A).
        for (int i = first; i <= LENGTH && NAMES[i].equals(name); i++) {
            if (VALUES[i].equals(value)) {
                return i;
            }
        }
        return -first;
    }

    /** The static table's name equal to octets {@code [from, from + length)} of {@code in}, or null. */
    static @Nullable String knownName(byte[] in, int from, int length) {
        int h = 0;
        for (int i = from, end = from + length; i < end; i++) {
            h = 31 * h + (in[i] & 0xff);
        }
        int slot = mix(h) & (BY_HASH.length - 1);
        String candidate;
        while ((candidate = BY_HASH[slot]) != null) {
            if (sameOctets(candidate, in, from, length)) {
                return candidate;
            }
            slot = (slot + 1) & (BY_HASH.length - 1);
        }
        return null;
    }

    private static boolean sameOctets(String s, byte[] in, int from, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != (in[from + i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** The hash {@link #knownName} computes over octets: String's own hash of a Latin-1 string. */
    private static int hash(String s) {
        return mix(s.hashCode());
    }

    private static int mix(int h) {
        return h ^ (h >>> 16) ^ (h >>> 8);
    }
}
