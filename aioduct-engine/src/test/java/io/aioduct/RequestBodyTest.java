package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestBodyTest {

    private static String text(RequestBody body) {
        RequestBody.Bytes b = (RequestBody.Bytes) body;
        return new String(b.array(), b.offset(), b.length(), StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(RequestBody body) {
        RequestBody.Bytes b = (RequestBody.Bytes) body;
        return Arrays.copyOfRange(b.array(), b.offset(), b.offset() + b.length());
    }

    @Test
    void ofStringIsUtf8TextPlainByDefault() {
        RequestBody body = RequestBody.ofString("h\u00e9llo \u20ac");

        assertThat(body.contentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(bytes(body)).isEqualTo("h\u00e9llo \u20ac".getBytes(StandardCharsets.UTF_8));
        assertThat(body.contentLength()).isEqualTo(10);
        assertThat(body.repeatable()).isTrue();
    }

    @Test
    void ofStringWithACharsetEncodesInThatCharset() {
        RequestBody body =
                RequestBody.ofString("caf\u00e9", StandardCharsets.ISO_8859_1, "text/plain; charset=ISO-8859-1");

        assertThat(bytes(body)).containsExactly('c', 'a', 'f', 0xe9);
        assertThat(body.contentLength()).isEqualTo(4);
        assertThat(body.contentType()).isEqualTo("text/plain; charset=ISO-8859-1");
    }

    @Test
    void ofStringAllowsNoContentType() {
        assertThat(RequestBody.ofString("x", StandardCharsets.UTF_8, null).contentType())
                .isNull();
    }

    @Test
    void ofBytesHasNoContentTypeUnlessGiven() {
        byte[] data = {1, 2, 3};

        assertThat(RequestBody.ofBytes(data).contentType()).isNull();
        assertThat(RequestBody.ofBytes(data).contentLength()).isEqualTo(3);
        assertThat(RequestBody.ofBytes(data, "application/octet-stream").contentType())
                .isEqualTo("application/octet-stream");
        assertThat(RequestBody.ofBytes(new byte[0]).contentLength()).isZero();
    }

    @Test
    void ofFormEncodesSpacesAsPlusAndEscapesReservedCharacters() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("a b", "c d");
        fields.put("x&y", "1=2+3");
        fields.put("name", "J\u00fcrgen");
        fields.put("empty", "");

        RequestBody body = RequestBody.ofForm(fields);

        assertThat(text(body)).isEqualTo("a+b=c+d&x%26y=1%3D2%2B3&name=J%C3%BCrgen&empty=");
        assertThat(body.contentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(body.contentLength()).isEqualTo(text(body).length());
        assertThat(body.repeatable()).isTrue();
    }

    @Test
    void anEmptyFormIsAnEmptyBody() {
        assertThat(RequestBody.ofForm(Map.of()).contentLength()).isZero();
    }

    @Test
    void ofFormRejectsANullValueNamingTheField() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("token", null);

        assertThatThrownBy(() -> RequestBody.ofForm(fields))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("form field 'token' value");
    }

    @Test
    void aSingleInputStreamBodyCanBeOpenedOnlyOnce() {
        InputStream in = new ByteArrayInputStream(new byte[] {1, 2, 3});
        RequestBody.Stream body = (RequestBody.Stream) RequestBody.ofInputStream(in, 3);

        assertThat(body.repeatable()).isFalse();
        assertThat(body.contentLength()).isEqualTo(3);
        assertThat(body.contentType()).isNull();
        assertThat(body.open()).isSameAs(in);
        assertThatThrownBy(body::open)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already sent")
                .hasMessageContaining("ofInputStream(Supplier, long)");
    }

    @Test
    void aOneShotStreamStaysOneShotWhenItsContentTypeChanges() {
        RequestBody.Stream body =
                (RequestBody.Stream) RequestBody.ofInputStream(new ByteArrayInputStream(new byte[0]), -1);
        body.open();

        RequestBody.Stream typed = (RequestBody.Stream) body.withContentType("application/json");

        assertThat(typed.repeatable()).isFalse();
        assertThatThrownBy(typed::open).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSupplierBodyOpensAFreshStreamEachTime() {
        AtomicInteger opened = new AtomicInteger();
        RequestBody.Stream body = (RequestBody.Stream) RequestBody.ofInputStream(
                () -> new ByteArrayInputStream(new byte[] {(byte) opened.incrementAndGet()}), 1);

        InputStream first = body.open();
        InputStream second = body.open();

        assertThat(body.repeatable()).isTrue();
        assertThat(first).isNotSameAs(second);
        assertThat(opened.get()).isEqualTo(2);
    }

    @Test
    void aSupplierReturningNullIsReported() {
        RequestBody.Stream body = (RequestBody.Stream) RequestBody.ofInputStream(() -> null, -1);

        assertThatThrownBy(body::open)
                .isInstanceOf(NullPointerException.class)
                .hasMessage("the body stream supplier returned null");
    }

    @Test
    void unknownLengthIsMinusOne() {
        assertThat(RequestBody.ofInputStream(InputStream.nullInputStream(), -1).contentLength())
                .isEqualTo(-1);
        assertThat(RequestBody.ofInputStream(InputStream::nullInputStream, 0).contentLength())
                .isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {-2, -100, Long.MIN_VALUE})
    void aLengthBelowMinusOneIsRejected(long length) {
        String message = "body length must be -1 (unknown) or >= 0, was " + length;
        assertThatThrownBy(() -> RequestBody.ofInputStream(InputStream.nullInputStream(), length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> RequestBody.ofInputStream(InputStream::nullInputStream, length))
                .hasMessage(message);
        try (SubmissionPublisher<ByteBuffer> p = new SubmissionPublisher<>()) {
            assertThatThrownBy(() -> RequestBody.ofPublisher(p, length)).hasMessage(message);
        }
    }

    @Test
    void aPublisherBodyIsNotRepeatable() {
        try (SubmissionPublisher<ByteBuffer> p = new SubmissionPublisher<>()) {
            RequestBody.Publisher body = (RequestBody.Publisher) RequestBody.ofPublisher(p, 10);

            assertThat(body.repeatable()).isFalse();
            assertThat(body.contentLength()).isEqualTo(10);
            assertThat(body.publisher()).isSameAs(p);
            RequestBody.Publisher typed = (RequestBody.Publisher) body.withContentType("text/csv");
            assertThat(typed.contentType()).isEqualTo("text/csv");
            assertThat(typed.publisher()).isSameAs(p);
            assertThat(typed.contentLength()).isEqualTo(10);
        }
    }

    @Test
    void withContentTypeReturnsANewBodyWithTheSameBytes() {
        RequestBody original = RequestBody.ofString("{}");

        RequestBody json = original.withContentType("application/json");

        assertThat(json).isNotSameAs(original);
        assertThat(json.contentType()).isEqualTo("application/json");
        assertThat(original.contentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(bytes(json)).isEqualTo(bytes(original));
        assertThat(json.contentLength()).isEqualTo(2);
        assertThat(json.withContentType(null).contentType()).isNull();
    }

    @Test
    void withContentTypeKeepsASupplierBodyRepeatable() {
        RequestBody body =
                RequestBody.ofInputStream(InputStream::nullInputStream, 5).withContentType("a/b");

        assertThat(body.repeatable()).isTrue();
        assertThat(body.contentLength()).isEqualTo(5);
        assertThat(body.contentType()).isEqualTo("a/b");
    }

    @Test
    void factoriesRejectNulls() {
        assertThatThrownBy(() -> RequestBody.ofBytes(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("bytes");
        assertThatThrownBy(() -> RequestBody.ofString(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("text");
        assertThatThrownBy(() -> RequestBody.ofForm(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fields");
        assertThatThrownBy(() -> RequestBody.ofInputStream((InputStream) null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("stream");
    }
}
