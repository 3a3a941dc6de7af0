package io.aioduct.sample.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aioduct.testing.EngineTest;
import io.aioduct.testing.LeakRecordingDetector;
import java.time.Duration;

/** Teardown checks for the sample app's tests: every engine closed with its app, no Netty buffer leaked. */
public final class Quiet {

    private Quiet() {}

    /** Waits (up to 10 s) until no {@code aioduct-*} runtime thread is alive, then checks for buffer leaks. */
    public static void assertNothingLeft() {
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
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("Netty buffer leaks")
                .isEmpty();
    }
}
