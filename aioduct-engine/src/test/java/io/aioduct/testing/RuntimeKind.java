package io.aioduct.testing;

import io.aioduct.Aioduct;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.runtime.uring.IoUringRuntime;

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

        @Override
        public HttpEngine singlePoolEngine(EngineConfig config) {
            return Aioduct.ioUring(IoUringRuntime.builder().cores(1).build(), config);
        }
    };

    public abstract HttpEngine engine(EngineConfig config);

    /**
     * An engine whose requests from the test thread all share one pool: the same as {@link #engine} except
     * for io_uring, which then runs a single core (with several, each core has its own pool).
     */
    public HttpEngine singlePoolEngine(EngineConfig config) {
        return engine(config);
    }

    /** Whether the runtime learns of a peer's close by an event (event loops) rather than on checkout. */
    public boolean eventDriven() {
        return this != VIRTUAL;
    }
}
