package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aioduct.AioductClient;
import io.aioduct.TimedOutException;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.StreamUtils;

/**
 * Spring's contract for a blocking {@code ClientHttpRequestFactory} (the one its own factories are
 * tested against), on every runtime, checked on the wire with the engine's test server.
 */
class AioductClientHttpRequestFactoryTest extends EngineTest {

    private AioductClientHttpRequestFactory factory(RuntimeKind kind) {
        return new AioductClientHttpRequestFactory(
                AioductClient.builder(engine(kind)).build());
    }

    private void echoServer() {
        server.route("/echo", (req, ex) -> {
            List<String> pairs = new java.util.ArrayList<>();
            for (String v : req.headers("MyHeader")) {
                pairs.add("MyHeader");
                pairs.add(v);
            }
            ex.respond(200, req.body(), pairs.toArray(String[]::new));
        });
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void statusMethodAndUri(RuntimeKind kind) throws Exception {
        URI uri = server.toUri("/status/notfound");
        ClientHttpRequest request = factory(kind).createRequest(uri, HttpMethod.GET);
        assertThat(request.getMethod()).isEqualTo(HttpMethod.GET);
        assertThat(request.getURI()).isEqualTo(uri);
        try (ClientHttpResponse response = request.execute()) {
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
            assertThat(response.getStatusText()).isEqualTo("Not Found");
            StreamUtils.drain(response.getBody());
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void echoStreamsTheBodyAndKeepsMultiValuedHeadersBothWays(RuntimeKind kind) throws Exception {
        echoServer();
        ClientHttpRequest request = factory(kind).createRequest(server.toUri("/echo"), HttpMethod.PUT);
        request.getHeaders().add("MyHeader", "value1");
        request.getHeaders().add("MyHeader", "value2");
        byte[] body = "Hello World".getBytes(StandardCharsets.UTF_8);
        request.getHeaders().setContentLength(body.length);
        ((StreamingHttpOutputMessage) request).setBody(out -> StreamUtils.copy(body, out));

        try (ClientHttpResponse response = request.execute()) {
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
            assertThat(response.getHeaders().get("MyHeader")).containsExactly("value1", "value2");
            assertThat(StreamUtils.copyToByteArray(response.getBody())).isEqualTo(body);
        }
        RecordedRequest recorded = server.takeRequest();
        assertThat(recorded.headers("MyHeader")).containsExactly("value1", "value2");
        assertThat(recorded.header("Content-Length")).isEqualTo("11");
        assertThat(recorded.chunked()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void writingTheBodyAfterExecuteIsRefused(RuntimeKind kind) throws Exception {
        echoServer();
        ClientHttpRequest request = factory(kind).createRequest(server.toUri("/echo"), HttpMethod.POST);
        byte[] body = "Hello World".getBytes(StandardCharsets.UTF_8);
        request.getHeaders().setContentLength(body.length);
        ((StreamingHttpOutputMessage) request).setBody(out -> StreamUtils.copy(body, out));
        try (ClientHttpResponse response = request.execute()) {
            assertThatIllegalStateException().isThrownBy(() -> StreamUtils.copy(body, request.getBody()));
            assertThatIllegalStateException()
                    .isThrownBy(() -> ((StreamingHttpOutputMessage) request).setBody(out -> {}));
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
            StreamUtils.drain(response.getBody());
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void changingHeadersAfterExecuteIsRefused(RuntimeKind kind) throws Exception {
        server.route("/ok", (req, ex) -> ex.respond(200, "ok"));
        ClientHttpRequest request = factory(kind).createRequest(server.toUri("/ok"), HttpMethod.POST);
        request.getHeaders().add("MyHeader", "value");
        ((StreamingHttpOutputMessage) request).setBody(out -> out.write("Hello".getBytes(StandardCharsets.UTF_8)));
        try (ClientHttpResponse response = request.execute()) {
            assertThatExceptionOfType(UnsupportedOperationException.class)
                    .isThrownBy(() -> request.getHeaders().add("MyHeader", "value"));
            StreamUtils.drain(response.getBody());
        }
    }

    static Stream<Arguments> methods() {
        return Stream.of(RuntimeKind.values())
                .flatMap(kind -> Stream.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PURGE")
                        .map(method -> Arguments.of(kind, method)));
    }

    @ParameterizedTest
    @MethodSource("methods")
    void everyMethodArrivesWithItsBody(RuntimeKind kind, String name) throws Exception {
        server.route("/methods", (req, ex) -> ex.respond(200, req.method()));
        HttpMethod method = HttpMethod.valueOf(name);
        boolean withBody = !List.of("GET", "HEAD", "OPTIONS", "TRACE").contains(name);
        ClientHttpRequest request = factory(kind).createRequest(server.toUri("/methods"), method);
        if (withBody) {
            ((StreamingHttpOutputMessage) request).setBody(out -> out.write(("body of " + name).getBytes()));
        }
        try (ClientHttpResponse response = request.execute()) {
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
            String body = StreamUtils.copyToString(response.getBody(), StandardCharsets.UTF_8);
            assertThat(body).isEqualTo(name.equals("HEAD") ? "" : name);
        }
        RecordedRequest recorded = server.takeRequest();
        assertThat(recorded.method()).isEqualTo(name);
        assertThat(recorded.bodyAsString()).isEqualTo(withBody ? "body of " + name : "");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBodilessGetSendsNoContentLength(RuntimeKind kind) throws Exception {
        server.route("/get", (req, ex) -> ex.respond(200, "ok"));
        try (ClientHttpResponse response = factory(kind)
                .createRequest(server.toUri("/get"), HttpMethod.GET)
                .execute()) {
            StreamUtils.drain(response.getBody());
        }
        RecordedRequest recorded = server.takeRequest();
        assertThat(recorded.header("Content-Length")).isNull();
        assertThat(recorded.header("Transfer-Encoding")).isNull();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theQueryStringIsSentAsGiven(RuntimeKind kind) throws Exception {
        server.route("/params", (req, ex) -> ex.respond(200, "ok"));
        String query = "param1=value&param2=value1&param2=value2&enc=a%20b%2Bc%26d&empty=&flag";
        try (ClientHttpResponse response = factory(kind)
                .createRequest(server.toUri("/params?" + query), HttpMethod.GET)
                .execute()) {
            StreamUtils.drain(response.getBody());
        }
        assertThat(server.takeRequest().query()).isEqualTo(query);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void statusCodesSpringDoesNotKnowComeThrough(RuntimeKind kind) throws Exception {
        server.route("/555", (req, ex) -> {
            ex.writeRaw("HTTP/1.1 555 Odd\r\nContent-Length: 3\r\n\r\nodd");
            ex.complete();
        });
        server.route("/929", (req, ex) -> {
            ex.writeRaw("HTTP/1.1 929\r\nContent-Length: 5\r\n\r\nodder");
            ex.complete();
        });
        AioductClientHttpRequestFactory factory = factory(kind);
        for (int status : new int[] {555, 929}) {
            try (ClientHttpResponse response = factory.createRequest(server.toUri("/" + status), HttpMethod.GET)
                    .execute()) {
                assertThat(response.getStatusCode().value()).isEqualTo(status);
                assertThat(response.getStatusText())
                        .as("the reason phrase the server sent")
                        .isEqualTo(status == 555 ? "Odd" : "");
                StreamUtils.drain(response.getBody());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBodyOfUnknownLengthStreamsChunked(RuntimeKind kind) throws Exception {
        echoServer();
        byte[] piece = new byte[8192];
        java.util.Arrays.fill(piece, (byte) 'x');
        ClientHttpRequest request = factory(kind).createRequest(server.toUri("/echo"), HttpMethod.POST);
        ((StreamingHttpOutputMessage) request).setBody(out -> {
            for (int i = 0; i < 128; i++) out.write(piece);
        });
        try (ClientHttpResponse response = request.execute()) {
            assertThat(StreamUtils.copyToByteArray(response.getBody())).hasSize(128 * 8192);
        }
        RecordedRequest recorded = server.takeRequest();
        assertThat(recorded.chunked()).isTrue();
        assertThat(recorded.bodySize()).isEqualTo(128 * 8192);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aFailingBodyWriterFailsTheRequestWithItsOwnException(RuntimeKind kind) throws Exception {
        echoServer();
        IOException boom = new IOException("the body source failed");
        ClientHttpRequest request = factory(kind).createRequest(server.toUri("/echo"), HttpMethod.POST);
        ((StreamingHttpOutputMessage) request).setBody(out -> {
            out.write("partial".getBytes(StandardCharsets.UTF_8));
            throw boom;
        });
        assertThat(catchThrowable(request::execute)).isSameAs(boom);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aTimeoutIsASocketTimeoutExceptionCausedByTheEnginesTimeout(RuntimeKind kind) {
        server.route("/stall", (req, ex) -> ex.stall());
        HttpEngine engine = engine(kind);
        AioductClientHttpRequestFactory factory = new AioductClientHttpRequestFactory(AioductClient.builder(engine)
                .responseTimeout(Duration.ofMillis(200))
                .build());
        Throwable thrown = catchThrowable(() ->
                factory.createRequest(server.toUri("/stall"), HttpMethod.GET).execute());
        assertThat(thrown).isInstanceOf(SocketTimeoutException.class).hasCauseInstanceOf(TimedOutException.class);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRefusedConnectionIsAConnectException(RuntimeKind kind) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Throwable thrown = catchThrowable(() -> factory(kind)
                .createRequest(URI.create("http://127.0.0.1:" + closedPort + "/"), HttpMethod.GET)
                .execute());
        assertThat(thrown).isInstanceOf(ConnectException.class);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void closingBeforeTheEndOfTheBodyReleasesTheConnection(RuntimeKind kind) throws Exception {
        server.route("/big", (req, ex) -> ex.respond(200, new byte[1 << 20]));
        AioductClientHttpRequestFactory factory = factory(kind);
        ClientHttpResponse response =
                factory.createRequest(server.toUri("/big"), HttpMethod.GET).execute();
        InputStream body = response.getBody();
        assertThat(body.read(new byte[100])).isPositive();
        response.close();
        awaitQuiet(factory.client().engine());
    }
}
