package io.aioduct.proxy;

import io.aioduct.Origin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which origins bypass a proxy: the {@code NO_PROXY} syntax, read once into rules. Immutable and
 * thread-safe; {@link #matches} does no I/O (host names are compared as text, never resolved).
 *
 * <p>Entries, case-insensitive, separated by commas and/or white space:
 *
 * <ul>
 *   <li>{@code *}: every origin;
 *   <li>{@code example.com}, {@code .example.com} or {@code *.example.com}: that host and every host under
 *       it ({@code api.example.com}), never {@code badexample.com};
 *   <li>an IPv4 or IPv6 literal ({@code 10.1.2.3}, {@code ::1}, {@code [::1]}): origins addressed by that
 *       literal;
 *   <li>a CIDR range ({@code 10.0.0.0/8}, {@code fd00::/8}): origins addressed by a literal in it (a host
 *       name is not resolved to see whether its address is in range);
 *   <li>any host or literal with {@code :port} ({@code example.com:8443}, {@code [::1]:8080}): only that port.
 * </ul>
 *
 * <p>Loopback origins ({@code localhost}, {@code *.localhost}, 127.0.0.0/8, {@code ::1}) bypass too unless
 * {@link #proxyingLoopback()} says otherwise: a proxy elsewhere cannot reach this machine's loopback, so
 * sending such requests to it is almost always a mistake (Go's proxy selection makes the same choice).
 */
public final class NoProxy {

    /** Bypasses loopback origins only: what a proxy without a bypass list gets. */
    public static final NoProxy LOOPBACK = new NoProxy(List.of(), false, true);

    private final List<Rule> rules;
    private final boolean all;
    private final boolean loopback;

    private NoProxy(List<Rule> rules, boolean all, boolean loopback) {
        this.rules = rules;
        this.all = all;
        this.loopback = loopback;
    }

    /**
     * The entries of a {@code NO_PROXY}-style list, separated by commas and/or white space; empty entries are
     * skipped. Loopback origins bypass too (see {@link #proxyingLoopback()}).
     *
     * @throws IllegalArgumentException naming the first entry that is none of the forms above
     */
    public static NoProxy parse(String list) {
        Objects.requireNonNull(list, "list");
        return of(Arrays.asList(list.split("[,\\s]+")));
    }

    /**
     * One rule per entry, each in the syntax of {@link #parse}; empty entries are skipped.
     *
     * @throws IllegalArgumentException naming the first entry that is none of the forms above
     */
    public static NoProxy of(Collection<String> entries) {
        Objects.requireNonNull(entries, "entries");
        List<Rule> rules = new ArrayList<>();
        boolean all = false;
        for (String entry : entries) {
            Objects.requireNonNull(entry, "entry");
            String e = entry.strip().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) continue;
            if (e.equals("*")) {
                all = true;
                continue;
            }
            rules.add(Rule.parse(e));
        }
        return new NoProxy(List.copyOf(rules), all, true);
    }

    /** These rules, with loopback origins going through the proxy unless a rule names them. */
    public NoProxy proxyingLoopback() {
        return new NoProxy(rules, all, false);
    }

    /** Whether loopback origins bypass the proxy whatever the rules say (the default). */
    public boolean bypassesLoopback() {
        return loopback;
    }

    /** Whether connections to {@code origin} go direct. */
    public boolean matches(Origin origin) {
        if (all) return true;
        String host = hostOf(origin.host());
        byte @Nullable [] address = IpLiteral.parse(host);
        if (loopback && isLoopback(host, address)) return true;
        for (Rule rule : rules) {
            if (rule.matches(host, address, origin.port())) return true;
        }
        return false;
    }

    private static boolean isLoopback(String host, byte @Nullable [] address) {
        if (address != null) return IpLiteral.isLoopback(address);
        return host.equals("localhost") || host.endsWith(".localhost"); // RFC 6761 section 6.3
    }

    /** A host as a rule sees it: no brackets, no trailing root dot. */
    private static String hostOf(String host) {
        String h = host;
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h;
    }

    /** The list in {@link #parse} syntax, then {@code (loopback proxied)} if so. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (all) parts.add("*");
        rules.forEach(r -> parts.add(r.text));
        return String.join(",", parts) + (loopback ? "" : " (loopback proxied)");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoProxy n && n.all == all && n.loopback == loopback && n.rules.equals(rules);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rules, all, loopback);
    }

    /** One entry: a domain (with its subdomains), or an address or range; {@code port} -1 for any. */
    private record Rule(String text, @Nullable String domain, byte @Nullable [] network, int prefix, int port) {

        static Rule parse(String e) {
            String hostPart = e;
            int port = -1;
            if (e.contains("://")) throw bad(e, "is a URL: write the host alone, as in example.com");
            if (e.startsWith("[")) {
                int close = e.indexOf(']');
                if (close < 0) throw bad(e, "has '[' without ']'");
                hostPart = e.substring(1, close);
                String rest = e.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) throw bad(e, "has text after ']' that is not ':port'");
                    port = port(e, rest.substring(1));
                }
                if (hostPart.indexOf(':') < 0) throw bad(e, "has brackets around something that is not IPv6");
            } else {
                int colon = e.lastIndexOf(':');
                // One colon is host:port; more is an unbracketed IPv6 literal (or range), which takes no port.
                if (colon >= 0 && e.indexOf(':') == colon) {
                    hostPart = e.substring(0, colon);
                    port = port(e, e.substring(colon + 1));
                }
            }
            int slash = hostPart.indexOf('/');
            if (slash >= 0) {
                byte[] network = IpLiteral.parse(hostPart.substring(0, slash));
                if (network == null) throw bad(e, "is not a CIDR range: the part before '/' is not an IP address");
                // An IPv4-mapped range reads as IPv4, so its prefix counts the last 32 bits.
                boolean mapped = network.length == 4 && hostPart.indexOf(':') >= 0;
                int prefix = prefix(e, hostPart.substring(slash + 1), mapped ? 128 : network.length * 8);
                if (mapped) prefix = Math.max(0, prefix - 96);
                return new Rule(e, null, network, prefix, port);
            }
            byte[] address = IpLiteral.parse(hostPart);
            if (address != null) return new Rule(e, null, address, address.length * 8, port);
            if (hostPart.indexOf(':') >= 0) throw bad(e, "is not a valid IPv6 address");
            return new Rule(e, domain(e, hostPart), null, 0, port);
        }

        private static String domain(String e, String host) {
            String d = host;
            if (d.startsWith("*.")) {
                d = d.substring(2);
            } else if (d.startsWith(".")) {
                d = d.substring(1);
            }
            if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
            if (d.isEmpty()) throw bad(e, "has no host");
            for (int i = 0; i < d.length(); i++) {
                char c = d.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
                if (!ok) {
                    throw bad(
                            e,
                            c == '*'
                                    ? "has a '*' inside it: only '*' alone or a leading '*.' is a wildcard"
                                    : "is not a host name, address or CIDR range (it has '" + c + "')");
                }
            }
            if (d.startsWith(".") || d.contains("..")) throw bad(e, "has an empty label");
            return d;
        }

        private static int port(String e, String text) {
            try {
                int p = Integer.parseInt(text);
                if (p >= 1 && p <= 65535) return p;
            } catch (NumberFormatException ignored) {
                // reported below, as for an out-of-range number
            }
            throw bad(e, "has a port that is not a number in 1..65535");
        }

        private static int prefix(String e, String text, int max) {
            try {
                int p = Integer.parseInt(text);
                if (p >= 0 && p <= max) return p;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw bad(e, "has a prefix length that is not a number in 0.." + max);
        }

        private static IllegalArgumentException bad(String entry, String problem) {
            return new IllegalArgumentException("no-proxy entry '" + entry + "' " + problem);
        }

        boolean matches(String host, byte @Nullable [] address, int originPort) {
            if (port != -1 && port != originPort) return false;
            if (domain != null) {
                return host.equals(domain)
                        || (host.endsWith(domain) && host.charAt(host.length() - domain.length() - 1) == '.');
            }
            return address != null && network != null && IpLiteral.inPrefix(address, network, prefix);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rule r && r.text.equals(text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
