package io.aioduct.sample;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The Spring HTTP client a gateway call goes through; every one of them runs on the aioduct engine. */
enum Via {
    REST_CLIENT("rest-client"),
    WEB_CLIENT("web-client"),
    REST_TEMPLATE("rest-template"),
    HTTP_INTERFACE("http-interface"),
    /** The {@code AioductClient} bean itself: timed by the engine's own {@code aioduct.client.requests}. */
    AIODUCT_CLIENT("aioduct-client");

    private final String id;

    Via(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    static Via parse(String field, String value) {
        for (Via via : values()) {
            if (via.id.equals(value)) {
                return via;
            }
        }
        throw new BadRequestException(field, field + " must be one of " + ids() + ", was '" + value + "'");
    }

    static String ids() {
        return Arrays.stream(values()).map(Via::id).collect(Collectors.joining(", "));
    }
}
