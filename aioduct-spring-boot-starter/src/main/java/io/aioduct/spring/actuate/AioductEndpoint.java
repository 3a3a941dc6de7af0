package io.aioduct.spring.actuate;

import io.aioduct.engine.HttpEngine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code aioduct} actuator endpoint: every engine by client name ({@code default}, then each {@code
 * aioduct.clients.<name>}), each with its runtime, threads (per core for io-uring) and pools with their
 * origin, protocol and active / idle / connecting / pending counts; {@code /actuator/aioduct/<name>} shows
 * one. Read-only; thread-safe.
 */
@Endpoint(id = "aioduct")
public class AioductEndpoint {
    private final Map<String, HttpEngine> engines;

    /** An endpoint showing one engine, as {@code default}. */
    public AioductEndpoint(HttpEngine engine) {
        this(Map.of("default", Objects.requireNonNull(engine, "engine")));
    }

    /** An endpoint showing {@code engines}, by name, in the map's order. */
    public AioductEndpoint(Map<String, HttpEngine> engines) {
        this.engines = new LinkedHashMap<>(Objects.requireNonNull(engines, "engines"));
    }

    @ReadOperation
    public Engines engines() {
        Map<String, EngineSnapshot> out = new LinkedHashMap<>();
        engines.forEach((name, engine) -> out.put(name, EngineSnapshot.of(engine)));
        return new Engines(out);
    }

    /** One engine by client name; null (404) for a name there is no engine for. */
    @ReadOperation
    public @Nullable EngineSnapshot engine(@Selector String name) {
        HttpEngine engine = engines.get(name);
        return engine == null ? null : EngineSnapshot.of(engine);
    }

    /** @param engines every engine by client name, {@code default} first */
    public record Engines(Map<String, EngineSnapshot> engines) implements OperationResponseBody {}
}
