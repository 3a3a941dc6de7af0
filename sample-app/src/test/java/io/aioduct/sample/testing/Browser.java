package io.aioduct.sample.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Headless Chromium driven over the W3C WebDriver HTTP protocol: Debian's {@code chromedriver} is started on a
 * free loopback port, and one browser session is opened through it. Just what the dashboard test needs:
 * navigate, run a script, click, screenshot. Closing it ends the session and the driver.
 */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The W3C name of the key under which an element reference comes back. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final HttpClient http = HttpClient.newHttpClient();
    private final Process driver;
    private final URI base;
    private final String session;

    private Browser(Process driver, URI base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    /** Starts chromedriver and a headless Chromium session with a {@code width}x{@code height} window. */
    public static Browser start(int width, int height) throws IOException, InterruptedException {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(
                        p + " is missing: run scripts/ensure-test-packages (installs chromium and chromium-driver)");
            }
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("chromedriver", ".log");
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                HttpResponse<String> status = http.send(
                        HttpRequest.newBuilder(base.resolve("/status")).build(), HttpResponse.BodyHandlers.ofString());
                if (JSON.readTree(status.body()).path("value").path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!driver.isAlive() || System.nanoTime() - deadline > 0) {
                driver.destroyForcibly();
                throw new IllegalStateException("chromedriver did not start: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        Map<String, Object> options = Map.of(
                "binary",
                CHROMIUM.toString(),
                "args",
                List.of(
                        "--headless=new",
                        // CI runs as root, where Chromium's sandbox cannot start.
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--window-size=" + width + "," + height));
        Map<String, Object> capabilities = Map.of(
                "capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome", "goog:chromeOptions", options)));
        try {
            JsonNode created = call(http, "POST", base.resolve("/session"), capabilities);
            return new Browser(
                    driver, base, created.path("value").path("sessionId").asString());
        } catch (RuntimeException e) {
            driver.destroyForcibly();
            throw new IllegalStateException(
                    "chromedriver could not open a session; its log: " + Files.readString(log), e);
        }
    }

    public void navigate(URI url) {
        command("POST", "/url", Map.of("url", url.toString()));
    }

    /** Runs {@code script} (a function body; {@code return} gives the result) in the page. */
    public JsonNode execute(String script, Object... args) {
        return command("POST", "/execute/sync", Map.of("script", script, "args", List.of(args)))
                .path("value");
    }

    /** Clicks the element with that id, as a user would (scrolled into view, real mouse events). */
    public void clickById(String id) {
        JsonNode element = command("POST", "/element", Map.of("using", "css selector", "value", "#" + id))
                .path("value");
        command("POST", "/element/" + element.path(ELEMENT).asString() + "/click", Map.of());
    }

    /** Replaces the value of the input with that id by typing {@code text}. */
    public void typeInto(String id, String text) {
        String element = command("POST", "/element", Map.of("using", "css selector", "value", "#" + id))
                .path("value")
                .path(ELEMENT)
                .asString();
        command("POST", "/element/" + element + "/clear", Map.of());
        command("POST", "/element/" + element + "/value", Map.of("text", text));
    }

    public void screenshot(Path file) throws IOException {
        String png = command("GET", "/screenshot", null).path("value").asString();
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    private JsonNode command(String method, String path, Object body) {
        return call(http, method, base.resolve("/session/" + session + path), body);
    }

    private static JsonNode call(HttpClient http, String method, URI uri, Object body) {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, publisher)
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json = JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(method + " " + uri.getPath() + " failed: " + response.statusCode() + " "
                        + json.path("value").path("message").asString());
            }
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            call(http, "DELETE", base.resolve("/session/" + session), null);
        } finally {
            driver.destroy();
            if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        }
    }
}
