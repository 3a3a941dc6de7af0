package io.aioduct.proxy;

import org.jspecify.annotations.Nullable;

/**
 * IP address literals read as text only, never through DNS: {@code InetAddress.getByName} would look up a
 * string that merely looks like an address (say {@code 999.1.1.1}), and a bypass list is read on the
 * connect path. An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) reads as its IPv4 address, so a
 * rule for one matches the other.
 */
final class IpLiteral {
    private IpLiteral() {}

    /** The address's 4 (IPv4) or 16 (IPv6) bytes, or null if {@code text} is not an address literal. */
    static byte @Nullable [] parse(String text) {
        if (text.indexOf(':') < 0) {
            return ipv4(text);
        }
        byte[] v6 = ipv6(text);
        return v6 == null ? null : unmapped(v6);
    }

    /** Strict dotted quad: four decimal parts 0..255, no leading zeros (which some stacks read as octal). */
    private static byte @Nullable [] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) return null;
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c < '0' || c > '9') return null;
                v = v * 10 + (c - '0');
            }
            if (v > 255) return null;
            out[i] = (byte) v;
        }
        return out;
    }

    /** RFC 4291 section 2.2 text: eight groups, one {@code ::}, an optional dotted-quad tail; no zone. */
    private static byte @Nullable [] ipv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) return null;
        String head = gap >= 0 ? text.substring(0, gap) : text;
        String tail = gap >= 0 ? text.substring(gap + 2) : "";
        int[] h = groups(head, gap < 0);
        int[] t = gap >= 0 ? groups(tail, true) : new int[0];
        if (h == null || t == null) return null;
        int total = h.length + t.length;
        if (gap >= 0 ? total > 7 : total != 8) return null;
        byte[] out = new byte[16];
        for (int i = 0; i < h.length; i++) {
            out[2 * i] = (byte) (h[i] >> 8);
            out[2 * i + 1] = (byte) h[i];
        }
        for (int i = 0; i < t.length; i++) {
            int at = 8 - t.length + i;
            out[2 * at] = (byte) (t[i] >> 8);
            out[2 * at + 1] = (byte) t[i];
        }
        return out;
    }

    /** Colon-separated 16-bit groups; the last may be a dotted quad (two groups) if {@code last}. */
    private static int @Nullable [] groups(String s, boolean last) {
        if (s.isEmpty()) return new int[0];
        String[] parts = s.split(":", -1);
        int n = parts.length;
        boolean quad = last && parts[n - 1].indexOf('.') >= 0;
        int[] out = new int[quad ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            String p = parts[i];
            if (quad && i == n - 1) {
                byte[] v4 = ipv4(p);
                if (v4 == null) return null;
                out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) return null;
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                int d = Character.digit(p.charAt(j), 16);
                if (d < 0) return null;
                v = v * 16 + d;
            }
            out[i] = v;
        }
        return out;
    }

    /** {@code ::ffff:a.b.c.d} as {@code a.b.c.d}; any other address unchanged. */
    private static byte[] unmapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) return v6;
        }
        if (v6[10] != (byte) 0xff || v6[11] != (byte) 0xff) return v6;
        return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }

    /** 127.0.0.0/8 or ::1. */
    static boolean isLoopback(byte[] address) {
        if (address.length == 4) return address[0] == 127;
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) return false;
        }
        return address[15] == 1;
    }

    /** Whether the first {@code prefix} bits of {@code address} equal those of {@code network}. */
    static boolean inPrefix(byte[] address, byte[] network, int prefix) {
        if (address.length != network.length) return false;
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) return false;
        }
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }
}
