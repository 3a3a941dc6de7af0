package io.aioduct.spring.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.LeakRecordingDetector;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base for starter tests: after each test no runtime thread of any engine a context created is still
 * alive (every context closed its engine), and no Netty buffer leaked.
 */
public abstract class NoLeaks {

    @BeforeEach
    void forgetEarlierLeaks() {
        LeakRecordingDetector.collectLeaks();
    }

    @AfterEach
    void checkNothingLeaked() {
        awaitNoRuntimeThreads();
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("Netty buffer leaks")
                .isEmpty();
    }

    /**
     * Waits (up to 10 s) until {@code engine} has nothing in flight and no active, connecting or pending connection: an exchange
     * ends on an engine thread a moment after the caller read or closed its response.
     */
    public static void awaitQuiet(HttpEngine engine) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (engine.inFlight() > 0
                || engine.poolStats().stream().anyMatch(p -> p.active() > 0 || p.connecting() > 0 || p.pending() > 0)) {
            if (System.nanoTime() - deadline > 0) {
                fail("engine not quiet: inFlight=" + engine.inFlight() + " pools=" + engine.poolStats());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** Waits (up to 10 s) until no {@code aioduct-*} platform thread is alive. */
    public static void awaitNoRuntimeThreads() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!EngineTest.liveRuntimeThreads().isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                fail("runtime threads left running: " + EngineTest.liveRuntimeThreads());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
