package io.aioduct.testing;

import io.aioduct.Aioduct;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;

/** The three runtimes every behaviour test runs against. io_uring must be available: its tests fail, not skip. */
public enum RuntimeKind {
    POOLED {
        @Override
        public HttpEngine engine(EngineConfig config) {
            return Aioduct.pooled(config);
        }
    },
    VIRTUAL {
        @Override
        public HttpEngine engine(EngineConfig config) {
            return Aioduct.virtualThreads(config);
        }
    },
    IO_URING {
        @Override
        public HttpEngine engine(EngineConfig config) {
            return Aioduct.ioUring(config);
        }
    };

    public abstract HttpEngine engine(EngineConfig config);

    /** Whether the runtime learns of a peer's close by an event (event loops) rather than on checkout. */
    public boolean eventDriven() {
        return this != VIRTUAL;
    }
}
