package io.aioduct.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dashboard's JSON API: the clients there are, starting and stopping a load, and the numbers the page
 * polls ({@code GET /api/stats?client=...}).
 */
@RestController
class DashboardController {

    private final ClientDirectory clients;
    private final LoadRunner runner;
    private final MeterView meters;
    private final SampleProperties properties;

    DashboardController(ClientDirectory clients, LoadRunner runner, MeterView meters, SampleProperties properties) {
        this.clients = clients;
        this.runner = runner;
        this.meters = meters;
        this.properties = properties;
    }

    @GetMapping("/api/clients")
    Map<String, Object> clients() {
        List<Map<String, Object>> list = clients.names().stream()
                .map(name -> Map.<String, Object>of(
                        "name", name, "runtime", clients.get("client", name).runtime()))
                .toList();
        return Map.of(
                "clients", list,
                "vias", List.of(Via.ids().split(", ")),
                "endpoints", List.of(Endpoint.ids().split(", ")),
                "maxConcurrency", properties.maxConcurrency(),
                "maxDurationSeconds", properties.maxDuration().toSeconds());
    }

    /** Starts a load described by request parameters (see {@link LoadSpec#parse}); 201 with its progress. */
    @PostMapping("/api/load")
    ResponseEntity<Map<String, Object>> start(@RequestParam Map<String, String> params) {
        LoadSpec spec = LoadSpec.parse(params, properties, clients);
        try {
            return ResponseEntity.status(HttpStatus.CREATED)
                    .body(runner.start(spec).snapshot());
        } catch (IllegalStateException busy) {
            return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", busy.getMessage()));
        }
    }

    @PostMapping("/api/load/stop")
    Map<String, Object> stop(@RequestParam(defaultValue = ClientDirectory.DEFAULT) String client) {
        clients.get("client", client);
        return Map.of("client", client, "stopped", runner.stop(client));
    }

    @GetMapping("/api/load")
    List<Map<String, Object>> runs() {
        return runner.all().stream().map(LoadRun::snapshot).toList();
    }

    @GetMapping("/api/stats")
    Map<String, Object> stats(@RequestParam(defaultValue = ClientDirectory.DEFAULT) String client) {
        ClientSet set = clients.get("client", client);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("client", set.name());
        m.put("runtime", set.runtime());
        m.put("timeMs", System.currentTimeMillis());
        LoadRun run = runner.current(client);
        m.put("run", run == null ? null : run.snapshot());
        m.put("load", meters.load(client));
        m.put("connections", meters.connections(client));
        m.put("cores", meters.cores(client));
        return m;
    }
}
