package io.aioduct.sample;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The "downstream" service the gateways call: the app serves it itself, on loopback, so the sample needs
 * nothing else running. Requests are served on virtual threads ({@code spring.threads.virtual.enabled}), so a
 * slow endpoint under a high load does not run out of Tomcat threads.
 */
@RestController
@RequestMapping("/downstream")
class DownstreamController {

    /** Longest delay {@code /slow} accepts, so a request cannot park a server thread for long. */
    static final long MAX_DELAY_MS = 10_000;

    private final SampleProperties properties;
    private final byte[] large;

    DownstreamController(SampleProperties properties) {
        this.properties = properties;
        this.large = new byte[properties.largeBytes()];
        Arrays.fill(large, (byte) 'a');
    }

    @GetMapping(value = "/small", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> small() {
        return Map.of(
                "service",
                "downstream",
                "ok",
                true,
                "value",
                ThreadLocalRandom.current().nextInt(1000));
    }

    @GetMapping(value = "/large", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    byte[] large() {
        return large;
    }

    @GetMapping(value = "/slow", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> slow(@RequestParam(required = false) @Nullable Long delayMs)
            throws InterruptedException {
        long delay = delayMs == null ? properties.slowDelay().toMillis() : delayMs;
        if (delay < 0 || delay > MAX_DELAY_MS) {
            return ResponseEntity.badRequest()
                    .body(Map.of("error", "delayMs must be between 0 and " + MAX_DELAY_MS + ", was " + delay));
        }
        Thread.sleep(delay);
        return ResponseEntity.ok(Map.of("service", "downstream", "delayMs", delay));
    }

    /**
     * Fails a share of calls: half of the failures answer 503, the other half promise a body, send part of it
     * and close the connection (the client sees the connection closed mid-body).
     */
    @GetMapping("/flaky")
    void flaky(@RequestParam(required = false) @Nullable Double failRate, HttpServletResponse response)
            throws IOException {
        double rate = failRate == null ? properties.flakyFailRate() : failRate;
        if (rate < 0 || rate > 1) {
            response.sendError(400, "failRate must be between 0 and 1, was " + rate);
            return;
        }
        double roll = ThreadLocalRandom.current().nextDouble();
        if (roll < rate / 2) {
            response.sendError(503, "flaky downstream: failing on purpose");
            return;
        }
        byte[] body = "{\"service\":\"downstream\",\"flaky\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        if (roll < rate) {
            // Promise more than is sent, and have Tomcat close the connection after the response.
            response.setHeader("Connection", "close");
            response.setContentLength(body.length * 4);
            response.getOutputStream().write(body, 0, body.length / 2);
            response.flushBuffer();
            return;
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
