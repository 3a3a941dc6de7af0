package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aioduct.AioductClient;
import io.aioduct.AioductException;
import io.aioduct.ConnectFailedException;
import io.aioduct.TimedOutException;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientException;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * What RestClient, RestTemplate and WebClient users see on the starter's adapters, held to what Spring's
 * own connectors do, on every runtime: the {@code Accept} sent by default, the status text, failures as
 * {@link IOException}s (with the engine's exception as their cause), and request attributes.
 */
class SpringClientContractTest extends EngineTest {
    private static final Duration HANG = Duration.ofSeconds(10); // only ever hit when something hangs
    private static final Duration SHORT = Duration.ofMillis(200);

    private AioductClient aioduct(RuntimeKind kind) {
        return AioductClient.builder(engine(kind)).build();
    }

    private static WebClient webClient(AioductClient client) {
        return WebClient.builder()
                .clientConnector(new AioductClientHttpConnector(client))
                .build();
    }

    private static RestClient restClient(AioductClient client) {
        return RestClient.builder()
                .requestFactory(new AioductClientHttpRequestFactory(client))
                .build();
    }

    private void respondRaw(String path, String response) {
        server.route(path, (req, ex) -> {
            ex.writeRaw(response);
            ex.complete();
        });
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void webClientSendsAcceptAllUnlessTheRequestOrTheClientNamesOne(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = aioduct(kind);
        URI uri = server.toUri("/");

        webClient(client).get().uri(uri).retrieve().toBodilessEntity().block(HANG);
        assertThat(server.takeRequest().headers("Accept")).containsExactly("*/*");

        webClient(client)
                .get()
                .uri(uri)
                .accept(MediaType.APPLICATION_JSON)
                .retrieve()
                .toBodilessEntity()
                .block(HANG);
        assertThat(server.takeRequest().headers("Accept")).containsExactly("application/json");

        AioductClient withDefault =
                client.newBuilder().defaultHeader("Accept", "text/plain").build();
        webClient(withDefault).get().uri(uri).retrieve().toBodilessEntity().block(HANG);
        assertThat(server.takeRequest().headers("Accept")).containsExactly("text/plain");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void restClientAndRestTemplateSendTheAcceptSpringsDefaultJdkFactorySends(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        List<List<String>> viaJdk;
        try (HttpClient jdk =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            viaJdk = acceptsSentThrough(new JdkClientHttpRequestFactory(jdk));
        }
        List<List<String>> viaAioduct = acceptsSentThrough(new AioductClientHttpRequestFactory(aioduct(kind)));

        assertThat(viaAioduct).isEqualTo(viaJdk);
        assertThat(viaJdk.getFirst())
                .as("a bodiless RestClient GET names no Accept")
                .isEmpty();
    }

    /** The Accept values each of a few typical RestClient and RestTemplate calls sends through {@code factory}. */
    private List<List<String>> acceptsSentThrough(ClientHttpRequestFactory factory) {
        RestClient rest = RestClient.builder().requestFactory(factory).build();
        RestTemplate template = new RestTemplate(factory);
        URI uri = server.toUri("/");
        List<Consumer<URI>> calls = List.of(
                u -> rest.get().uri(u).retrieve().toBodilessEntity(),
                u -> rest.get().uri(u).retrieve().body(String.class),
                u -> rest.delete().uri(u).retrieve().toBodilessEntity(),
                u -> template.getForObject(u, String.class),
                u -> template.exchange(u, HttpMethod.GET, null, Void.class),
                template::delete);
        List<List<String>> accepts = new ArrayList<>();
        for (Consumer<URI> call : calls) {
            call.accept(uri);
            accepts.add(server.takeRequest().headers("Accept"));
        }
        return accepts;
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theStatusTextIsTheReasonPhraseTheServerSent(RuntimeKind kind) {
        respondRaw("/own", "HTTP/1.1 500 Server Error\r\nContent-Length: 4\r\n\r\noops");
        respondRaw("/none", "HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n");
        AioductClient client = aioduct(kind);
        RestClient rest = restClient(client);
        RestTemplate template = new RestTemplate(new AioductClientHttpRequestFactory(client));

        assertThat(catchThrowable(
                        () -> rest.get().uri(server.toUri("/own")).retrieve().body(String.class)))
                .isInstanceOfSatisfying(HttpServerErrorException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(500);
                    assertThat(e.getStatusText()).isEqualTo("Server Error");
                    assertThat(e.getResponseBodyAsString()).isEqualTo("oops");
                });
        assertThat(catchThrowable(() -> template.getForObject(server.toUri("/none"), String.class)))
                .isInstanceOfSatisfying(HttpServerErrorException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(503);
                    assertThat(e.getStatusText()).isEmpty();
                });
    }

    /** Bodies that break after the head: malformed chunked framing, and a connection closed mid-body. */
    static Stream<Arguments> brokenBodies() {
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            out.add(Arguments.of(kind, "malformed chunk"));
            out.add(Arguments.of(kind, "closed mid-body"));
        }
        return out.stream();
    }

    private void serveBrokenBody(String how) {
        server.route("/broken", (req, ex) -> {
            if (how.equals("malformed chunk")) {
                ex.writeRaw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\nZZ-not-hex\r\nmore\r\n");
            } else {
                ex.writeRawThenClose(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly this");
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("brokenBodies")
    void aBrokenBodyReachesRestClientAndRestTemplateAsAnIOException(RuntimeKind kind, String how) {
        serveBrokenBody(how);
        AioductClient client = aioduct(kind);

        Throwable viaRestClient = catchThrowable(() ->
                restClient(client).get().uri(server.toUri("/broken")).retrieve().body(String.class));
        assertIOExceptionFromTheEngine(viaRestClient, RestClientException.class);

        Throwable viaRestTemplate = catchThrowable(() -> new RestTemplate(new AioductClientHttpRequestFactory(client))
                .getForObject(server.toUri("/broken"), String.class));
        assertIOExceptionFromTheEngine(viaRestTemplate, RestClientException.class);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("brokenBodies")
    void aBrokenBodyReachesWebClientAsAnIOException(RuntimeKind kind, String how) {
        serveBrokenBody(how);

        Throwable thrown = catchThrowable(() -> webClient(aioduct(kind))
                .get()
                .uri(server.toUri("/broken"))
                .retrieve()
                .bodyToMono(String.class)
                .block(HANG));
        assertIOExceptionFromTheEngine(thrown, WebClientException.class);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBodySilentPastTheReadTimeoutIsASocketTimeoutExceptionForEveryClient(RuntimeKind kind) {
        server.route(
                "/silent",
                (req, ex) ->
                        ex.writeRaw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nsome"));
        AioductClient client =
                AioductClient.builder(engine(kind)).readTimeout(SHORT).build();
        URI uri = server.toUri("/silent");

        assertThat(catchThrowable(
                        () -> restClient(client).get().uri(uri).retrieve().body(String.class)))
                .isInstanceOf(RestClientException.class)
                .cause()
                .isInstanceOf(SocketTimeoutException.class)
                .hasCauseInstanceOf(TimedOutException.class);
        assertThat(catchThrowable(() -> webClient(client)
                        .get()
                        .uri(uri)
                        .retrieve()
                        .bodyToMono(String.class)
                        .block(HANG)))
                .isInstanceOf(WebClientException.class)
                .cause()
                .isInstanceOf(SocketTimeoutException.class)
                .hasCauseInstanceOf(TimedOutException.class);
    }

    private static void assertIOExceptionFromTheEngine(Throwable thrown, Class<? extends Throwable> springType) {
        assertThat(thrown).isInstanceOf(springType);
        assertThat(thrown.getCause())
                .as("the cause of %s", thrown)
                .isInstanceOf(IOException.class)
                .hasCauseInstanceOf(AioductException.class);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRefusedConnectionIsAConnectExceptionForEveryClient(RuntimeKind kind) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + closedPort + "/");
        AioductClient client = aioduct(kind);

        assertThat(catchThrowable(
                        () -> restClient(client).get().uri(uri).retrieve().toBodilessEntity()))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(ConnectException.class)
                .hasCauseInstanceOf(ConnectFailedException.class);
        assertThat(catchThrowable(() -> webClient(client)
                        .get()
                        .uri(uri)
                        .retrieve()
                        .toBodilessEntity()
                        .block(HANG)))
                .isInstanceOf(WebClientRequestException.class)
                .cause()
                .isInstanceOf(ConnectException.class)
                .hasCauseInstanceOf(ConnectFailedException.class);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aTimeoutIsASocketTimeoutExceptionForEveryClient(RuntimeKind kind) {
        server.route("/stall", (req, ex) -> ex.stall());
        AioductClient client =
                AioductClient.builder(engine(kind)).responseTimeout(SHORT).build();
        URI uri = server.toUri("/stall");

        assertThat(catchThrowable(
                        () -> restClient(client).get().uri(uri).retrieve().toBodilessEntity()))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(SocketTimeoutException.class)
                .hasCauseInstanceOf(TimedOutException.class);
        assertThat(catchThrowable(() -> webClient(client)
                        .get()
                        .uri(uri)
                        .retrieve()
                        .toBodilessEntity()
                        .block(HANG)))
                .isInstanceOf(WebClientRequestException.class)
                .cause()
                .isInstanceOf(SocketTimeoutException.class)
                .hasCauseInstanceOf(TimedOutException.class);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aTimeoutAttributeSetByAFilterTimesOutThatRequestAlone(RuntimeKind kind) throws Exception {
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/held", (req, ex) -> held.add(ex));
        WebClient web = WebClient.builder()
                .clientConnector(new AioductClientHttpConnector(aioduct(kind)))
                .filter((request, next) -> "impatient".equals(request.url().getQuery())
                        ? next.exchange(ClientRequest.from(request)
                                .attribute(AioductRequestAttributes.RESPONSE_TIMEOUT, SHORT)
                                .build())
                        : next.exchange(request))
                .build();

        CompletableFuture<String> patient = web.get()
                .uri(server.toUri("/held?patient"))
                .retrieve()
                .bodyToMono(String.class)
                .toFuture();
        ServerExchange patientExchange = held.poll(HANG.toSeconds(), TimeUnit.SECONDS);
        assertThat(patientExchange).as("the patient request reached the server").isNotNull();

        Throwable impatient = catchThrowable(() -> web.get()
                .uri(server.toUri("/held?impatient"))
                .retrieve()
                .bodyToMono(String.class)
                .block(HANG));
        assertThat(impatient)
                .isInstanceOf(WebClientRequestException.class)
                .cause()
                .isInstanceOf(SocketTimeoutException.class)
                .hasCauseInstanceOf(TimedOutException.class);

        // The patient request has now waited longer than the impatient one's timeout, and still gets its answer.
        patientExchange.respond(200, "worth the wait");
        assertThat(patient.get(HANG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("worth the wait");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void restClientAttributesReachTheEngineRequest(RuntimeKind kind) {
        server.route("/stall", (req, ex) -> ex.stall());
        server.route("/ok", (req, ex) -> ex.respond(200, "ok"));
        List<Object> tenants = new CopyOnWriteArrayList<>();
        AioductClient client = AioductClient.builder(engine(kind))
                .interceptor(chain -> {
                    Object tenant = chain.request().attribute("tenant");
                    tenants.add(tenant == null ? "none" : tenant);
                    return chain.proceed(chain.request());
                })
                .build();
        RestClient rest = restClient(client);

        assertThat(catchThrowable(() -> rest.get()
                        .uri(server.toUri("/stall"))
                        .attribute(AioductRequestAttributes.RESPONSE_TIMEOUT, SHORT)
                        .retrieve()
                        .toBodilessEntity()))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(SocketTimeoutException.class);

        rest.get()
                .uri(server.toUri("/ok"))
                .attribute("tenant", "acme")
                .retrieve()
                .body(String.class);
        assertThat(tenants).as("what an engine interceptor saw").endsWith("acme");

        assertThat(catchThrowable(() -> rest.get()
                        .uri(server.toUri("/ok"))
                        .attribute(AioductRequestAttributes.READ_TIMEOUT, "2s")
                        .retrieve()
                        .body(String.class)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(AioductRequestAttributes.READ_TIMEOUT)
                .hasMessageContaining("Duration");
    }
}
