package io.aioduct.policy;

import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One cookie as a {@link CookieStore} keeps it (RFC 6265bis section 5.7): the name and value a {@code
 * Set-Cookie} header gave, resolved against the URI of the response that set it. {@link #domain()} is the
 * host that set it when the cookie is {@link #hostOnly() host-only}, else the {@code Domain} attribute;
 * {@link #path()} is the {@code Path} attribute or the default path; {@link #expires()} is empty for a
 * session cookie, which lives as long as its store.
 *
 * <p>Immutable and thread-safe. Equality is by every field. Build one for a store of your own with {@link
 * #builder}; the in-memory store makes them from responses.
 */
public final class Cookie {

    /**
     * The {@code SameSite} attribute. A browser uses it to withhold cookies from cross-site requests; an
     * HTTP client has no sites, every request it makes is its own (a same-site, top-level request in the
     * RFC's terms), so it keeps the attribute but sends the cookie regardless. {@link #NONE} requires
     * {@code Secure} (RFC 6265bis 5.7 step 19): without it the cookie is not stored.
     */
    public enum SameSite {
        STRICT,
        LAX,
        NONE,
        /** No attribute, or a value the RFC does not know ({@code SameSite=Sometimes}). */
        DEFAULT;

        /** The attribute value, case-insensitively; anything else is {@link #DEFAULT}. */
        static SameSite of(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "strict" -> STRICT;
                case "lax" -> LAX;
                case "none" -> NONE;
                default -> DEFAULT;
            };
        }

        /** How the attribute is written ({@code Strict}, {@code Lax}, {@code None}), or null for DEFAULT. */
        public @Nullable String attribute() {
            return switch (this) {
                case STRICT -> "Strict";
                case LAX -> "Lax";
                case NONE -> "None";
                case DEFAULT -> null;
            };
        }
    }

    private final String name;
    private final String value;
    private final String domain;
    private final boolean hostOnly;
    private final String path;
    private final boolean secure;
    private final boolean httpOnly;
    private final SameSite sameSite;
    private final boolean partitioned;
    private final @Nullable Instant expires;
    private final Instant created;

    private Cookie(Builder b) {
        this.name = b.name;
        this.value = b.value;
        this.domain = b.domain;
        this.hostOnly = b.hostOnly;
        this.path = b.path;
        this.secure = b.secure;
        this.httpOnly = b.httpOnly;
        this.sameSite = b.sameSite;
        this.partitioned = b.partitioned;
        this.expires = b.expires;
        this.created = b.created;
    }

    /**
     * A builder for a cookie of {@code name} and {@code value} for {@code domain} (a host name, lower case,
     * no leading dot); host-only, path {@code /}, a session cookie created at {@link Instant#EPOCH}, no flag
     * set, until told otherwise. {@code name} may be empty (a nameless cookie is sent as its value alone).
     */
    public static Builder builder(String name, String value, String domain) {
        return new Builder(name, value, domain);
    }

    /** A builder starting from this cookie. */
    public Builder toBuilder() {
        Builder b = new Builder(name, value, domain);
        b.hostOnly = hostOnly;
        b.path = path;
        b.secure = secure;
        b.httpOnly = httpOnly;
        b.sameSite = sameSite;
        b.partitioned = partitioned;
        b.expires = expires;
        b.created = created;
        return b;
    }

    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    /** The host that set it (host-only) or the Domain attribute: lower case, ASCII, no leading dot. */
    public String domain() {
        return domain;
    }

    /** Whether only {@link #domain()} itself gets the cookie, not its subdomains (no Domain attribute). */
    public boolean hostOnly() {
        return hostOnly;
    }

    public String path() {
        return path;
    }

    /** Sent over https only. */
    public boolean secure() {
        return secure;
    }

    /** Hidden from scripts in a browser; an HTTP client sends it like any other. */
    public boolean httpOnly() {
        return httpOnly;
    }

    public SameSite sameSite() {
        return sameSite;
    }

    /**
     * Whether the server asked for a partitioned cookie (CHIPS): a browser keys it by the top-level site as
     * well; an HTTP client has one top-level site, itself, so the cookie is kept and sent like any other.
     */
    public boolean partitioned() {
        return partitioned;
    }

    /** When it expires; empty for a session cookie. */
    public Optional<Instant> expires() {
        return Optional.ofNullable(expires);
    }

    /** Whether it has an expiry (Max-Age or Expires), so it would outlive a browser session. */
    public boolean persistent() {
        return expires != null;
    }

    /** When it was first stored; a replacement keeps the creation time of the cookie it replaces. */
    public Instant created() {
        return created;
    }

    /** Whether it has expired at {@code now}. */
    public boolean isExpired(Instant now) {
        return expires != null && !expires.isAfter(now);
    }

    /**
     * Whether a request to {@code uri} gets this cookie (RFC 6265bis 5.8.3): its host is the domain (or,
     * unless host-only, a subdomain of it), its path path-matches, and it is https if the cookie is secure.
     * Expiry is not checked here.
     */
    public boolean matches(URI uri) {
        String host = CookieRules.host(uri);
        if (host == null) return false;
        if (hostOnly ? !host.equals(domain) : !CookieRules.domainMatches(host, domain)) return false;
        if (secure && !CookieRules.isSecure(uri)) return false;
        return CookieRules.pathMatches(CookieRules.path(uri), path);
    }

    /** The pair as a {@code Cookie} header carries it: {@code name=value}, or the value alone if nameless. */
    public String pair() {
        return name.isEmpty() ? value : name + "=" + value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cookie c
                && name.equals(c.name)
                && value.equals(c.value)
                && domain.equals(c.domain)
                && hostOnly == c.hostOnly
                && path.equals(c.path)
                && secure == c.secure
                && httpOnly == c.httpOnly
                && sameSite == c.sameSite
                && partitioned == c.partitioned
                && Objects.equals(expires, c.expires)
                && created.equals(c.created);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, value, domain, hostOnly, path, secure, httpOnly, sameSite, partitioned, expires);
    }

    /** As a {@code Set-Cookie} value that would store it again ({@code Domain} only when not host-only). */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(pair());
        if (!hostOnly) s.append("; Domain=").append(domain);
        s.append("; Path=").append(path);
        if (expires != null) s.append("; Expires=").append(expires);
        if (secure) s.append("; Secure");
        if (httpOnly) s.append("; HttpOnly");
        if (sameSite != SameSite.DEFAULT) s.append("; SameSite=").append(sameSite.attribute());
        if (partitioned) s.append("; Partitioned");
        return s.toString();
    }

    /** Builds a {@link Cookie}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String value;
        private final String domain;
        private boolean hostOnly = true;
        private String path = "/";
        private boolean secure;
        private boolean httpOnly;
        private SameSite sameSite = SameSite.DEFAULT;
        private boolean partitioned;
        private @Nullable Instant expires;
        private Instant created = Instant.EPOCH;

        private Builder(String name, String value, String domain) {
            this.name = Objects.requireNonNull(name, "name");
            this.value = Objects.requireNonNull(value, "value");
            Objects.requireNonNull(domain, "domain");
            if (domain.isEmpty() || domain.startsWith(".")) {
                throw new IllegalArgumentException(
                        "domain must be a host name without a leading dot, was '" + domain + "'");
            }
            this.domain = domain.toLowerCase(Locale.ROOT);
        }

        /** Host-only (the default) or sent to subdomains of the domain too. */
        public Builder hostOnly(boolean hostOnly) {
            this.hostOnly = hostOnly;
            return this;
        }

        /** The path; must start with '/'; default {@code /}. */
        public Builder path(String path) {
            if (!Objects.requireNonNull(path, "path").startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/', was '" + path + "'");
            }
            this.path = path;
            return this;
        }

        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        public Builder httpOnly(boolean httpOnly) {
            this.httpOnly = httpOnly;
            return this;
        }

        public Builder sameSite(SameSite sameSite) {
            this.sameSite = Objects.requireNonNull(sameSite, "sameSite");
            return this;
        }

        public Builder partitioned(boolean partitioned) {
            this.partitioned = partitioned;
            return this;
        }

        /** When it expires; null (the default) for a session cookie. */
        public Builder expires(@Nullable Instant expires) {
            this.expires = expires;
            return this;
        }

        /** When it was first stored; orders cookies of equal path length in the {@code Cookie} header. */
        public Builder created(Instant created) {
            this.created = Objects.requireNonNull(created, "created");
            return this;
        }

        public Cookie build() {
            return new Cookie(this);
        }
    }
}
