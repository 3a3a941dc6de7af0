package io.aioduct.sample;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Reads what the dashboard charts for one client out of the app's own {@link MeterRegistry}: the load's
 * {@code sample.load} timer, and the starter's {@code aioduct.connections} and, on io-uring,
 * {@code aioduct.core.*} meters tagged with the client's {@code name}.
 */
@Component
class MeterView {

    private final MeterRegistry registry;

    MeterView(MeterRegistry registry) {
        this.registry = registry;
    }

    Map<String, Object> load(String client) {
        Map<String, Object> m = new LinkedHashMap<>();
        long ok = 0;
        long failed = 0;
        double p50 = 0;
        double p95 = 0;
        double p99 = 0;
        for (Timer timer : registry.find(LoadRunner.TIMER).tag("name", client).timers()) {
            if ("error".equals(timer.getId().getTag("outcome"))) {
                failed += timer.count();
                continue;
            }
            ok += timer.count();
            HistogramSnapshot snapshot = timer.takeSnapshot();
            for (ValueAtPercentile p : snapshot.percentileValues()) {
                double ms = p.value(TimeUnit.MILLISECONDS);
                if (p.percentile() == 0.5) {
                    p50 = ms;
                } else if (p.percentile() == 0.95) {
                    p95 = ms;
                } else if (p.percentile() == 0.99) {
                    p99 = ms;
                }
            }
        }
        m.put("requests", ok + failed);
        m.put("errors", failed);
        m.put("p50Ms", p50);
        m.put("p95Ms", p95);
        m.put("p99Ms", p99);
        return m;
    }

    /** Connections of every pool of the client, summed by state (active, idle, pending, max). */
    Map<String, Double> connections(String client) {
        Map<String, Double> byState = new LinkedHashMap<>();
        for (String state : new String[] {"active", "idle", "pending", "max"}) {
            byState.put(state, 0.0);
        }
        for (Meter meter :
                registry.find("aioduct.connections").tag("name", client).meters()) {
            String state = meter.getId().getTag("state");
            if (state != null) {
                byState.merge(state, value(meter), Double::sum);
            }
        }
        return byState;
    }

    /** Per io-uring core: pending tasks, connections owned, requests served (empty on other runtimes). */
    Map<String, Map<String, Double>> cores(String client) {
        Map<String, Map<String, Double>> cores = new TreeMap<>();
        collect(cores, client, "aioduct.core.tasks.pending", "pendingTasks");
        collect(cores, client, "aioduct.core.connections", "connections");
        collect(cores, client, "aioduct.core.requests", "requests");
        return cores;
    }

    private void collect(Map<String, Map<String, Double>> cores, String client, String name, String key) {
        for (Meter meter : registry.find(name).tag("name", client).meters()) {
            String core = meter.getId().getTag("core");
            if (core != null) {
                cores.computeIfAbsent(core, c -> new LinkedHashMap<>()).merge(key, value(meter), Double::sum);
            }
        }
    }

    /** The first measurement of a gauge or counter (its value or count). */
    private static double value(Meter meter) {
        for (var measurement : meter.measure()) {
            double v = measurement.getValue();
            return Double.isNaN(v) ? 0 : v;
        }
        return 0;
    }
}
