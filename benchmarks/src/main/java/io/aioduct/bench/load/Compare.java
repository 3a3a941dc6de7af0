package io.aioduct.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The before/after table of a run made with {@code baseline=<checkout>}: for every scenario and aioduct
 * contender, the median over the rounds of the baseline build and of this build, and their ratio (after /
 * before; for req/s above 1 is better, for CPU and allocation below 1 is). Printed as Markdown.
 * {@code scripts/bench-load --compare benchmarks/results/load-X.csv}.
 */
public final class Compare {
    private Compare() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Compare <load-X.csv>");
        }
        System.out.print(table(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)));
    }

    static String table(List<String> lines) {
        Map<String, List<Row>> byTurn = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            Row r = Row.parse(line);
            byTurn.computeIfAbsent(r.scenario() + " " + r.contender(), k -> new ArrayList<>())
                    .add(r);
        }
        StringBuilder out = new StringBuilder(
                "| scenario | contender | req/s before -> after (ratio) | CPU us/req before -> after (ratio) "
                        + "| alloc B/req before -> after (ratio) |\n|---|---|---|---|---|\n");
        int rows = 0;
        for (Map.Entry<String, List<Row>> e : byTurn.entrySet()) {
            String key = e.getKey();
            if (!key.endsWith(LoadMain.BASELINE_SUFFIX)) continue;
            List<Row> before = e.getValue();
            List<Row> after = byTurn.get(key.substring(0, key.length() - LoadMain.BASELINE_SUFFIX.length()));
            if (after == null) continue;
            Row first = after.getFirst();
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s |%n",
                    first.scenario(),
                    first.contender(),
                    cell(before, after, Row::rps, "%,.0f"),
                    cell(before, after, Row::cpuUsPerRequest, "%.1f"),
                    cell(before, after, Row::allocBytesPerRequest, "%,.0f")));
            rows++;
        }
        if (rows == 0) {
            throw new IllegalArgumentException(
                    "no contender has a " + LoadMain.BASELINE_SUFFIX + " twin: was the run made with baseline=?");
        }
        return out.toString();
    }

    private static String cell(List<Row> before, List<Row> after, ToDoubleFunction<Row> f, String format) {
        double b = median(before, f);
        double a = median(after, f);
        return String.format(Locale.ROOT, format + " -> " + format + " (%.2f)", b, a, a / b);
    }

    private static double median(List<Row> rows, ToDoubleFunction<Row> f) {
        return Stats.median(rows.stream().mapToDouble(f).toArray());
    }
}
