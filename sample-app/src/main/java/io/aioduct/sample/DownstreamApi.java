package io.aioduct.sample;

import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.util.UriBuilderFactory;

/**
 * The downstream endpoints as an HTTP service interface. The default client's proxy comes from
 * {@code @ImportHttpServices}; named clients get theirs from {@link ClientDirectory}. The base URL is passed
 * per call ({@link UriBuilderFactory}), since the app's own port is known only once its server has started.
 */
@HttpExchange("/downstream")
public interface DownstreamApi {

    @GetExchange("/small")
    String small(UriBuilderFactory base);

    @GetExchange("/large")
    byte[] large(UriBuilderFactory base);

    @GetExchange("/slow")
    String slow(UriBuilderFactory base, @RequestParam long delayMs);

    @GetExchange("/flaky")
    String flaky(UriBuilderFactory base);
}
