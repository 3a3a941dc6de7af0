package io.aioduct.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code key=value key=value} lines (values without spaces), how runner and workers talk. */
final class KeyValues {
    private KeyValues() {}

    static Map<String, String> parse(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : line.trim().split("\\s+")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not key=value: '" + part + "' in '" + line + "'");
            }
            m.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return m;
    }
}
