package io.aioduct.sample.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a test loads one runtime: the running app and the client name in it that runs on that runtime.
 *
 * @param runtime {@code pooled}, {@code virtual} or {@code io-uring}: the {@code runtime} tag of its meters
 * @param client the client's name in the app: the {@code name} tag of its meters
 */
public record RuntimeTarget(String runtime, SampleApp app, String client) {

    public static final List<String> RUNTIMES = List.of("pooled", "virtual", "io-uring");

    /** One app on {@code runtime}: its default client runs there. */
    public static RuntimeTarget start(String runtime, String... args) {
        List<String> all = new ArrayList<>(List.of("--aioduct.runtime.kind=" + runtime));
        all.addAll(List.of(args));
        return new RuntimeTarget(runtime, SampleApp.start(all.toArray(String[]::new)), "default");
    }
}
