package io.aioduct.spring.actuate;

import io.aioduct.engine.HttpEngine;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code aioduct} actuator endpoint: the chosen runtime, its threads (per core for io-uring) and
 * each pool with its origin, protocol and active / idle / connecting / pending counts. Read-only;
 * thread-safe.
 */
@Endpoint(id = "aioduct")
public class AioductEndpoint {
    private final HttpEngine engine;

    public AioductEndpoint(HttpEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @ReadOperation
    public EngineSnapshot engine() {
        return EngineSnapshot.of(engine);
    }
}
