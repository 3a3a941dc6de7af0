package io.aioduct;

import io.aioduct.syntax.Credentials;
import io.aioduct.syntax.HeaderRules;
import io.aioduct.syntax.UrlParser;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request: method, origin, target (path and query, encoded), headers, an optional body and
 * optional per-request timeouts that override the client's. Immutable and safe to share; send it with
 * {@link AioductClient#send(Request)} or {@link AioductClient#execute(Request)}.
 */
public final class Request {
    static {
        io.aioduct.exchange.Requests.install((method, origin, target) -> new Builder(method, origin, target, null));
    }

    private final String method;
    private final Origin origin;
    private final String target;
    private final HttpHeaders headers;
    private final @Nullable RequestBody body;
    private final @Nullable Duration connectTimeout;
    private final @Nullable Duration responseTimeout;
    private final @Nullable Duration readTimeout;
    private final @Nullable Duration totalTimeout;
    private final @Nullable Duration expectContinueTimeout;
    private final java.util.function.@Nullable Supplier<HttpHeaders> trailers;
    private final java.util.Map<String, Object> attributes;

    private Request(Builder b, HttpHeaders headers) {
        checkHeadersTheClientOwns(headers, b.body);
        this.method = b.method;
        this.origin = b.origin;
        this.target = b.query == null ? b.target : appendQuery(b.target, b.query);
        this.headers = headers;
        this.body = b.body;
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
        this.readTimeout = b.readTimeout;
        this.totalTimeout = b.totalTimeout;
        this.expectContinueTimeout = b.expectContinueTimeout;
        this.trailers = b.trailers;
        this.attributes = b.attributes == null ? java.util.Map.of() : java.util.Map.copyOf(b.attributes);
    }

    /**
     * The client frames bodies itself, so a request may only repeat a matching Content-Length (the wire
     * gets one, written from the body). And a request has one Host: two are a 400 to a server (RFC 9112
     * 3.2) and may be read differently by a proxy and the server behind it, so a second is refused here
     * rather than one being picked silently.
     */
    private static void checkHeadersTheClientOwns(HttpHeaders headers, @Nullable RequestBody body) {
        @Nullable String host = null;
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i);
            if (HeaderRules.nameEquals(name, "Host")) {
                if (host != null) {
                    throw new IllegalArgumentException(
                            "request sets Host twice ('" + host + "' and '" + headers.value(i)
                                    + "'); a request has one Host: use setHeader(\"Host\", ...) to replace it");
                }
                host = headers.value(i);
            } else if (HeaderRules.nameEquals(name, "Transfer-Encoding")) {
                throw new IllegalArgumentException("a request may not set Transfer-Encoding ('" + headers.value(i)
                        + "'); the client frames the body itself: a body of unknown length is sent chunked");
            } else if (HeaderRules.nameEquals(name, "Content-Length")) {
                String value = headers.value(i);
                long declared;
                try {
                    declared = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("request Content-Length '" + value + "' is not a number");
                }
                long actual = body == null ? 0 : body.contentLength();
                if (actual < 0) {
                    throw new IllegalArgumentException("request sets Content-Length " + declared
                            + " but its body has unknown length; give the length to the body instead");
                }
                if (declared != actual) {
                    throw new IllegalArgumentException(
                            "request Content-Length " + declared + " does not match its body (" + actual + " bytes)");
                }
            }
        }
    }

    private static String appendQuery(String target, StringBuilder query) {
        return target
                + (target.indexOf('?') >= 0 ? (target.endsWith("?") || target.endsWith("&") ? "" : "&") : "?")
                + query;
    }

    public String method() {
        return method;
    }

    public Origin origin() {
        return origin;
    }

    /** The request target sent on the request line: path plus query, percent-encoded. */
    public String target() {
        return target;
    }

    /** The full URI (built on each call). */
    public URI uri() {
        return URI.create(origin.scheme() + "://" + origin.hostHeader() + target);
    }

    public HttpHeaders headers() {
        return headers;
    }

    public @Nullable RequestBody body() {
        return body;
    }

    public @Nullable Duration connectTimeout() {
        return connectTimeout;
    }

    public @Nullable Duration responseTimeout() {
        return responseTimeout;
    }

    public @Nullable Duration readTimeout() {
        return readTimeout;
    }

    public @Nullable Duration totalTimeout() {
        return totalTimeout;
    }

    /** This request's wait for 100 (Continue) when it sends {@code Expect: 100-continue}; null: the client's. */
    public @Nullable Duration expectContinueTimeout() {
        return expectContinueTimeout;
    }

    /**
     * Where the trailer fields sent after the body come from, or null for none. Called once per send,
     * after the body: the fields may depend on it (a checksum, a signature).
     */
    public java.util.function.@Nullable Supplier<HttpHeaders> trailers() {
        return trailers;
    }

    /**
     * A value the caller attached with {@link Builder#attribute}, or null. Attributes never reach the wire;
     * they carry facts about the request to interceptors and {@link io.aioduct.event.EventListener}s,
     * e.g. {@link #URI_TEMPLATE}.
     */
    public @Nullable Object attribute(String name) {
        return attributes.get(name);
    }

    /** Every attribute, unmodifiable (empty when none was set). */
    public java.util.Map<String, Object> attributes() {
        return attributes;
    }

    /**
     * The attribute naming the URI template the request was made from ({@code "/users/{id}"}), so metrics
     * can tag by template instead of by raw, high-cardinality URI.
     */
    public static final String URI_TEMPLATE = "io.aioduct.uri-template";

    /** Whether a failed attempt may be sent again without changing the outcome (RFC 9110 9.2.2). */
    public boolean idempotent() {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    /** A builder that starts from this request. */
    public Builder toBuilder() {
        Builder b = new Builder(method, origin, target, null);
        b.headers.addAll(headers);
        b.body = body;
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.readTimeout = readTimeout;
        b.totalTimeout = totalTimeout;
        b.expectContinueTimeout = expectContinueTimeout;
        b.trailers = trailers;
        if (!attributes.isEmpty()) b.attributes = new java.util.HashMap<>(attributes);
        return b;
    }

    @Override
    public String toString() {
        return method + " " + origin + target;
    }

    public static Builder builder(String method, String url) {
        UrlParser.ParsedUrl parsed = UrlParser.parse(url);
        return new Builder(method, parsed.origin(), parsed.target(), null);
    }

    public static Builder builder(String method, URI uri) {
        Objects.requireNonNull(uri, "uri");
        UrlParser.ParsedUrl parsed = UrlParser.parse(uri.toASCIIString());
        return new Builder(method, parsed.origin(), parsed.target(), null);
    }

    static Builder builder(String method, String url, AioductClient client) {
        UrlParser.ParsedUrl parsed = UrlParser.parse(url);
        return new Builder(method, parsed.origin(), parsed.target(), client);
    }

    static Builder builder(String method, URI uri, AioductClient client) {
        Objects.requireNonNull(uri, "uri");
        UrlParser.ParsedUrl parsed = UrlParser.parse(uri.toASCIIString());
        return new Builder(method, parsed.origin(), parsed.target(), client);
    }

    /**
     * Builds a {@link Request}, checking each part as it is set: a bad method, header name or value is
     * rejected at once with an {@link IllegalArgumentException} naming it. A builder obtained from a
     * client ({@code client.get(url)}) can also send what it builds. Not thread-safe.
     */
    public static final class Builder {
        private final String method;
        private final Origin origin;
        private final String target;
        private final @Nullable AioductClient client;
        private final HttpHeaders.Builder headers = HttpHeaders.builder();
        private @Nullable StringBuilder query;
        private @Nullable RequestBody body;
        private @Nullable Duration connectTimeout;
        private @Nullable Duration responseTimeout;
        private @Nullable Duration readTimeout;
        private @Nullable Duration totalTimeout;
        private @Nullable Duration expectContinueTimeout;
        private java.util.function.@Nullable Supplier<HttpHeaders> trailers;
        private java.util.@Nullable Map<String, Object> attributes;

        Builder(String method, Origin origin, String target, @Nullable AioductClient client) {
            this.method = checkMethod(method);
            this.origin = origin;
            this.target = target;
            this.client = client;
        }

        private static String checkMethod(String method) {
            if (method == null || method.isEmpty()) {
                throw new IllegalArgumentException("HTTP method is empty");
            }
            for (int i = 0; i < method.length(); i++) {
                if (!HeaderRules.isTokenChar(method.charAt(i))) {
                    throw new IllegalArgumentException("HTTP method '" + HeaderRules.printable(method)
                            + "' has an illegal character " + HeaderRules.describe(method.charAt(i)));
                }
            }
            return method;
        }

        /**
         * Adds a header, keeping earlier values of the same name; spaces and tabs around the value are
         * dropped. A request may set {@code Host} once ({@link #build()} refuses a second).
         */
        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /** Sets a header, replacing earlier values of the same name. */
        public Builder setHeader(String name, String value) {
            headers.set(name, value);
            return this;
        }

        /**
         * Sets {@code Authorization: Basic ...} from {@code user} and {@code password}, UTF-8 encoded (RFC
         * 7617), replacing any Authorization already set. The credentials go with this request wherever it is
         * sent; a redirect to another origin drops them. To answer a server's challenge instead of sending
         * them up front, give the client an {@link io.aioduct.policy.Authenticator}.
         *
         * @throws IllegalArgumentException if {@code user} contains ':' or either part a control character
         *     (the message never quotes them)
         */
        public Builder basicAuth(String user, String password) {
            headers.set("Authorization", Credentials.basic(user, password));
            return this;
        }

        /**
         * Sets {@code Authorization: Bearer token} (RFC 6750), replacing any Authorization already set.
         *
         * @throws IllegalArgumentException if {@code token} is empty or not token68 syntax (letters, digits,
         *     {@code -._~+/}, then trailing {@code =}); the message never quotes it
         */
        public Builder bearerAuth(String token) {
            headers.set("Authorization", Credentials.bearer(token));
            return this;
        }

        public Builder removeHeader(String name) {
            headers.remove(name);
            return this;
        }

        public Builder headers(HttpHeaders more) {
            headers.addAll(more);
            return this;
        }

        /** Appends a query parameter, percent-encoding name and value. */
        public Builder query(String name, String value) {
            Objects.requireNonNull(name, "query parameter name");
            Objects.requireNonNull(value, "query parameter value");
            if (query == null) {
                query = new StringBuilder();
            } else {
                query.append('&');
            }
            UrlParser.encodeQueryComponent(name, query);
            query.append('=');
            UrlParser.encodeQueryComponent(value, query);
            return this;
        }

        /**
         * Trailer fields to send after the body, asked for once the body is sent. Over HTTP/1.1 the body
         * then goes chunked (trailers need it); over HTTP/2 they are a final HEADERS frame.
         */
        public Builder trailers(java.util.function.Supplier<HttpHeaders> trailers) {
            this.trailers = java.util.Objects.requireNonNull(trailers, "trailers");
            return this;
        }

        /** Attaches {@code value} under {@code name} (see {@link Request#attribute}); a later call replaces it. */
        public Builder attribute(String name, Object value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (attributes == null) attributes = new java.util.HashMap<>(4);
            attributes.put(name, value);
            return this;
        }

        /** Shorthand for {@code attribute(Request.URI_TEMPLATE, template)}. */
        public Builder uriTemplate(String template) {
            return attribute(URI_TEMPLATE, template);
        }

        public Builder body(@Nullable RequestBody body) {
            this.body = body;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checkTimeout("connectTimeout", timeout);
            return this;
        }

        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = checkTimeout("responseTimeout", timeout);
            return this;
        }

        public Builder readTimeout(Duration timeout) {
            this.readTimeout = checkTimeout("readTimeout", timeout);
            return this;
        }

        public Builder totalTimeout(Duration timeout) {
            this.totalTimeout = checkTimeout("totalTimeout", timeout);
            return this;
        }

        /**
         * How long this request, if it sends {@code Expect: 100-continue}, holds its body back waiting for
         * the server's 100 (Continue) before sending it anyway; ZERO sends it at once. Default: the
         * client's ({@link AioductClient.Builder#expectContinueTimeout}).
         */
        public Builder expectContinueTimeout(Duration timeout) {
            this.expectContinueTimeout = checkTimeout("expectContinueTimeout", timeout);
            return this;
        }

        static Duration checkTimeout(String what, Duration timeout) {
            Objects.requireNonNull(timeout, what);
            if (timeout.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, was " + timeout);
            }
            return timeout;
        }

        /**
         * The request.
         *
         * @throws IllegalArgumentException if it sets {@code Host} twice, sets {@code Transfer-Encoding},
         *     or sets a {@code Content-Length} its body does not have (the client frames bodies itself)
         */
        public Request build() {
            return new Request(this, headers.build());
        }

        /**
         * Sends the request asynchronously on the client this builder came from.
         *
         * @throws IllegalStateException if the builder was made with {@link Request#builder} rather
         *     than by a client
         */
        public CompletableFuture<Response> send() {
            return boundClient().send(build());
        }

        /** Sends the request and waits for the response headers; see {@link AioductClient#execute}. */
        public Response execute() {
            return boundClient().execute(build());
        }

        private AioductClient boundClient() {
            if (client == null) {
                throw new IllegalStateException(
                        "this builder is not bound to a client; build() the request and pass it to client.send(...)");
            }
            return client;
        }
    }
}
