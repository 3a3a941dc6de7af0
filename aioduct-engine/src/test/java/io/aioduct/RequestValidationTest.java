package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link Request.Builder} accepts and refuses, without a client or a network. */
class RequestValidationTest {
    private static final String URL = "http://example.com/path";

    private static Request.Builder get() {
        return Request.builder("GET", URL);
    }

    // ---- methods ----

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "PROPFIND", "M-SEARCH", "X_CUSTOM!"})
    void acceptsAnyTokenAsMethod(String method) {
        assertThat(Request.builder(method, URL).build().method()).isEqualTo(method);
    }

    @Test
    void rejectsAnEmptyOrNullMethod() {
        assertThatThrownBy(() -> Request.builder("", URL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HTTP method is empty");
        assertThatThrownBy(() -> Request.builder(null, URL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HTTP method is empty");
    }

    static Stream<Arguments> badMethods() {
        return Stream.of(
                Arguments.of("GE T", "space"),
                Arguments.of("GET\r\n", "CR (0x0d)"),
                Arguments.of("GET\n", "LF (0x0a)"),
                Arguments.of("GET\u0000", "NUL (0x00)"),
                Arguments.of("G(E)T", "'('"),
                Arguments.of("G\u00c9T", "'\u00c9' (U+00C9)"),
                Arguments.of("GET/1", "'/'"));
    }

    @ParameterizedTest
    @MethodSource("badMethods")
    void rejectsAMethodWithAnIllegalCharacterNamingIt(String method, String what) {
        assertThatThrownBy(() -> Request.builder(method, URL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("HTTP method '")
                .hasMessageContaining("has an illegal character " + what);
    }

    // ---- headers ----

    static Stream<Arguments> headerAdders() {
        return Stream.of(
                Arguments.of("header", (BiFunction<String, String, Request.Builder>) (n, v) -> get().header(n, v)),
                Arguments.of(
                        "setHeader", (BiFunction<String, String, Request.Builder>) (n, v) -> get().setHeader(n, v)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerAdders")
    void rejectsAHeaderNameWithAnIllegalCharacterNamingTheHeader(
            String how, BiFunction<String, String, Request.Builder> add) {
        assertThatThrownBy(() -> add.apply("X Bad", "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("header name 'X Bad' has an illegal character space at index 1");
        assertThatThrownBy(() -> add.apply("X:Y", "v"))
                .hasMessageContaining("header name 'X:Y'")
                .hasMessageContaining("':'");
        assertThatThrownBy(() -> add.apply("X-\u00c4", "v")).hasMessageContaining("(U+00C4) at index 2");
        assertThatThrownBy(() -> add.apply("X\r\nInjected", "v"))
                .hasMessageContaining("header name 'X??Injected'")
                .hasMessageContaining("CR (0x0d) at index 1");
        assertThatThrownBy(() -> add.apply("", "v")).hasMessage("header name is empty");
        assertThatThrownBy(() -> add.apply(null, "v")).hasMessage("header name is null");
    }

    static Stream<Arguments> badValues() {
        String split = " (CR/LF would split the header)";
        return Stream.of(
                Arguments.of("a\rb", "CR (0x0d) at index 1" + split),
                Arguments.of("a\nb", "LF (0x0a) at index 1" + split),
                Arguments.of("ok\r\nX: y", "CR (0x0d) at index 2" + split),
                Arguments.of("a\u0000b", "NUL (0x00) at index 1"),
                Arguments.of("\u0001", "control 0x01 at index 0"),
                Arguments.of("del\u007f", "control 0x7f at index 3"),
                Arguments.of("\u0100", "'\u0100' (U+0100) at index 0"),
                Arguments.of("price \u20ac", "'\u20ac' (U+20AC) at index 6"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void rejectsAHeaderValueWithAForbiddenCharacterNamingTheHeader(String value, String what) {
        String expected = "header 'X-Test' value has an illegal character " + what;

        assertThatThrownBy(() -> get().header("X-Test", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expected);
        assertThatThrownBy(() -> get().setHeader("X-Test", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expected);
    }

    @Test
    void rejectsANullHeaderValueNamingTheHeader() {
        assertThatThrownBy(() -> get().header("X-Test", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("header 'X-Test' has a null value");
    }

    @Test
    void acceptsTabsLatin1AndEmptyHeaderValues() {
        Request r = get().header("X-Tab", "a\tb")
                .header("X-Latin1", "caf\u00e9 \u00ff")
                .header("X-Empty", "")
                .build();

        assertThat(r.headers().first("x-tab")).isEqualTo("a\tb");
        assertThat(r.headers().first("x-latin1")).isEqualTo("caf\u00e9 \u00ff");
        assertThat(r.headers().first("x-empty")).isEmpty();
    }

    @Test
    void headerSetHeaderRemoveHeaderAndHeadersCompose() {
        Request r = get().header("Accept", "a")
                .header("accept", "b")
                .setHeader("X-Id", "1")
                .setHeader("x-id", "2")
                .headers(HttpHeaders.of("Via", "v1", "Via", "v2"))
                .header("Gone", "x")
                .removeHeader("GONE")
                .build();

        assertThat(r.headers().all("Accept")).containsExactly("a", "b");
        assertThat(r.headers().all("X-Id")).containsExactly("2");
        assertThat(r.headers().all("via")).containsExactly("v1", "v2");
        assertThat(r.headers().contains("Gone")).isFalse();
    }

    // ---- framing headers the client owns ----

    @Test
    void buildRejectsARequestThatSetsTransferEncoding() {
        Request.Builder b = Request.builder("POST", URL)
                .header("Transfer-Encoding", "chunked")
                .body(RequestBody.ofString("hi"));

        assertThatThrownBy(b::build)
                .as("the request writer refuses it at send time; build() should refuse it first")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Transfer-Encoding");
    }

    @Test
    void buildRejectsAContentLengthThatDoesNotMatchTheBody() {
        Request.Builder b =
                Request.builder("POST", URL).header("Content-Length", "5").body(RequestBody.ofString("hi"));

        assertThatThrownBy(b::build)
                .as("the request writer refuses it at send time; build() should refuse it first")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Content-Length")
                .hasMessageContaining("5")
                .hasMessageContaining("2");
    }

    @Test
    void buildRejectsAContentLengthOnABodyOfUnknownLength() {
        Request.Builder b = Request.builder("POST", URL)
                .header("Content-Length", "3")
                .body(RequestBody.ofInputStream(java.io.InputStream::nullInputStream, -1));

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Content-Length");
    }

    @Test
    void buildAcceptsAContentLengthThatMatchesTheBody() {
        assertThatCode(() -> Request.builder("POST", URL)
                        .header("Content-Length", "2")
                        .body(RequestBody.ofString("hi"))
                        .build())
                .doesNotThrowAnyException();
    }

    @Test
    void buildAcceptsARepeatedContentLengthThatMatchesTheBody() {
        // Harmless: the client writes the one Content-Length itself, from the body.
        Request r = Request.builder("POST", URL)
                .header("Content-Length", "2")
                .header("content-length", " 2 ")
                .body(RequestBody.ofString("hi"))
                .build();

        assertThat(r.headers().all("Content-Length")).containsExactly("2", "2");
    }

    // ---- Host ----

    @Test
    void buildRejectsTwoHostHeadersNamingThem() {
        Request.Builder b = get().header("Host", "a.example").header("host", "b.example");

        assertThatThrownBy(b::build)
                .as("two Host fields are a 400 (RFC 9112 3.2), and a proxy may route on the other one")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Host twice")
                .hasMessageContaining("'a.example' and 'b.example'")
                .hasMessageContaining("setHeader");
    }

    @Test
    void buildRejectsTwoHostHeadersEvenWhenEqual() {
        Request.Builder b = get().headers(HttpHeaders.of("Host", "a.example", "HOST", "a.example"));

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Host twice");
    }

    @Test
    void setHeaderReplacesTheHost() {
        Request r =
                get().header("Host", "a.example").setHeader("host", "b.example").build();

        assertThat(r.headers().all("Host")).containsExactly("b.example");
    }

    @Test
    void addingAHostThroughToBuilderToARequestThatHasOneIsRefusedToo() {
        Request withHost = get().header("Host", "a.example").build();

        assertThatThrownBy(
                        () -> withHost.toBuilder().header("Host", "b.example").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Host twice");
    }

    // ---- whitespace around values ----

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "\"   v  \"|v",
                "\"\t v \t\"|v",
                "\" a  b \"|a  b",
                "\"   \"|\"\"",
                "\"\t\"|\"\"",
            })
    void headerValuesLoseTheWhitespaceAroundThem(String given, String kept) {
        Request r = get().header("X-A", given)
                .setHeader("X-B", given)
                .headers(HttpHeaders.of("X-C", given))
                .build();

        assertThat(r.headers().first("X-A")).isEqualTo(kept);
        assertThat(r.headers().first("X-B")).isEqualTo(kept);
        assertThat(r.headers().first("X-C")).isEqualTo(kept);
    }

    @Test
    void aValueWithNoWhitespaceAroundItIsKeptAsTheSameString() {
        String value = new String("no trimming needed"); // a distinct instance, to see it is not copied

        Request r = get().header("X-A", value).build();

        assertThat(r.headers().first("X-A")).isSameAs(value);
    }

    // ---- query parameters ----

    @Test
    void queryPercentEncodesNameAndValue() {
        Request r = get().query("q", "a b")
                .query("sym", "&=+/?#%")
                .query("keep", "-._~")
                .build();

        assertThat(r.target()).isEqualTo("/path?q=a%20b&sym=%26%3D%2B%2F%3F%23%25&keep=-._~");
    }

    @Test
    void queryEncodesNonAsciiAsUtf8() {
        Request r = get().query("n\u00e4me", "\u20ac")
                .query("emoji", "\uD83D\uDE00")
                .build();

        assertThat(r.target()).isEqualTo("/path?n%C3%A4me=%E2%82%AC&emoji=%F0%9F%98%80");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            http://h            | /?a=1
            http://h/p          | /p?a=1
            http://h/p?x=0      | /p?x=0&a=1
            http://h/p?         | /p?a=1
            http://h/p?x=0&     | /p?x=0&a=1
            http://h?x=0#frag   | /?x=0&a=1
            """)
    void queryIsAppendedToWhateverQueryTheUrlHas(String url, String target) {
        assertThat(Request.builder("GET", url).query("a", "1").build().target()).isEqualTo(target);
    }

    @Test
    void anEmptyQueryValueKeepsItsEqualsSign() {
        assertThat(get().query("flag", "").build().target()).isEqualTo("/path?flag=");
    }

    @Test
    void queryRejectsNulls() {
        assertThatThrownBy(() -> get().query(null, "v"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("query parameter name");
        assertThatThrownBy(() -> get().query("n", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("query parameter value");
    }

    @Test
    void uriReflectsTheAddedQuery() {
        Request r = Request.builder("GET", "https://example.com:8443/s")
                .query("q", "a b")
                .build();

        assertThat(r.uri()).isEqualTo(URI.create("https://example.com:8443/s?q=a%20b"));
        assertThat(r).hasToString("GET https://example.com:8443/s?q=a%20b");
    }

    // ---- timeouts ----

    @Test
    void timeoutsAreUnsetByDefault() {
        Request r = get().build();

        assertThat(r.connectTimeout()).isNull();
        assertThat(r.responseTimeout()).isNull();
        assertThat(r.readTimeout()).isNull();
        assertThat(r.totalTimeout()).isNull();
    }

    @Test
    void timeoutsAreKept() {
        Request r = get().connectTimeout(Duration.ofSeconds(1))
                .responseTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(3))
                .totalTimeout(Duration.ZERO)
                .build();

        assertThat(r.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(r.responseTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.readTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.totalTimeout()).isEqualTo(Duration.ZERO);
    }

    static Stream<Arguments> timeoutSetters() {
        return Stream.of(
                Arguments.of("connectTimeout", (BiFunction<Request.Builder, Duration, Request.Builder>)
                        Request.Builder::connectTimeout),
                Arguments.of("responseTimeout", (BiFunction<Request.Builder, Duration, Request.Builder>)
                        Request.Builder::responseTimeout),
                Arguments.of("readTimeout", (BiFunction<Request.Builder, Duration, Request.Builder>)
                        Request.Builder::readTimeout),
                Arguments.of("totalTimeout", (BiFunction<Request.Builder, Duration, Request.Builder>)
                        Request.Builder::totalTimeout));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("timeoutSetters")
    void aNegativeTimeoutIsRejectedWithItsName(
            String name, BiFunction<Request.Builder, Duration, Request.Builder> set) {
        assertThatThrownBy(() -> set.apply(get(), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(name + " must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> set.apply(get(), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage(name);
    }

    // ---- idempotency ----

    @ParameterizedTest
    @CsvSource({
        "GET, true",
        "HEAD, true",
        "OPTIONS, true",
        "TRACE, true",
        "PUT, true",
        "DELETE, true",
        "POST, false",
        "PATCH, false",
        "CONNECT, false",
        "PROPFIND, false",
        "get, false"
    })
    void idempotentFollowsRfc9110(String method, boolean idempotent) {
        assertThat(Request.builder(method, URL).build().idempotent()).isEqualTo(idempotent);
    }

    // ---- toBuilder ----

    @Test
    void toBuilderRoundTripsEveryPart() {
        RequestBody body = RequestBody.ofString("payload");
        Request original = Request.builder("PUT", "https://[::1]:8443/a/b?x=1")
                .header("A", "1")
                .header("a", "2")
                .header("B", "3")
                .query("q", "v w")
                .body(body)
                .connectTimeout(Duration.ofSeconds(1))
                .responseTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(3))
                .totalTimeout(Duration.ofSeconds(4))
                .build();

        Request copy = original.toBuilder().build();

        assertThat(copy.method()).isEqualTo("PUT");
        assertThat(copy.origin()).isEqualTo(original.origin());
        assertThat(copy.target()).isEqualTo("/a/b?x=1&q=v%20w").isEqualTo(original.target());
        assertThat(copy.headers().toMap()).isEqualTo(original.headers().toMap());
        assertThat(copy.headers().name(1)).isEqualTo("a");
        assertThat(copy.body()).isSameAs(body);
        assertThat(copy.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(copy.responseTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(copy.readTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(copy.totalTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(copy.uri()).isEqualTo(original.uri());
    }

    @Test
    void changesThroughToBuilderLeaveTheOriginalAlone() {
        Request original = get().header("A", "1").query("p", "1").build();

        Request changed = original.toBuilder()
                .setHeader("A", "2")
                .query("p", "2")
                .body(RequestBody.ofString("x"))
                .build();

        assertThat(changed.headers().all("A")).containsExactly("2");
        assertThat(changed.target()).isEqualTo("/path?p=1&p=2");
        assertThat(original.headers().all("A")).containsExactly("1");
        assertThat(original.target()).isEqualTo("/path?p=1");
        assertThat(original.body()).isNull();
    }

    // ---- builders not bound to a client ----

    @Test
    void sendOnABuilderWithoutAClientExplainsWhatToDo() {
        Request.Builder b = get();

        assertThatThrownBy(b::send)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not bound to a client")
                .hasMessageContaining("client.send(");
    }

    @Test
    void executeOnABuilderWithoutAClientExplainsWhatToDo() {
        Request.Builder b = Request.builder("GET", URI.create(URL));

        assertThatThrownBy(b::execute)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not bound to a client");
    }

    @Test
    void aBuilderFromToBuilderIsNotBoundEither() {
        assertThatThrownBy(() -> get().build().toBuilder().send()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void buildingTwiceGivesEqualIndependentRequests() {
        Request.Builder b = get().header("A", "1");

        Request first = b.build();
        b.header("B", "2");
        Request second = b.build();

        assertThat(first.headers().contains("B")).isFalse();
        assertThat(second.headers().contains("B")).isTrue();
    }
}
