package io.aioduct.sample.testing;

import java.util.List;

/**
 * Where a test loads one runtime: the running app and the client name in it that runs on that runtime.
 *
 * @param runtime {@code pooled}, {@code virtual} or {@code io-uring}: the {@code runtime} tag of its meters
 * @param client the client's name in the app: the {@code name} tag of its meters
 */
public record RuntimeTarget(String runtime, SampleApp app, String client) {

    public static final List<String> RUNTIMES = List.of("pooled", "virtual", "io-uring");

    /**
     * The app with the {@code compare} profile: one named client per runtime, each named after its runtime, so
     * one app serves every runtime side by side.
     */
    public static List<RuntimeTarget> startCompare(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "--spring.profiles.active=compare";
        System.arraycopy(args, 0, all, 1, args.length);
        SampleApp app = SampleApp.start(all);
        return RUNTIMES.stream()
                .map(runtime -> new RuntimeTarget(runtime, app, runtime))
                .toList();
    }
}
