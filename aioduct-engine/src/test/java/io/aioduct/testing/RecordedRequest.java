package io.aioduct.testing;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An immutable record of one request as {@link TestServer} received it: the request line, the header
 * fields exactly as sent (order, duplicates and spelling kept), the de-chunked body and where on which
 * connection it arrived. Tests use it to assert what the client under test put on the wire.
 *
 * <p>{@link H2TestServer} records HTTP/2 requests in the same shape: the method and target come from the
 * {@code :method} and {@code :path} pseudo-header fields, {@link #version()} is {@code "HTTP/2.0"},
 * {@link #headers()} holds every field of the HEADERS block in order, pseudo-header fields first (so
 * {@code header(":authority")} works), and {@link #streamId()} tells the stream.
 */
public final class RecordedRequest {

    /** One header field as it was sent: name in its original case, value as received. */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final String method;
    private final String uri;
    private final String version;
    private final List<Header> headers;
    private final List<Header> trailers;
    private final byte[] body;
    private final int connectionId;
    private final int requestIndexOnConnection;
    private final boolean chunked;
    private final int streamId;

    RecordedRequest(
            String method,
            String uri,
            String version,
            List<Header> headers,
            List<Header> trailers,
            byte[] body,
            int connectionId,
            int requestIndexOnConnection,
            boolean chunked) {
        this(method, uri, version, headers, trailers, body, connectionId, requestIndexOnConnection, chunked, 0);
    }

    RecordedRequest(
            String method,
            String uri,
            String version,
            List<Header> headers,
            List<Header> trailers,
            byte[] body,
            int connectionId,
            int requestIndexOnConnection,
            boolean chunked,
            int streamId) {
        this.method = method;
        this.uri = uri;
        this.version = version;
        this.headers = List.copyOf(headers);
        this.trailers = List.copyOf(trailers);
        this.body = body.clone();
        this.connectionId = connectionId;
        this.requestIndexOnConnection = requestIndexOnConnection;
        this.chunked = chunked;
        this.streamId = streamId;
    }

    /** The request method, e.g. {@code "GET"}. */
    public String method() {
        return method;
    }

    /** The raw request target as sent, including any query string (e.g. {@code "/a/b?x=1"}). */
    public String uri() {
        return uri;
    }

    /**
     * The path part of the request target: no query, and for an absolute-form target
     * ({@code http://host/p}) no scheme and authority.
     */
    public String path() {
        String target = uri;
        int scheme = target.indexOf("://");
        if (scheme > 0 && !target.startsWith("/")) {
            int slash = target.indexOf('/', scheme + 3);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** The raw query string without the {@code '?'}, or {@code null} when the target has none. */
    public @Nullable String query() {
        int query = uri.indexOf('?');
        return query < 0 ? null : uri.substring(query + 1);
    }

    /** The protocol version from the request line, e.g. {@code "HTTP/1.1"}. */
    public String version() {
        return version;
    }

    /** Every header field in the order received, duplicates and original name case preserved. */
    public List<Header> headers() {
        return headers;
    }

    /** The first value of the named header (name matched case-insensitively), or {@code null}. */
    public @Nullable String header(String name) {
        return first(headers, name);
    }

    /** Every value of the named header (name matched case-insensitively), in order received. */
    public List<String> headers(String name) {
        return all(headers, name);
    }

    /** Trailer fields: of a chunked HTTP/1.1 body, or the HTTP/2 trailing HEADERS (empty when none). */
    public List<Header> trailers() {
        return trailers;
    }

    /** The first value of the named trailer field (case-insensitive), or {@code null}. */
    public @Nullable String trailer(String name) {
        return first(trailers, name);
    }

    /** A copy of the request body (de-chunked when it was sent chunked; empty when there was none). */
    public byte[] body() {
        return body.clone();
    }

    /** The body length in bytes. */
    public int bodySize() {
        return body.length;
    }

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return bodyAsString(StandardCharsets.UTF_8);
    }

    /** The body decoded with the given charset. */
    public String bodyAsString(Charset charset) {
        return new String(body, charset);
    }

    /** Which accepted connection carried the request; 1 for the first connection, then increasing. */
    public int connectionId() {
        return connectionId;
    }

    /** 0 for the first request on its connection, 1 for the second, and so on. */
    public int requestIndexOnConnection() {
        return requestIndexOnConnection;
    }

    /** Whether the request body was sent with {@code Transfer-Encoding: chunked}. */
    public boolean chunked() {
        return chunked;
    }

    /** The HTTP/2 stream that carried the request (1, 3, 5...), or 0 for HTTP/1.1. */
    public int streamId() {
        return streamId;
    }

    @Override
    public String toString() {
        return method + " " + uri + " " + version + " (connection " + connectionId
                + (streamId > 0 ? ", stream " + streamId : "") + ", request " + requestIndexOnConnection + ", "
                + headers.size() + " headers, " + body.length + " body bytes" + (chunked ? ", chunked" : "") + ")";
    }

    private static @Nullable String first(List<Header> fields, String name) {
        for (Header field : fields) {
            if (field.name().equalsIgnoreCase(name)) {
                return field.value();
            }
        }
        return null;
    }

    private static List<String> all(List<Header> fields, String name) {
        List<String> values = new ArrayList<>();
        for (Header field : fields) {
            if (field.name().equalsIgnoreCase(name)) {
                values.add(field.value());
            }
        }
        return List.copyOf(values);
    }
}
