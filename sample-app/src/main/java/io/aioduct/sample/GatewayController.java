package io.aioduct.sample;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Gateway endpoints: {@code GET /gateway/{via}/{endpoint}?client=default} calls the downstream endpoint
 * through that Spring client on that aioduct client and says what came back. A downstream failure is a 502
 * naming the exception.
 */
@RestController
class GatewayController {

    private final ClientDirectory clients;
    private final Gateway gateway;
    private final SampleProperties properties;

    GatewayController(ClientDirectory clients, Gateway gateway, SampleProperties properties) {
        this.clients = clients;
        this.gateway = gateway;
        this.properties = properties;
    }

    @GetMapping("/gateway/{via}/{endpoint}")
    ResponseEntity<Map<String, Object>> call(
            @PathVariable String via,
            @PathVariable String endpoint,
            @RequestParam(defaultValue = ClientDirectory.DEFAULT) String client) {
        ClientSet set = clients.get("client", client);
        Via v = Via.parse("via", via);
        Endpoint e = Endpoint.parse("endpoint", endpoint);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("client", set.name());
        body.put("runtime", set.runtime());
        body.put("via", v.id());
        body.put("endpoint", e.id());
        long start = System.nanoTime();
        try {
            body.put("bytes", gateway.call(set, v, e, properties.slowDelay().toMillis()));
            body.put("micros", (System.nanoTime() - start) / 1000);
            return ResponseEntity.ok(body);
        } catch (RuntimeException failure) {
            body.put("error", failure.getClass().getName() + ": " + failure.getMessage());
            return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(body);
        }
    }
}
