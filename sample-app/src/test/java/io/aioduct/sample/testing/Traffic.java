package io.aioduct.sample.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

/** Drives some requests through every gateway of a {@link RuntimeTarget}, so its meters have something to show. */
public final class Traffic {

    private static final List<String> VIAS =
            List.of("rest-client", "web-client", "rest-template", "http-interface", "aioduct-client");

    private Traffic() {}

    /**
     * Every Spring client and the AioductClient itself call the small (HTTP) and tls (HTTPS) endpoints, then the
     * flaky one until a call failed (a 503, or the connection closed mid-body).
     */
    public static void drive(RuntimeTarget target) {
        for (String via : VIAS) {
            for (String endpoint : List.of("small", "tls", "small")) {
                HttpResponse<String> response = call(target, via, endpoint);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
        }
        int failed = 0;
        for (int i = 0; i < 100 && failed < 6; i++) {
            if (call(target, VIAS.get(i % VIAS.size()), "flaky").statusCode() == 502) {
                failed++;
            }
        }
        assertThat(failed).as("flaky calls that failed").isPositive();
    }

    private static HttpResponse<String> call(RuntimeTarget target, String via, String endpoint) {
        return SampleApp.get(target.app().url("/gateway/" + via + "/" + endpoint + "?client=" + target.client()));
    }
}
