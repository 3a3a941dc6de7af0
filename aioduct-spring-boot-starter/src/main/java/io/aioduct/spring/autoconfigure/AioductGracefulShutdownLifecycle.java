package io.aioduct.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;

/**
 * Lets requests in flight on the starter's engines finish when the context stops, in a lifecycle phase of
 * its own ({@value #SMART_LIFECYCLE_PHASE}): after Spring Boot's web server drained its incoming requests
 * ({@code server.shutdown=graceful}, phase {@code SmartLifecycle.DEFAULT_PHASE - 1024}) and stopped (phase
 * {@code DEFAULT_PHASE - 2048}), so the outgoing requests those incoming requests made have finished or are
 * the last ones running, and before the beans are destroyed.
 *
 * <p><b>Stop.</b> Waits until no exchange is in flight on any engine the starter manages (the default
 * engine, the named clients' engines, the engines made for SSL bundles), for at most Spring's budget for one
 * shutdown phase, {@code spring.lifecycle.timeout-per-shutdown-phase} (30 s unless set). The engines keep
 * taking requests meanwhile: a bean in a later phase, or one being destroyed, may still send a last request
 * (deregistering from a registry, say), and a context stopped and started again keeps working. When the
 * budget runs out with exchanges still in flight, the engines close at once: those exchanges fail with
 * {@link io.aioduct.RequestCancelledException}, and later requests are refused. Otherwise the engines close
 * when their beans are destroyed, with {@code aioduct.shutdown.grace} for requests sent after this phase.
 *
 * <p>Threading: {@link #stop()} blocks the thread closing the context, as Spring's own stop phases do
 * while they wait; the rest is thread-safe. Engines an application defined itself are waited for but never
 * closed here.
 */
public final class AioductGracefulShutdownLifecycle implements SmartLifecycle {
    /**
     * The phase: 1024 below Spring Boot's web server stop ({@code DEFAULT_PHASE - 2048}), the same step Boot
     * leaves between its graceful drain and the stop, so other beans can still order themselves around it.
     */
    public static final int SMART_LIFECYCLE_PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    static final String TIMEOUT_PROPERTY = "spring.lifecycle.timeout-per-shutdown-phase";
    /** Spring Boot's default for {@value #TIMEOUT_PROPERTY} ({@code LifecycleProperties}). */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** How often the drain reads the in-flight counts: a counter read, cheap, once per shutdown. */
    private static final long POLL_MILLIS = 5;

    private static final Logger log = LoggerFactory.getLogger(AioductGracefulShutdownLifecycle.class);

    private final Duration timeout;
    private final List<ManagedEngines> engines = new ArrayList<>();
    private volatile boolean running;

    AioductGracefulShutdownLifecycle(Duration timeout) {
        this.timeout = timeout;
    }

    /** Reads Spring Boot's {@value #TIMEOUT_PROPERTY} from {@code environment}. */
    static AioductGracefulShutdownLifecycle of(Environment environment) {
        return new AioductGracefulShutdownLifecycle(
                Binder.get(environment).bind(TIMEOUT_PROPERTY, Duration.class).orElse(DEFAULT_TIMEOUT));
    }

    /** Adds engines to drain when the context stops; returns them. */
    synchronized ManagedEngines manage(ManagedEngines managed) {
        engines.add(managed);
        return managed;
    }

    /** The budget for the drain: {@code spring.lifecycle.timeout-per-shutdown-phase}, 30 s unless set. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        List<ManagedEngines> managed;
        synchronized (this) {
            managed = List.copyOf(engines);
        }
        long left = drain(managed);
        if (left > 0) {
            log.warn(
                    "aioduct: {} requests still in flight after {}={}; closing the engines, which cancels them",
                    left,
                    TIMEOUT_PROPERTY,
                    timeout);
            managed.forEach(m -> m.destroy(System.nanoTime()));
        }
    }

    /**
     * Waits up to the budget for every engine to have nothing in flight; returns what is left. Real time, read
     * from {@link System#nanoTime()}: the budget is the time the closing thread spends, as Spring counts it.
     */
    private long drain(List<ManagedEngines> managed) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left = inFlight(managed);
        while (left > 0 && deadline - System.nanoTime() > 0) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return inFlight(managed);
            }
            left = inFlight(managed);
        }
        return left;
    }

    private static long inFlight(List<ManagedEngines> managed) {
        return managed.stream().mapToLong(ManagedEngines::inFlight).sum();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SMART_LIFECYCLE_PHASE;
    }

    /** A pause ({@code ConfigurableApplicationContext.pause()}) leaves the engines alone: it must not close them. */
    @Override
    public boolean isPauseable() {
        return false;
    }
}
