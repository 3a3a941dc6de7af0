package io.aioduct.sample;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A downstream endpoint a gateway or a load calls. */
enum Endpoint {
    SMALL,
    LARGE,
    SLOW,
    FLAKY,
    /** The small JSON over HTTPS, from {@link TlsDownstream}. */
    TLS;

    /** The path segment under {@code /downstream/} and the name used by the page and the API. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Endpoint parse(String field, String value) {
        for (Endpoint e : values()) {
            if (e.id().equals(value)) {
                return e;
            }
        }
        throw new BadRequestException(field, field + " must be one of " + ids() + ", was '" + value + "'");
    }

    static String ids() {
        return Arrays.stream(values()).map(Endpoint::id).collect(Collectors.joining(", "));
    }
}
